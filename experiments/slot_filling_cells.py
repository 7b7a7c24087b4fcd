"""Slot filling across cells: slot F1, intent accuracy and seconds per epoch, XLA on and off.

Trains the `slot_filling` tagger once per cell (`cells=`, default elman, jordan, gru,
lstm) and direction (one-way, then bidirectional) with XLA, each in its own child run
directory, then times `timing_epochs` more epochs of the same model with XLA off.
Every other key is slot_filling's and applies to all the runs. Writes `table.md` (the
README's table) and flat metrics such as `gru_bi_slot_f1`, `gru_bi_seconds_per_epoch_xla_off`.

Run it (the SNIPS table of the README):

    make experiment NAME=slot_filling_cells ARGS="data_dir=../shared/data/snips epochs=6"
"""

import dataclasses

from experiments import slot_filling
from tfnotes.errors import UsageError
from tfnotes.train import STRATEGIES as FIT_MODEL_STRATEGIES
from tfnotes.train import RunDirectory, apply_smoke

# Every run goes through slot_filling, which trains with tfnotes.train.fit_model.
STRATEGIES = FIT_MODEL_STRATEGIES
DIRECTIONS = {"uni": False, "bi": True}


@dataclasses.dataclass
class Config(slot_filling.Config):
    """slot_filling's keys, plus which cells to compare and how long to time XLA off."""

    cells: str = "elman,jordan,gru,lstm"  # comma-separated slot_filling cells to compare
    timing_epochs: int = 2  # epochs run with XLA off, only to time them (0: skip); the median leaves out the first


def smoke_overrides():
    """The shrunken configuration `smoke=True` applies: one cell both ways, one timing epoch."""
    return dict(cells="gru", timing_epochs=1)


def selected_cells(config):
    """The cells named by `cells=`, checked against slot_filling's."""
    cells = [cell.strip() for cell in config.cells.split(",") if cell.strip()]
    unknown = [cell for cell in cells if cell not in slot_filling.CELLS]
    if not cells or unknown:
        raise UsageError(f"cells={config.cells!r}: choose from {', '.join(slot_filling.CELLS)} (comma-separated)")
    return cells


def child_run(run_dir, name, config):
    """Runs slot_filling with `config` in RUN_DIR/NAME and returns its metrics."""
    child = RunDirectory(run_dir.path / name)
    child.path.mkdir(parents=True, exist_ok=True)
    child.write_config(config)
    return slot_filling.run(config, child)


def markdown_table(rows):
    """The comparison as a markdown table, one row per cell and direction."""
    lines = [
        "| cell | direction | slot F1 | intent acc. | s/epoch XLA on | s/epoch XLA off |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        off = row.get("seconds_per_epoch_xla_off")
        lines.append(
            f"| {row['cell']} | {row['direction']} | {row['slot_f1']:.3f} | {row['intent_accuracy']:.3f} "
            f"| {row['seconds_per_epoch']:.1f} | {'-' if off is None else f'{off:.1f}'} |"
        )
    return "\n".join(lines)


def run(config, run_dir=None):
    """Trains every cell x direction, writes table.md and returns the flat metrics."""
    config = apply_smoke(config, smoke_overrides())
    cells = selected_cells(config)
    run_dir = run_dir or RunDirectory.create(config.logdir, "slot_filling_cells")
    metrics, rows = {}, []
    for cell in cells:
        for direction, bidirectional in DIRECTIONS.items():
            name = f"{cell}_{direction}"
            base = dataclasses.replace(config, cell=cell, bidirectional=bidirectional)
            scores = child_run(run_dir, name, dataclasses.replace(base, jit_compile=True))
            row = {"cell": cell, "direction": direction, **scores}
            if config.timing_epochs:
                timing = dataclasses.replace(base, jit_compile=False, epochs=config.timing_epochs, patience=0)
                row["seconds_per_epoch_xla_off"] = child_run(run_dir, name + "_xla_off", timing)["seconds_per_epoch"]
            rows.append(row)
            for key in ("slot_f1", "intent_accuracy", "sentence_accuracy", "seconds_per_epoch", "seconds_per_epoch_xla_off"):
                if key in row:
                    metrics[f"{name}_{key}"] = float(row[key])
            print(f"{name}: " + ", ".join(f"{key}={row[key]:.3f}" for key in ("slot_f1", "intent_accuracy")), flush=True)
    table = markdown_table(rows)
    (run_dir.path / "table.md").write_text(table + "\n")
    print(table, flush=True)
    return metrics

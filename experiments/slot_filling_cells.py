"""Slot filling across cells: slot F1, intent accuracy and seconds per epoch, XLA on and off.

Trains the `slot_filling` tagger once per cell (`cells=`, default elman, jordan, gru,
lstm) and direction (one-way, then bidirectional) with XLA, each in its own child run
directory, then times `timing_epochs` more epochs of the same model with XLA off.
Every other key is slot_filling's and applies to all the runs. Writes `table.md` (the
table in docs/slot_filling.md) and flat metrics such as `gru_bi_slot_f1`.

Run it (the SNIPS table):

    make experiment NAME=slot_filling_cells ARGS="config=snips"
"""

import dataclasses

from experiments import slot_filling
from tfnotes.errors import UsageError
from tfnotes.train import NonNegativeInt
from tfnotes.train.runner import child_run

# Every run is a slot_filling run, which supports every strategy.
STRATEGIES = slot_filling.STRATEGIES
DIRECTIONS = {"uni": False, "bi": True}


@dataclasses.dataclass
class Config(slot_filling.Config):
    """slot_filling's keys, plus which cells to compare and how long to time XLA off."""

    cells: str = "elman,jordan,gru,lstm"  # comma-separated slot_filling cells to compare
    # epochs run with XLA off, only to time them (0: skip); the median leaves out the first
    timing_epochs: NonNegativeInt = 2


# The shrunken configuration `smoke=True` applies: one cell both ways, one timing epoch.
SMOKE = dict(slot_filling.SMOKE, cells="gru", timing_epochs=1)


def selected_cells(config):
    """The cells named by `cells=`, checked against slot_filling's."""
    cells = [cell.strip() for cell in config.cells.split(",") if cell.strip()]
    unknown = [cell for cell in cells if cell not in slot_filling.CELLS]
    if not cells or unknown:
        raise UsageError(
            f"cells={config.cells!r}: choose from {', '.join(slot_filling.CELLS)} (comma-separated)"
        )
    return cells


def markdown_table(rows):
    """The comparison as a markdown table, one row per cell and direction."""
    lines = [
        "| cell | direction | slot F1 | intent acc. | s/epoch XLA on | s/epoch XLA off |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        off = row.get("seconds_per_epoch_xla_off")
        lines.append(
            f"| {row['cell']} | {row['direction']} | {row['slot_f1']:.3f} "
            f"| {row['intent_accuracy']:.3f} "
            f"| {row['seconds_per_epoch']:.1f} | {'-' if off is None else f'{off:.1f}'} |"
        )
    return "\n".join(lines)


def run(config, run_dir):
    """Trains every cell x direction, writes table.md and returns the flat metrics."""
    cells = selected_cells(config)
    metrics, rows = {}, []
    for cell in cells:
        for direction, bidirectional in DIRECTIONS.items():
            name = f"{cell}_{direction}"
            base = dataclasses.replace(config, cell=cell, bidirectional=bidirectional)
            scores = child_run(
                slot_filling.run, dataclasses.replace(base, jit_compile=True), run_dir.path / name
            )
            row = {"cell": cell, "direction": direction, **scores}
            if config.timing_epochs:
                timing = dataclasses.replace(
                    base, jit_compile=False, epochs=config.timing_epochs, patience=0
                )
                row["seconds_per_epoch_xla_off"] = child_run(
                    slot_filling.run, timing, run_dir.path / (name + "_xla_off")
                )["seconds_per_epoch"]
            rows.append(row)
            for key in (
                "slot_f1",
                "intent_accuracy",
                "sentence_accuracy",
                "seconds_per_epoch",
                "seconds_per_epoch_xla_off",
            ):
                if key in row:
                    metrics[f"{name}_{key}"] = float(row[key])
            print(
                f"{name}: "
                + ", ".join(f"{key}={row[key]:.3f}" for key in ("slot_f1", "intent_accuracy")),
                flush=True,
            )
    table = markdown_table(rows)
    (run_dir.path / "table.md").write_text(table + "\n")
    print(table, flush=True)
    return metrics

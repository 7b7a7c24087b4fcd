"""The language model on tfnotes cells against the same model on Keras' own layers.

Trains `language_model` twice in one command with the same keys, seed and data: once
over a `MultiRNNCell` of tfnotes cells (``rnn_layer=tfnotes``), once over
``keras.layers.LSTM`` / ``GRU`` / ``SimpleRNN`` (``rnn_layer=keras``), each in its own
child run directory, one after the other on the same machine. Both take the same
number of steps per epoch, so the validation loss after each epoch compares them at
equal steps. Writes `table.md` (validation loss per epoch, tokens/s, seconds per
epoch, the load average around each run) and flat metrics such as
``tokens_per_second_ratio`` (tfnotes over Keras). Figures: docs/language_model.md.

    make experiment NAME=language_model_vs_keras ARGS="config=shakespeare_char"
    make experiment NAME=language_model_vs_keras                  # nested brackets, 1 minute
"""

import dataclasses
import os

from experiments import language_model
from tfnotes.train import read_scalars
from tfnotes.train.runner import child_run

STRATEGIES = language_model.STRATEGIES
STRATEGY_NOTE = language_model.STRATEGY_NOTE
RNN_LAYERS = ("tfnotes", "keras")  # the order the two runs train in
SMOKE = language_model.SMOKE


@dataclasses.dataclass
class Config(language_model.Config):
    """language_model's keys; both runs use them all (`rnn_layer=` is set per run)."""

    def __post_init__(self):
        if self.rnn_layer != "tfnotes":
            raise ValueError("rnn_layer= is what this experiment varies; leave it unset")
        super().__post_init__()
        if self.cell not in language_model.KERAS_LAYERS:
            raise ValueError(f"cell={self.cell} has no Keras layer to compare with; choose one "
                             f"of: {', '.join(language_model.KERAS_LAYERS)}")


def markdown_table(rows, losses) -> str:
    """Validation loss per epoch for both runs, then speed and load, as markdown."""
    epochs = sorted(set().union(*(losses[name] for name in RNN_LAYERS)))
    lines = [
        "| after epoch | validation loss, tfnotes cells | validation loss, Keras layers |",
        "|---|---|---|",
    ]
    for epoch in epochs:
        cells = [losses[name].get(epoch) for name in RNN_LAYERS]
        lines.append(f"| {epoch + 1} | "
                     + " | ".join("-" if value is None else f"{value:.4f}" for value in cells)
                     + " |")
    lines += [
        "",
        "| layers | tokens/s (training) | s/epoch (median) | first epoch s "
        "| load average before / after |",
        "|---|---|---|---|---|",
    ]
    for name in RNN_LAYERS:
        row = rows[name]
        lines.append(
            f"| {name} | {row['tokens_per_second']:,.0f} | {row['seconds_per_epoch']:.1f} "
            f"| {row['seconds_first_epoch']:.1f} "
            f"| {row['load_before']:.2f} / {row['load_after']:.2f} |"
        )
    return "\n".join(lines)


def child_config(config, rnn_layer):
    """The `language_model.Config` of one of the two runs."""
    keys = {field.name: getattr(config, field.name)
            for field in dataclasses.fields(language_model.Config)}
    return language_model.Config(**dict(keys, rnn_layer=rnn_layer))


def run(config, run_dir):
    """Trains both models, writes table.md and returns the flat metrics."""
    rows, losses, metrics = {}, {}, {}
    for name in RNN_LAYERS:
        child_path = run_dir.path / name
        load_before = os.getloadavg()[0]
        scores = child_run(language_model.run, child_config(config, name), child_path)
        rows[name] = {**scores, "load_before": load_before, "load_after": os.getloadavg()[0]}
        losses[name] = read_scalars(child_path / "validation", "epoch_loss")
        for key in ("validation_loss", "tokens_per_second", "seconds_per_epoch"):
            metrics[f"{name}_{key}"] = float(scores[key])
        print(f"{name}: validation_loss={scores['validation_loss']:.4f}, "
              f"tokens_per_second={scores['tokens_per_second']:,.0f}", flush=True)
    metrics["tokens_per_second_ratio"] = (
        metrics["tfnotes_tokens_per_second"] / metrics["keras_tokens_per_second"]
    )
    table = markdown_table(rows, losses)
    (run_dir.path / "table.md").write_text(table + "\n")
    print(table, flush=True)
    return metrics

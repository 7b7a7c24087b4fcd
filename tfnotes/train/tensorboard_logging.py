"""TensorBoard writers beyond Keras' per-epoch scalars: hparams, extra scalars, text.

Everything lands inside the run directory, so ``tensorboard --logdir LOGDIR`` shows
each run as ``NAME/RUN_ID`` with sub-runs ``train``, ``validation``, ``test``, ...
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable

import keras
import tensorflow as tf
from tensorboard.plugins.hparams import api as hparams_api

from tfnotes.train.config import config_to_dict
from tfnotes.train.run_directory import RunDirectory

# Where a run lives, how it resumes and where its TPU is are not hyperparameters.
_NOT_HPARAMS = ("logdir", "resume", "tpu", "collective_timeout")


def write_hparams(
    run_dir: RunDirectory, config: Any, metrics: dict[str, float] | None = None
) -> None:
    """Records the config for the HParams dashboard, with final `metrics` as its columns.

    The hparams go into the run directory itself (the HParams "session"); each
    metric is also written there as a scalar at step 0, which is where the
    dashboard looks for a session's metric values.
    """
    hparams = {
        key: _hparam_value(value)
        for key, value in config_to_dict(config).items()
        if key not in _NOT_HPARAMS
    }
    with _writing(run_dir, ""):
        hparams_api.hparams(hparams, trial_id=f"{run_dir.path.parent.name}/{run_dir.path.name}")
        for tag, value in (metrics or {}).items():
            tf.summary.scalar(tag, float(value), step=0)


def write_scalars(run_dir: RunDirectory, split: str, scalars: dict[str, float], step: int) -> None:
    """Writes `scalars` at `step` under ``run_dir/split`` (e.g. split="test")."""
    with _writing(run_dir, split):
        for tag, value in scalars.items():
            tf.summary.scalar(tag, float(value), step=step)


def write_text(run_dir: RunDirectory, split: str, tag: str, markdown: str, step: int) -> None:
    """Writes a Markdown text summary (tables render) under ``run_dir/split``."""
    with _writing(run_dir, split):
        tf.summary.text(tag, markdown, step=step)


class TextSummaryCallback(keras.callbacks.Callback):
    """Writes ``make_markdown(epoch)`` as a text summary after every epoch.

    Args:
        make_markdown: ``epoch -> str`` (0-based epoch, like Keras' epoch scalars),
            e.g. a table of validation sentences with gold and predicted tags.
        tag: the summary's name in the Text dashboard.
        run_dir: the run directory; `fit_model` fills it in when left None.
        split: the sub-run to write under (default ``validation``).
    """

    def __init__(
        self,
        make_markdown: Callable[[int], str],
        tag: str,
        *,
        run_dir: RunDirectory | None = None,
        split: str = "validation",
    ):
        super().__init__()
        if not callable(make_markdown):
            raise TypeError(f"make_markdown must be a function epoch -> str, got {make_markdown!r}")
        self.make_markdown = make_markdown
        self.tag = tag
        self.run_dir = run_dir
        self.split = split

    def on_train_begin(self, logs=None):
        if self.run_dir is None:
            raise ValueError("TextSummaryCallback needs run_dir= (fit_model sets it)")

    def on_epoch_end(self, epoch, logs=None):
        write_text(self.run_dir, self.split, self.tag, self.make_markdown(epoch), step=epoch)


def read_scalars(folder, tag: str) -> dict[int, float]:
    """``{step: value}`` of the scalar `tag` in the event files of `folder` (last write wins).

    Reads what Keras' TensorBoard callback and `write_scalars` write (tensor summaries),
    e.g. ``read_scalars(run_dir / "validation", "epoch_loss")``: one value per epoch.
    """
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(folder), size_guidance={"tensors": 0})
    accumulator.Reload()
    if tag not in accumulator.Tags()["tensors"]:
        return {}
    return {
        event.step: float(tf.make_ndarray(event.tensor_proto))
        for event in accumulator.Tensors(tag)
    }


@contextlib.contextmanager
def _writing(run_dir: RunDirectory, split: str):
    """Makes the run's writer for `split` the default; flushes it afterwards."""
    writer = run_dir.summary_writers.get(split)
    if writer is None:
        writer = tf.summary.create_file_writer(str(run_dir.path / split))
        run_dir.summary_writers[split] = writer
    try:
        with writer.as_default():
            yield
    finally:
        writer.flush()


def _hparam_value(value: Any) -> bool | int | float | str:
    # The HParams plugin takes only bool, number and string values.
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)

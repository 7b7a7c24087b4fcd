"""Callbacks: the NaN guard and flushing TensorBoard `fit_model` adds, and an epoch timer."""

from __future__ import annotations

import json
import math
import pathlib
import statistics
import time

import keras

from tfnotes.errors import TrainingDiverged


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Raises `TrainingDiverged` as soon as a loss is NaN or infinite.

    Checks every ``*loss`` entry of the logs after each training step (Keras
    reports the epoch's running mean, which turns NaN at the first bad step) and
    after each epoch (which adds the validation losses). Place it *before*
    `keras.callbacks.BackupAndRestore`, so the diverged epoch is never saved
    over the last good checkpoint.
    """

    def __init__(self, checkpoint_dir: str | pathlib.Path):
        super().__init__()
        self.checkpoint_dir = pathlib.Path(checkpoint_dir)
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self._check(logs, f"at epoch {self._epoch + 1}, step {batch + 1}")

    def on_epoch_end(self, epoch, logs=None):
        self._check(logs, f"at the end of epoch {epoch + 1}")

    def _check(self, logs, where: str) -> None:
        for key, value in (logs or {}).items():
            if "loss" in key and isinstance(value, (int, float)) and not math.isfinite(value):
                raise TrainingDiverged(f"{key} became {value} {where}; {self._checkpoint_note()}")

    def _checkpoint_note(self) -> str:
        metadata = self.checkpoint_dir / "training_metadata.json"  # BackupAndRestore's record
        if not metadata.is_file():
            return (
                "no epoch finished, so there is no checkpoint"
                " (try a lower learning_rate= or clipnorm=)"
            )
        epoch = json.loads(metadata.read_text()).get("epoch")
        return f"the last good checkpoint is in {self.checkpoint_dir} (after epoch {epoch})"


class FlushingTensorBoard(keras.callbacks.TensorBoard):
    """`keras.callbacks.TensorBoard` that flushes its event files after every epoch.

    Keras flushes only when training ends, so a crashed or interrupted run would
    lose the scalars of the epochs it finished.
    """

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        for writer in getattr(self, "_writers", {}).values():
            writer.flush()


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock seconds of each epoch (training plus validation), in `seconds`.

    Place it before callbacks that do slow work at the end of an epoch (sample
    images, scores on held-out data) so that work is not counted.
    """

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)

    def timing_metrics(self) -> dict:
        """``seconds_per_epoch`` (median, leaving out the first epoch, which includes
        tracing and XLA compilation, when there are others) and ``seconds_first_epoch``."""
        if not self.seconds:
            return {}
        return {
            "seconds_per_epoch": statistics.median(self.seconds[1:] or self.seconds),
            "seconds_first_epoch": self.seconds[0],
        }

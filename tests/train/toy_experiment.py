"""Toy regression: a 2-layer Dense model on random points (a stand-in experiment for tests).

Tests import this file as ``experiments.toy`` (see tests/train/conftest.py), after
which the runner finds it like any experiment: ``main(["toy", "epochs=2"])``.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

import keras
import numpy as np

from tfnotes.errors import DataError
from tfnotes.train import (
    ALL_STRATEGIES,
    CommonConfig,
    EpochTimer,
    PositiveInt,
    Range,
    TextSummaryCallback,
    fit_model,
)

STRATEGIES = ALL_STRATEGIES  # it trains through fit_model
RESUMABLE_KEYS = ("interrupt_at_epoch", "nan_at_step")  # the test hooks may change on resume


@dataclasses.dataclass
class Config(CommonConfig):
    epochs: PositiveInt = 3  # short: the tests train for seconds
    batch_size: PositiveInt = 32  # 8 steps per epoch on the 256 training points
    units: PositiveInt = 8  # width of the hidden layer
    # The hidden layer's activation; the Literal makes the runner reject others.
    activation: Literal["relu", "tanh"] = "relu"
    hidden_sizes: tuple[int, ...] = (8,)  # only parsed, to test tuple fields
    # test hook: Ctrl-C during this 0-based epoch (after its 2nd step); -1: off
    interrupt_at_epoch: Annotated[int, Range("[-1, inf)")] = -1
    # test hook: the loss is NaN at this 0-based global training step; -1: off
    nan_at_step: Annotated[int, Range("[-1, inf)")] = -1
    refuse_after_writing: bool = False  # test hook: write a file, then refuse the data


class _InterruptDuringEpoch(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch
        self._current = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._current == self.epoch and batch == 1:
            raise KeyboardInterrupt


def make_data(seed: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` points x in R^4 with y = x . w + small noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(count, 4)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5], [0.0]], "float32") + 0.1 * rng.normal(size=(count, 1))
    return x, y.astype("float32")


def run(config: Config, run_dir) -> dict:
    """Trains the toy model; returns final losses and how many epochs this call trained."""
    if config.refuse_after_writing:
        (run_dir.path / "notes.txt").write_text("written before the data was read\n")
        raise DataError("toy: refused after writing notes.txt (refuse_after_writing=True)")
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(config.units, activation=config.activation),
        keras.layers.Dense(1),
    ])
    optimizer = keras.optimizers.Adam(config.learning_rate, clipnorm=config.clipnorm)
    loss = "mse"
    if config.nan_at_step >= 0:
        def loss(y_true, y_pred):
            squared_error = keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)
            poisoned = keras.ops.equal(optimizer.iterations, config.nan_at_step)
            return squared_error + keras.ops.where(poisoned, float("nan"), 0.0)
    timer = EpochTimer()
    examples = TextSummaryCallback(lambda epoch: f"| epoch |\n|---|\n| {epoch} |", "examples")
    callbacks = [timer, examples]
    if config.interrupt_at_epoch >= 0:
        callbacks.append(_InterruptDuringEpoch(config.interrupt_at_epoch))
    history = fit_model(
        model, make_data(config.seed, 256), make_data(config.seed + 1, 64),
        config=config, run_dir=run_dir, loss=loss, optimizer=optimizer, callbacks=callbacks,
    )
    metrics = {"epochs_trained": len(history.epoch), **timer.timing_metrics()}
    if history.history:  # empty when a finished run is resumed with nothing left to train
        metrics.update(loss=history.history["loss"][-1], val_loss=history.history["val_loss"][-1])
    return metrics


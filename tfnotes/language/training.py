"""Training pieces: the TF1 tutorial's optimizer and step decay, per-epoch scores, throughput.

The TF1 ``ptb_word_lm`` trains plain SGD on a cost summed over the ``num_steps`` of a
window (averaged over the batch), clips the gradient's global norm to
``max_grad_norm`` and multiplies the step size by ``lr_decay ** max(epoch + 1 -
max_epoch, 0)`` at each (0-based) epoch. Keras' loss here is the mean over every token,
``1 / num_steps`` of that cost; `make_optimizer` with ``cost="window_sum"`` scales the
step size up and the clipping norm down by ``num_steps``, which gives TF1's update
exactly (for SGD; Adam ignores the scale of the gradient, so only the clip changes).
"""

from __future__ import annotations

import math
import time

import keras
import numpy as np

COSTS = ("token_mean", "window_sum")
OPTIMIZERS = ("adam", "sgd")


def epoch_learning_rates(
    learning_rate: float, epochs: int, decay: float = 1.0, decay_after_epochs: int = 0
) -> list[float]:
    """The step size of each (0-based) epoch: ``lr * decay ** max(epoch + 1 - after, 0)``."""
    return [
        learning_rate * decay ** max(epoch + 1 - decay_after_epochs, 0) for epoch in range(epochs)
    ]


def learning_rate_schedule(rates: list[float], steps_per_epoch: int):
    """A float when `rates` is constant, else a `PiecewiseConstantDecay` changing per epoch.

    Keras reads the schedule at ``optimizer.iterations`` (the steps already taken), so
    the first step of epoch ``i`` (``iterations == i * steps_per_epoch``) takes ``rates[i]``.
    """
    if len(set(rates)) <= 1:
        return rates[0]
    boundaries = [epoch * steps_per_epoch - 1 for epoch in range(1, len(rates))]
    return keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, list(rates))


def make_optimizer(
    *,
    optimizer: str,
    learning_rate: float,
    epochs: int,
    steps_per_epoch: int,
    num_steps: int,
    clipnorm: float | None,
    decay: float = 1.0,
    decay_after_epochs: int = 0,
    cost: str = "token_mean",
) -> keras.optimizers.Optimizer:
    """SGD or Adam with global-norm clipping and the TF1 step decay (see the module doc)."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer={optimizer} is not one of {OPTIMIZERS}")
    if cost not in COSTS:
        raise ValueError(f"cost={cost} is not one of {COSTS}")
    scale = num_steps if cost == "window_sum" else 1
    if optimizer == "sgd":
        learning_rate *= scale
    rates = epoch_learning_rates(learning_rate, epochs, decay, decay_after_epochs)
    schedule = learning_rate_schedule(rates, steps_per_epoch)
    clip = None if clipnorm is None else clipnorm / scale
    if optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=schedule, global_clipnorm=clip)
    return keras.optimizers.Adam(learning_rate=schedule, global_clipnorm=clip)


class LanguageScores(keras.callbacks.Callback):
    """Adds ``perplexity`` (words) or ``bits_per_char`` (characters) to each epoch's logs.

    From ``loss`` and ``val_loss`` (nats per token): ``perplexity = exp(loss)``,
    ``bits_per_char = loss / ln 2``; the TensorBoard writer placed after it logs them.
    """

    def __init__(self, level: str):
        super().__init__()
        self.level = level

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for prefix in ("", "val_"):
            loss = logs.get(f"{prefix}loss")
            if loss is not None:
                for key, value in scores(loss, self.level).items():
                    logs[f"{prefix}{key}"] = value


def scores(loss: float, level: str) -> dict:
    """``{"perplexity": e^loss}`` for words, ``{"bits_per_char": loss / ln 2}`` for characters."""
    if level == "char":
        return {"bits_per_char": float(loss) / math.log(2)}
    return {"perplexity": float(math.exp(min(float(loss), 700.0)))}


class TrainingThroughput(keras.callbacks.Callback):
    """Wall-clock seconds of each epoch's training steps (validation left out).

    `tokens_per_second` divides the tokens an epoch trains on by the median of these
    seconds, leaving out the first epoch (tracing, XLA compilation) when there are others.
    """

    def __init__(self, tokens_per_epoch: int):
        super().__init__()
        self.tokens_per_epoch = tokens_per_epoch
        self.seconds: list[float] = []
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_test_begin(self, logs=None):
        self._stop()

    def on_epoch_end(self, epoch, logs=None):
        self._stop()

    def _stop(self):
        if self._start is not None:
            self.seconds.append(time.perf_counter() - self._start)
            self._start = None

    def tokens_per_second(self) -> float | None:
        """Training tokens per second, or None when no epoch ran."""
        if not self.seconds:
            return None
        return self.tokens_per_epoch / float(np.median(self.seconds[1:] or self.seconds))

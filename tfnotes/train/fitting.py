"""`fit_model`: compile and `model.fit` with the run directory's checkpoints and logs."""

from __future__ import annotations

import sys
from typing import Any, Iterable

import keras

from tfnotes.errors import UsageError
from tfnotes.train.callbacks import FlushingTensorBoard, StopOnNonFiniteLoss
from tfnotes.train.replicas import jit_compile_under_strategy
from tfnotes.train.run_directory import RunDirectory
from tfnotes.train.tensorboard_logging import TextSummaryCallback


def fit_model(
    model: keras.Model,
    train_data: Any,
    validation_data: Any,
    *,
    config: Any,
    run_dir: RunDirectory,
    loss: Any,
    metrics: Iterable[Any] | dict = (),
    optimizer: keras.optimizers.Optimizer | None = None,
    callbacks: Iterable[keras.callbacks.Callback] = (),
    loss_weights: Any = None,
) -> keras.callbacks.History:
    """Compiles and trains `model`, checkpointing into `run_dir`, then saves model.keras.

    Args:
        model: a Keras model (built, or buildable by calling it on one batch).
        train_data: a `tf.data.Dataset` of batches, or an ``(x, y)`` tuple of arrays
            (batched with ``config.batch_size`` and shuffled each epoch).
        validation_data: the same kinds, or None.
        config: a `CommonConfig` (reads learning_rate, clipnorm, jit_compile, epochs,
            batch_size).
        run_dir: the `RunDirectory` to write into.
        loss, metrics, loss_weights: as in `keras.Model.compile`.
        optimizer: defaults to ``Adam(config.learning_rate, clipnorm=config.clipnorm)``.
        callbacks: extra callbacks, run before the TensorBoard writer (values they add
            to an epoch's logs are logged); a `TextSummaryCallback` without a run_dir
            gets this one.

    Every epoch ends with a backup in ``run_dir.checkpoint_dir`` (weights, optimizer
    state, epoch number); calling `fit_model` again with the same run directory
    (``resume=``) restores it and continues with the next epoch. The backup is kept
    after a successful run too, so ``resume=RUN_DIR epochs=MORE`` trains further.
    A NaN or infinite loss raises `TrainingDiverged` and leaves the last good backup.
    Event files go to ``run_dir/train`` and ``run_dir/validation``; config.json is
    written too if the run directory has none yet.

    Under ``strategy=`` (the runner calls the experiment inside the strategy's scope,
    see `tfnotes.train.distribute`) `model.fit` splits each global batch of
    ``config.batch_size`` across the replicas and averages the gradients; the
    backup is a plain weights file, so a run resumes under any other strategy. On
    the TensorFlow backend a model that overrides ``train_step`` must scale its
    loss for the replicas itself (`tfnotes.train.replicas.scale_for_replicas` divides
    a per-replica mean by the replicas in sync; ``self.compute_loss`` does it for
    compiled losses) and say so with the class attribute
    ``train_step_reduces_across_replicas = True``; otherwise `fit_model` refuses to
    train it under a strategy rather than take steps N times too large.
    Under a tf.distribute strategy XLA is off (``jit_compile`` is ignored,
    `tfnotes.train.replicas.jit_compile_under_strategy`): Keras 3
    compiles the whole replicated step as one XLA cluster, which cannot reach the
    variables of the other replicas ("Trying to access resource .../replica_1 located
    in device CPU:1 from device CPU:0"). JAX's DataParallel keeps XLA on.
    """
    _check_distribution(model)
    if not run_dir.config_path.exists():  # the runner writes it; a direct run() may not
        run_dir.write_config(config)
    if optimizer is None:
        optimizer = keras.optimizers.Adam(
            learning_rate=config.learning_rate, clipnorm=config.clipnorm
        )
    model.compile(
        optimizer=optimizer,
        loss=loss,
        metrics=metrics if isinstance(metrics, dict) else list(metrics),
        loss_weights=loss_weights,
        jit_compile=jit_compile_under_strategy(config.jit_compile),
    )
    _build_if_needed(model, train_data, config.batch_size)

    callbacks = list(callbacks)
    for callback in callbacks:
        if isinstance(callback, TextSummaryCallback) and callback.run_dir is None:
            callback.run_dir = run_dir
    all_callbacks = [
        # The guard comes first so that a diverged epoch never reaches the backup.
        StopOnNonFiniteLoss(run_dir.checkpoint_dir),
        keras.callbacks.BackupAndRestore(str(run_dir.checkpoint_dir), delete_checkpoint=False),
        # User callbacks before TensorBoard, so the scores they add to an epoch's
        # logs (e.g. val_slot_f1) reach the event files too.
        *callbacks,
        FlushingTensorBoard(log_dir=str(run_dir.path)),
    ]

    if isinstance(train_data, tuple):
        x, y = train_data
        fit_inputs = dict(x=x, y=y, batch_size=config.batch_size, shuffle=True)
    else:
        fit_inputs = dict(x=train_data, shuffle=False)  # a dataset shuffles itself
    if jit_compile_under_strategy(config.jit_compile) and not run_dir.checkpoint_dir.exists():
        print("the first epoch also compiles the training step with XLA: expect it to be slower")
    history = model.fit(
        **fit_inputs,
        validation_data=validation_data,
        epochs=config.epochs,
        callbacks=all_callbacks,
        verbose=1 if sys.stdout.isatty() else 2,
    )
    model.save(run_dir.model_path)
    return history


def _check_distribution(model: keras.Model) -> None:
    """Refuses a model that `model.fit` would train wrongly under a tf.distribute strategy."""
    if keras.backend.backend() != "tensorflow":
        return  # JAX's DataParallel shards global arrays: a custom train_step's means are global
    import tensorflow as tf

    if not tf.distribute.has_strategy():
        return
    strategy = tf.distribute.get_strategy()
    if getattr(model, "_distribute_strategy", None) is not strategy:
        raise ValueError(
            f"model {model.name!r} was created outside the {type(strategy).__name__} scope; "
            "create it inside run() (the runner calls run() in the scope)"
        )
    custom_step = type(model).train_step is not keras.Model.train_step
    if custom_step and not getattr(model, "train_step_reduces_across_replicas", False):
        raise UsageError(
            f"{type(model).__name__} overrides train_step, which is not marked "
            "train_step_reduces_across_replicas = True; scale its loss by "
            "1 / num_replicas_in_sync (see fit_model's docstring) before training it "
            f"under {type(strategy).__name__}"
        )


def _build_if_needed(model: keras.Model, train_data: Any, batch_size: int) -> None:
    # BackupAndRestore restores weights before the first step, so they must exist.
    if model.built:
        return
    if isinstance(train_data, tuple):
        inputs = keras.tree.map_structure(lambda array: array[:batch_size], train_data[0])
    else:
        element = next(iter(train_data.take(1)))
        inputs = element[0] if isinstance(element, tuple) else element
    model(inputs)

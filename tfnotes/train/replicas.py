"""Custom train steps under ``tf.distribute``: loss scaling and random draws per replica.

Under a tf.distribute strategy `keras.Model.fit` runs ``train_step`` once per replica,
each on its share of the global batch, and the optimizer *sums* the replicas'
gradients (Keras 3: ``_all_reduce_sum_gradients`` in
keras/src/backend/tensorflow/optimizer.py). Keras' built-in losses divide their mean
by the number of replicas for that reason (``scale_loss_for_distribution`` in
keras/src/losses/loss.py); a step that computes its own loss does the same with
`scale_for_replicas`, differentiates the scaled loss, and reports the *unscaled*
per-replica mean: Keras averages the replicas' metric results, which for equal
shares is the global batch's mean.

`draw_for_global_batch` makes a step's random numbers (noise, binarisation,
reparameterisation) the ones a one-device run draws: each replica draws for the
whole global batch, from the same seed state, and keeps its own rows.

On JAX, `keras.distribution.DataParallel` runs the step once over the global
(sharded) batch, so there is nothing to scale or cut: both helpers then leave
their input alone, as they do on one device and in cross-replica code (e.g. a
`tf.function` a callback calls inside the strategy's scope).
"""

from __future__ import annotations

from typing import Any, Callable

import keras
from keras import ops

__all__ = [
    "draw_for_global_batch",
    "jit_compile_under_strategy",
    "replica_position",
    "scale_for_replicas",
]


def jit_compile_under_strategy(jit_compile: bool) -> bool:
    """`jit_compile`, but False inside a tf.distribute strategy's scope.

    An XLA-compiled function cannot reach the copies of a mirrored variable that live
    on the other replicas' devices ("Trying to access resource .../replica_1 located in
    device CPU:1 from device CPU:0"), so code that compiles its own functions (decoding,
    estimates, a hand-written training loop) asks here first. JAX keeps XLA on.
    """
    if not jit_compile or keras.backend.backend() != "tensorflow":
        return jit_compile
    import tensorflow as tf

    return not tf.distribute.has_strategy()


def replica_position() -> tuple[int, Any]:
    """``(replicas in sync, this replica's index)`` of the current tf.distribute replica.

    ``(1, 0)`` on one device, in cross-replica context and on backends other than
    TensorFlow. The index may be a tensor (it is one inside a compiled replica step).
    """
    if keras.backend.backend() != "tensorflow":
        return 1, 0
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None:  # cross-replica: one computation that sees every replica's data
        return 1, 0
    return context.num_replicas_in_sync, context.replica_id_in_sync_group


def scale_for_replicas(loss):
    """`loss` / replicas in sync: the loss to differentiate in a custom ``train_step``.

    `loss` is a mean over this replica's share of the batch. Summing the replicas'
    gradients of the scaled losses gives the gradient of the global batch's mean
    (for equal shares), the step ``strategy=none`` takes. Unchanged on one device
    and on JAX.
    """
    replicas, _ = replica_position()
    if replicas == 1:
        return loss
    return ops.multiply(loss, ops.cast(1.0 / replicas, loss.dtype))


def draw_for_global_batch(draw: Callable[[tuple], Any], local_shape) -> Any:
    """``draw(shape)`` for this replica's `local_shape`, cut from a draw for the global batch.

    Every replica calls ``draw`` with the global batch's shape (``local_shape[0]`` times
    the replicas, the same seed state on every replica) and keeps rows
    ``[index * rows, (index + 1) * rows)``, the rows tf.distribute gives it. With a
    global batch that splits evenly, the numbers are the ones a one-device run draws
    for the same rows. ``draw`` must advance its seed once per call (a
    `keras.random.SeedGenerator`), so every replica's seed state moves in step.
    """
    replicas, index = replica_position()
    if replicas == 1:
        return draw(local_shape)
    rows = local_shape[0]
    values = draw((rows * replicas, *local_shape[1:]))
    return values[index * rows : (index + 1) * rows]

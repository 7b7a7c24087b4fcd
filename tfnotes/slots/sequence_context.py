"""Give every time step the whole sequence's summary (slot-gated style)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tfnotes")
class AppendSequenceMean(keras.layers.Layer):
    """`[batch, time, d] -> [batch, time, 2d]`: each step followed by the masked mean of all steps.

    Lets a per-token classifier see what the sentence as a whole is about (the
    intent), as slot-gated models do; padding steps do not count in the mean.
    """

    supports_masking = True

    def call(self, sequence, mask=None):
        if mask is None:
            mean = ops.mean(sequence, axis=1, keepdims=True)
        else:
            weights = ops.cast(mask, sequence.dtype)[..., None]
            mean = ops.sum(sequence * weights, axis=1, keepdims=True) / ops.maximum(
                ops.sum(weights, axis=1, keepdims=True), 1.0
            )
        return ops.concatenate([sequence, ops.broadcast_to(mean, ops.shape(sequence))], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], None if input_shape[-1] is None else 2 * input_shape[-1])

"""The gradient reversal layer of domain-adversarial training (Ganin & Lempitsky, 2015).

Forward it is the identity; backward it multiplies the gradient by ``-strength``. Put
between a feature extractor and a domain classifier, it lets the classifier learn to
tell the domains apart while the extractor, receiving the reversed gradient, learns
features the classifier cannot tell apart. The paper raises the strength from 0 to 1
over training, ``2 / (1 + exp(-gamma * p)) - 1`` at progress ``p`` (`adaptation_strength`),
so the noisy domain signal does not drown the label signal early on;
`GradientReversalSchedule` applies it batch by batch.
"""

import math

import keras
from keras import ops


def adaptation_strength(progress: float, gamma: float = 10.0) -> float:
    """The paper's schedule: ``2 / (1 + exp(-gamma * progress)) - 1``, 0 at the start, ->1."""
    return 2.0 / (1.0 + math.exp(-gamma * progress)) - 1.0


@keras.saving.register_keras_serializable(package="tfnotes")
class GradientReversal(keras.layers.Layer):
    """Identity on the way forward, ``-strength`` times the gradient on the way back.

    Args:
        strength: the starting value of the reversal's scale (lambda in the paper). It
            is a non-trainable weight, so a schedule can change it during training
            without recompiling the step (`GradientReversalSchedule`).

    Backend-neutral: ``stop(x) - strength * (x - stop(x))`` equals ``x`` exactly and
    has the gradient ``-strength``.
    """

    def __init__(self, strength: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.initial_strength = float(strength)

    def build(self, input_shape):
        """Makes the (non-trainable) strength weight."""
        self.strength = self.add_weight(
            shape=(), name="strength", trainable=False,
            initializer=keras.initializers.Constant(self.initial_strength),
        )

    def call(self, inputs):
        """`inputs` unchanged; their gradient reversed and scaled."""
        stopped = ops.stop_gradient(inputs)
        return stopped - ops.cast(self.strength, inputs.dtype) * (inputs - stopped)

    def compute_output_shape(self, input_shape):
        """The input's shape."""
        return input_shape

    def get_config(self):
        """The constructor's arguments (the current strength is saved with the weights)."""
        return {**super().get_config(), "strength": self.initial_strength}


class GradientReversalSchedule(keras.callbacks.Callback):
    """Sets a `GradientReversal` layer's strength before every batch: `adaptation_strength`.

    Args:
        layer: the built reversal layer.
        total_steps: training steps over which the progress goes from 0 to 1.
        gamma: the schedule's steepness (10 in the paper).
        maximum: the strength the schedule rises to (1 in the paper).
    """

    def __init__(self, layer: GradientReversal, total_steps: int, gamma: float = 10.0,
                 maximum: float = 1.0):
        super().__init__()
        self.layer, self.total_steps, self.gamma = layer, max(int(total_steps), 1), gamma
        self.maximum = maximum
        self.step = 0

    def on_train_begin(self, logs=None):
        # A resumed run continues the schedule where its optimizer stopped.
        self.step = int(ops.convert_to_numpy(self.model.optimizer.iterations))

    def on_train_batch_begin(self, batch, logs=None):
        progress = min(self.step / self.total_steps, 1.0)
        self.layer.strength.assign(self.maximum * adaptation_strength(progress, self.gamma))
        self.step += 1

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["reversal_strength"] = float(ops.convert_to_numpy(self.layer.strength))

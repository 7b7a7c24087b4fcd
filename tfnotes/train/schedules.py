"""Step-size schedules shared by the experiments."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tfnotes")
class LinearDecayToZero(keras.optimizers.schedules.LearningRateSchedule):
    """`initial` for `hold_steps` steps, then a straight line down to 0 at `total_steps`.

    With ``hold_steps=0`` it is SNGAN's linear decay; with half the run held, the
    schedule pix2pix and CycleGAN train with (constant for n epochs, then linearly
    to zero over n more).

    Args:
        initial: the step size at the start.
        total_steps: the step at which it reaches 0 (and stays).
        hold_steps: steps at `initial` before the decay starts.
    """

    def __init__(self, initial, total_steps, hold_steps=0):
        if not 0 <= hold_steps <= total_steps:
            raise ValueError(f"hold_steps={hold_steps!r} must be in [0, total_steps={total_steps}]")
        self.initial, self.total_steps, self.hold_steps = (
            float(initial),
            int(total_steps),
            int(hold_steps),
        )

    def __call__(self, step):
        decay_steps = max(self.total_steps - self.hold_steps, 1)
        progress = (ops.cast(step, "float32") - self.hold_steps) / decay_steps
        return self.initial * (1.0 - ops.clip(progress, 0.0, 1.0))

    def get_config(self):
        """The constructor's arguments."""
        return {
            "initial": self.initial,
            "total_steps": self.total_steps,
            "hold_steps": self.hold_steps,
        }

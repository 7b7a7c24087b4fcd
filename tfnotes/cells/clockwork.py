"""`ClockworkRNNCell`: the Clockwork RNN of Koutnik et al. (2014)."""

import keras
import numpy as np
from keras import ops

from tfnotes.cells.base import SimpleRecurrentCellBase


@keras.saving.register_keras_serializable(package="tfnotes")
class ClockworkRNNCell(SimpleRecurrentCellBase):
    """Clockwork RNN: hidden units in groups that tick at different periods.

    `num_units` is split into `len(periods)` equal groups; group i has period
    `periods[i]`. At step t (counted from 0 in the state) group i updates,
    `h_i' = act(x @ kernel_i + h @ recurrent_kernel_i + bias_i)`, only when
    `t mod periods[i] == 0`, and otherwise keeps its value. The recurrent
    kernel is masked so a group only receives from groups at least as slow as
    itself: slower groups feed faster ones, not the reverse.

    The state is `(h, step)`: `h` `[batch, num_units]` and the step counter
    `[batch, 1]` (a float holding an integer; exact up to 2**24 steps in float32).

    Args:
        num_units: number of hidden units, a multiple of `len(periods)`.
        periods: period of each group (positive ints).
        activation: activation, default `tanh`.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
    """

    tf1_scope_name = "clockwork_rnn_cell"

    def __init__(
        self,
        num_units,
        periods=(1, 2, 4, 8),
        activation="tanh",
        kernel_initializer="glorot_uniform",
        recurrent_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(
            num_units,
            activation=activation,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            **kwargs,
        )
        self.periods = tuple(int(p) for p in periods)
        if not self.periods or min(self.periods) < 1:
            raise ValueError(f"periods must be positive integers, received {periods}.")
        if self.num_units % len(self.periods):
            raise ValueError(
                f"num_units ({self.num_units}) must be a multiple of len(periods) "
                f"({len(self.periods)})."
            )

    @property
    def group_size(self):
        """Number of units per group."""
        return self.num_units // len(self.periods)

    def unit_periods(self):
        """Period of each hidden unit, a float32 numpy array `[num_units]`."""
        return np.repeat(np.array(self.periods, "float32"), self.group_size)

    def recurrent_mask(self):
        """`[num_units, num_units]` 0/1 mask: row = source unit, column = target.

        A source feeds a target when its period is at least the target's.
        """
        unit_periods = self.unit_periods()
        return (unit_periods[:, None] >= unit_periods[None, :]).astype("float32")

    def flat_state_sizes(self):
        return [self.num_units, 1]

    @property
    def output_size(self):
        return self.num_units

    def state_dropout_filter(self):
        return [True, False]

    def build(self, input_shape):
        self.build_hidden_kernels(input_shape[-1], self.num_units)
        self.bias = self.add_weight(
            name="bias", shape=(self.num_units,), initializer=self.bias_initializer
        )

    def step(self, inputs, states, training=None):
        hidden, step = states
        dtype = hidden.dtype
        recurrent = self.recurrent_kernel * ops.cast(self.recurrent_mask(), dtype)
        candidate = self.hidden_layer(inputs, hidden, recurrent)
        periods = ops.cast(self.unit_periods(), dtype)
        active = ops.equal(ops.mod(step, periods), 0)
        new_hidden = ops.where(active, candidate, hidden)
        return new_hidden, [new_hidden, step + 1]

    def get_config(self):
        return {**super().get_config(), "periods": list(self.periods)}

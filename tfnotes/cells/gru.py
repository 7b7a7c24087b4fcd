"""`GRUCell`: TF1's gated recurrent unit (Cho et al. 2014)."""

import keras
from keras import ops

from tfnotes.cells.base import (
    RNNCellBase,
    concat_matmul,
    get_initializer,
    optional_initializer,
    serialize_initializer,
)


@keras.saving.register_keras_serializable(package="tfnotes")
class GRUCell(RNNCellBase):
    """Gated recurrent unit with TF1's weight layout.

    `[r, u] = sigmoid([x, h] @ gates_kernel + gates_bias)`,
    `c = act([x, r * h] @ candidate_kernel + candidate_bias)`,
    `h' = u * h + (1 - u) * c`.

    Weights (TF1 names in brackets; Keras 3 forbids `/` in weight names):
    `gates_kernel` [`gates/kernel`] `[input_depth + num_units, 2 * num_units]`,
    `gates_bias` [`gates/bias`] initialised to 1.0, `candidate_kernel`
    [`candidate/kernel`] `[input_depth + num_units, num_units]`,
    `candidate_bias` [`candidate/bias`] initialised to zeros.

    Args:
        num_units: size of the state and the output.
        activation: candidate activation, default `tanh`.
        kernel_initializer: initializer of both kernels, default glorot uniform.
        bias_initializer: initializer of both biases; default 1.0 for the gates
            and 0.0 for the candidate, as in TF1.
    """

    tf1_scope_name = "gru_cell"

    def __init__(
        self,
        num_units,
        activation=None,
        kernel_initializer=None,
        bias_initializer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_units = int(num_units)
        self.activation = keras.activations.get(activation or "tanh")
        self.kernel_initializer = optional_initializer(kernel_initializer)
        self.bias_initializer = optional_initializer(bias_initializer)

    @property
    def output_size(self):
        return self.num_units

    def build(self, input_shape):
        rows = input_shape[-1] + self.num_units
        kernel_init = get_initializer(self.kernel_initializer, "glorot_uniform")
        self.gates_kernel = self.add_weight(
            name="gates_kernel", shape=(rows, 2 * self.num_units), initializer=kernel_init
        )
        self.gates_bias = self.add_weight(
            name="gates_bias",
            shape=(2 * self.num_units,),
            initializer=get_initializer(self.bias_initializer, keras.initializers.Constant(1.0)),
        )
        self.candidate_kernel = self.add_weight(
            name="candidate_kernel", shape=(rows, self.num_units), initializer=kernel_init
        )
        self.candidate_bias = self.add_weight(
            name="candidate_bias",
            shape=(self.num_units,),
            initializer=get_initializer(self.bias_initializer, "zeros"),
        )

    def step(self, inputs, states, training=None):
        state = states[0]
        return self.apply_gates(
            concat_matmul(inputs, state, self.gates_kernel) + self.gates_bias,
            state,
            lambda reset_state: (
                concat_matmul(inputs, reset_state, self.candidate_kernel) + self.candidate_bias
            ),
        )

    def apply_gates(self, gate_inputs, state, candidate_inputs):
        """The GRU update from pre-activation gates: `(output, [new_state])`.

        `gate_inputs` is `[x, h] @ gates_kernel + gates_bias` (however it was
        computed); `candidate_inputs(r * h)` returns the candidate's
        pre-activation `[x, r * h] @ candidate_kernel + candidate_bias`.
        Shared by `step` and `FusedRNN`, which hoists the x rows out of the loop.
        """
        reset, update = ops.split(ops.sigmoid(gate_inputs), 2, axis=-1)
        candidate = self.activation(candidate_inputs(reset * state))
        new_state = update * state + (1 - update) * candidate
        return new_state, [new_state]

    def tf1_weights(self):
        return {
            "gates/kernel": self.gates_kernel,
            "gates/bias": self.gates_bias,
            "candidate/kernel": self.candidate_kernel,
            "candidate/bias": self.candidate_bias,
        }

    def tf1_input_depth(self, shape_of, scope):
        return shape_of(f"{scope}/gates/kernel")[0] - self.num_units

    def get_config(self):
        return {
            **super().get_config(),
            "num_units": self.num_units,
            "activation": keras.activations.serialize(self.activation),
            "kernel_initializer": serialize_initializer(self.kernel_initializer),
            "bias_initializer": serialize_initializer(self.bias_initializer),
        }

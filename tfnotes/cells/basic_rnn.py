"""`BasicRNNCell`: TF1's most basic RNN cell, `h' = act([x, h] @ kernel + bias)`."""

import keras

from tfnotes.cells.base import RNNCellBase, concat_matmul


@keras.saving.register_keras_serializable(package="tfnotes")
class BasicRNNCell(RNNCellBase):
    """The most basic RNN cell: `output = new_state = act([x, h] @ kernel + bias)`.

    Weights as in TF1: `kernel` `[input_depth + num_units, num_units]`
    (glorot uniform), `bias` `[num_units]` (zeros).

    Args:
        num_units: size of the state and the output.
        activation: activation, default `tanh`.
    """

    tf1_scope_name = "basic_rnn_cell"

    def __init__(self, num_units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.num_units = int(num_units)
        self.activation = keras.activations.get(activation or "tanh")

    @property
    def output_size(self):
        return self.num_units

    def build(self, input_shape):
        input_depth = input_shape[-1]
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_depth + self.num_units, self.num_units),
            initializer="glorot_uniform",
        )
        self.bias = self.add_weight(name="bias", shape=(self.num_units,), initializer="zeros")

    def step(self, inputs, states, training=None):
        output = self.activation(concat_matmul(inputs, states[0], self.kernel) + self.bias)
        return output, [output]

    def tf1_weights(self):
        return {"kernel": self.kernel, "bias": self.bias}

    def tf1_input_depth(self, shape_of, scope):
        return shape_of(f"{scope}/kernel")[0] - self.num_units

    def get_config(self):
        return {
            **super().get_config(),
            "num_units": self.num_units,
            "activation": keras.activations.serialize(self.activation),
        }

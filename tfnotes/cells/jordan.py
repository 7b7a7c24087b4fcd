"""`JordanCell`: the Jordan simple recurrent network (feeds back its output)."""

import keras
from keras import ops

from tfnotes.cells.base import SimpleRecurrentCellBase


@keras.saving.register_keras_serializable(package="tfnotes")
class JordanCell(SimpleRecurrentCellBase):
    """Jordan network: the output layer, not the hidden layer, is fed back.

    `hidden = act(x @ kernel + y @ recurrent_kernel + bias)`,
    `y' = output_activation(hidden @ output_kernel + output_bias)`; the output
    and the state are `y'` (`output_units` wide).

    Args:
        num_units: number of hidden units.
        output_units: size of the output layer; defaults to `num_units`.
        activation: hidden activation, default `tanh`.
        output_activation: output activation, default linear.
        use_bias: whether the hidden and output layers have biases.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers
            (`kernel_initializer` also initialises `output_kernel`).
    """

    tf1_scope_name = "jordan_cell"

    def __init__(
        self,
        num_units,
        output_units=None,
        activation="tanh",
        output_activation=None,
        use_bias=True,
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
        self.output_units = self.num_units if output_units is None else int(output_units)
        self.output_activation = keras.activations.get(output_activation)
        self.use_bias = bool(use_bias)

    @property
    def output_size(self):
        return self.output_units

    def build(self, input_shape):
        self.build_hidden_kernels(input_shape[-1], self.output_units)
        self.output_kernel = self.add_weight(
            name="output_kernel",
            shape=(self.num_units, self.output_units),
            initializer=self.kernel_initializer,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.num_units,), initializer=self.bias_initializer
            )
            self.output_bias = self.add_weight(
                name="output_bias", shape=(self.output_units,), initializer=self.bias_initializer
            )
        else:
            self.bias = self.output_bias = None

    def step(self, inputs, states, training=None):
        hidden = self.hidden_layer(inputs, states[0])
        y = ops.matmul(hidden, self.output_kernel)
        if self.output_bias is not None:
            y = y + self.output_bias
        output = self.output_activation(y)
        return output, [output]

    def tf1_weights(self):
        weights = {
            "kernel": self.kernel,
            "recurrent_kernel": self.recurrent_kernel,
            "output_kernel": self.output_kernel,
        }
        if self.use_bias:
            weights.update(bias=self.bias, output_bias=self.output_bias)
        return weights

    def get_config(self):
        return {
            **super().get_config(),
            "output_units": self.output_units,
            "output_activation": keras.activations.serialize(self.output_activation),
            "use_bias": self.use_bias,
        }

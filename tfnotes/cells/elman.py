"""`ElmanCell`: the Elman simple recurrent network (stores its hidden layer)."""

import keras

from tfnotes.cells.base import SimpleRecurrentCellBase


@keras.saving.register_keras_serializable(package="tfnotes")
class ElmanCell(SimpleRecurrentCellBase):
    """Elman network: the hidden layer is copied to context units and fed back.

    `h' = act(x @ kernel + h @ recurrent_kernel + bias)`; the output and the
    state are `h'`. Put a `Dense` after the RNN for the output layer.

    Args:
        num_units: number of hidden (and context) units.
        activation: hidden activation, default `tanh`.
        use_bias: whether the hidden layer has a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
    """

    tf1_scope_name = "elman_cell"

    def __init__(
        self,
        num_units,
        activation="tanh",
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
        self.use_bias = bool(use_bias)

    @property
    def output_size(self):
        return self.num_units

    def build(self, input_shape):
        self.build_hidden_kernels(input_shape[-1], self.num_units)
        self.bias = (
            self.add_weight(name="bias", shape=(self.num_units,), initializer=self.bias_initializer)
            if self.use_bias
            else None
        )

    def step(self, inputs, states, training=None):
        hidden = self.hidden_layer(inputs, states[0])
        return hidden, [hidden]

    def get_config(self):
        return {**super().get_config(), "use_bias": self.use_bias}

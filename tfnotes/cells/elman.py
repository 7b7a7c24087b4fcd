"""`ElmanCell`: the Elman simple recurrent network (stores its hidden layer)."""

import keras
from keras import ops

from tfnotes.cells.base import RNNCellBase


@keras.saving.register_keras_serializable(package="tfnotes")
class ElmanCell(RNNCellBase):
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
        super().__init__(**kwargs)
        self.num_units = int(num_units)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def flat_state_sizes(self):
        return [self.num_units]

    @property
    def output_size(self):
        return self.num_units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], self.num_units),
            initializer=self.kernel_initializer,
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(self.num_units, self.num_units),
            initializer=self.recurrent_initializer,
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.num_units,), initializer=self.bias_initializer)
            if self.use_bias
            else None
        )

    def step(self, inputs, states, training=None):
        z = ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        hidden = self.activation(z)
        return hidden, [hidden]

    def tf1_weights(self):
        weights = {"kernel": self.kernel, "recurrent_kernel": self.recurrent_kernel}
        if self.bias is not None:
            weights["bias"] = self.bias
        return weights

    def tf1_input_depth(self, shape_of, scope):
        return shape_of(f"{scope}/kernel")[0]

    def get_config(self):
        return {
            **super().get_config(),
            "num_units": self.num_units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }

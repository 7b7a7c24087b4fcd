"""The base class every `tfnotes.cells` cell derives from.

A cell keeps its state in two forms:

* the *flat* form, a list of 2-D tensors `[batch, size]` whose sizes are
  `flat_state_sizes()`. This is what `keras.layers.RNN` sees (`state_size`,
  `get_initial_state`) and what it feeds back to `call` at each step;
* the *TF1* form, the structure `tf.nn.rnn_cell` used: a tensor, an
  `LSTMStateTuple`, or a tuple of child states (`zero_state`, `dynamic_rnn`).

Both forms hold the same tensors in the same order, except that a cell may
append private slots to the flat form that TF1 kept elsewhere (the variational
dropout masks of `DropoutWrapper`). `pack_state` turns flat into TF1 (dropping
those slots) and `unpack_state` turns TF1 into flat (adding them, zeroed).

`call(inputs, states)` accepts either form and answers in the form it was given.
"""

import keras
from keras import ops, tree


class RNNCellBase(keras.layers.Layer):
    """Shared machinery: state sizes, `zero_state`, `get_initial_state`, the
    flat/TF1 state conversion and the TF1 checkpoint variable names.

    Subclasses implement `output_size`, `build`, `step`, `tf1_weights` and
    `tf1_input_depth`, and `flat_state_sizes` unless their state is one tensor
    equal to the output; they override `pack_state`, `unpack_state` and
    `state_dropout_filter` when their TF1 state is not a single tensor.
    """

    # Name of the variable scope TF1 gave this cell class by default.
    tf1_scope_name = None

    # ----- state description -------------------------------------------------
    def flat_state_sizes(self):
        """Sizes of the flat state tensors, a list of ints.

        Default: one tensor, the size of the output (cells whose new state is
        their output, such as `BasicRNNCell` and `GRUCell`).
        """
        return [self.output_size]

    @property
    def state_size(self):
        """Keras' `state_size`: an int for a one-tensor state, else a list."""
        sizes = self.flat_state_sizes()
        return sizes[0] if len(sizes) == 1 else list(sizes)

    @property
    def output_size(self):
        """Size of the output at each step."""
        raise NotImplementedError

    def state_dropout_filter(self):
        """One bool per flat state tensor: may `DropoutWrapper` drop it?"""
        return [True] * len(self.flat_state_sizes())

    def pack_state(self, flat_states):
        """Flat list of tensors -> TF1 state structure."""
        flat_states = list(flat_states)
        return flat_states[0] if len(flat_states) == 1 else tuple(flat_states)

    def unpack_state(self, state):
        """TF1 state structure -> flat list of tensors."""
        return tree.flatten(state) if tree.is_nested(state) else [state]

    # ----- initial states ----------------------------------------------------
    def get_initial_state(self, batch_size=None):
        """Zero flat state, as `keras.layers.RNN` expects it (a list)."""
        return [
            ops.zeros((batch_size, size), dtype=self.compute_dtype)
            for size in self.flat_state_sizes()
        ]

    def zero_state(self, batch_size, dtype):
        """Zero state in the TF1 structure (e.g. an `LSTMStateTuple`)."""
        dtype = getattr(dtype, "name", dtype)
        return self.pack_state(
            [ops.zeros((batch_size, size), dtype=dtype) for size in self.flat_state_sizes()]
        )

    # ----- stepping ----------------------------------------------------------
    def call(self, inputs, states, training=None):
        """One time step: `(inputs, states) -> (output, new_states)`.

        `states` may be the flat list `keras.layers.RNN` passes or the TF1
        structure; the new states come back in the same form.
        """
        flat, restore = self._to_flat(states)
        output, new_flat = self.step(inputs, flat, training=training)
        return output, restore(list(new_flat))

    def step(self, inputs, states, training=None):
        """The cell's math on flat states: returns `(output, new_flat_states)`."""
        raise NotImplementedError

    def _to_flat(self, states):
        """Flat list of `states` and a function that restores the caller's form."""
        count = len(self.flat_state_sizes())
        if not tree.is_nested(states):
            if count == 1:
                return [states], lambda new: new[0]
            return self.unpack_state(states), self.pack_state
        leaves = tree.flatten(states)
        if len(leaves) == count:
            return leaves, lambda new: tree.pack_sequence_as(states, new)
        return self.unpack_state(states), self.pack_state

    # ----- TF1 checkpoints ---------------------------------------------------
    def tf1_weights(self):
        """`{TF1 name relative to the cell scope: keras variable}`."""
        raise NotImplementedError

    def tf1_variables(self, scope):
        """`{full TF1 variable name: keras variable}` for a cell at `scope`."""
        return {f"{scope}/{name}": variable for name, variable in self.tf1_weights().items()}

    def tf1_input_depth(self, shape_of, scope):
        """Input depth read from checkpoint shapes (`shape_of(name) -> list`)."""
        raise NotImplementedError


def optional_initializer(identifier):
    """A keras initializer from `identifier`, or None when it is None."""
    return None if identifier is None else keras.initializers.get(identifier)


def serialize_initializer(initializer):
    """Config value of an optional initializer (None stays None)."""
    return None if initializer is None else keras.initializers.serialize(initializer)


def get_initializer(identifier, default):
    """A keras initializer from `identifier`, or `default` when it is None."""
    return keras.initializers.get(default if identifier is None else identifier)


def concat_matmul(inputs, state, kernel):
    """`concat([inputs, state], -1) @ kernel`, TF1's kernel layout."""
    return ops.matmul(ops.concatenate([inputs, state], axis=-1), kernel)


class SimpleRecurrentCellBase(RNNCellBase):
    """Shared parts of the simple recurrent networks (Elman, Jordan, Clockwork).

    Their hidden layer is `act(x @ kernel + feedback @ recurrent_kernel [+ bias])`
    with weights `kernel` `[input_depth, num_units]` and `recurrent_kernel`
    `[feedback_size, num_units]`, configured by `activation`,
    `kernel_initializer`, `recurrent_initializer` and `bias_initializer`.
    Subclasses set `self.bias` (None when there is none) in `build` after
    calling `build_hidden_kernels`, and add their own config keys.
    """

    def __init__(
        self,
        num_units,
        activation="tanh",
        kernel_initializer="glorot_uniform",
        recurrent_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_units = int(num_units)
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build_hidden_kernels(self, input_depth, feedback_size):
        """Creates `kernel` and `recurrent_kernel` (in that order)."""
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_depth, self.num_units),
            initializer=self.kernel_initializer,
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(feedback_size, self.num_units),
            initializer=self.recurrent_initializer,
        )

    def hidden_layer(self, inputs, feedback, recurrent_kernel=None):
        """`act(inputs @ kernel + feedback @ recurrent_kernel [+ bias])`.

        `recurrent_kernel` defaults to `self.recurrent_kernel`.
        """
        if recurrent_kernel is None:
            recurrent_kernel = self.recurrent_kernel
        z = ops.matmul(inputs, self.kernel) + ops.matmul(feedback, recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        return self.activation(z)

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
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }

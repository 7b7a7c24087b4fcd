"""`LSTMCell`: TF1's LSTM with peepholes, cell clipping and a projection."""

import keras
from keras import ops

from tfnotes.cells.base import (
    RNNCellBase,
    concat_matmul,
    get_initializer,
    optional_initializer,
    serialize_initializer,
)
from tfnotes.cells.state import LSTMStateTuple


@keras.saving.register_keras_serializable(package="tfnotes")
class LSTMCell(RNNCellBase):
    """Long short-term memory cell, exactly as TF1's `tf.nn.rnn_cell.LSTMCell`.

    `[i, j, f, o] = [x, h] @ kernel + bias` (gate order i, j, f, o), then
    `c' = sigmoid(f + forget_bias [+ w_f_diag * c]) * c
          + sigmoid(i [+ w_i_diag * c]) * act(j)`, clipped to `cell_clip`;
    `h' = sigmoid(o [+ w_o_diag * c']) * act(c')` (the peephole of the output
    gate sees the new `c'`), then `h' = h' @ projection_kernel` (no bias),
    clipped to `proj_clip`.

    Weights (TF1 names in brackets): `kernel` `[input_depth + h_depth,
    4 * num_units]` where `h_depth` is `num_proj` or `num_units`; `bias`
    `[4 * num_units]` (zeros; `forget_bias` is added at run time);
    `w_f_diag`, `w_i_diag`, `w_o_diag` `[num_units]` with peepholes;
    `projection_kernel` [`projection/kernel`] `[num_units, num_proj]`.

    The state is `LSTMStateTuple(c, h)` with `c: num_units`, `h: num_proj or
    num_units`; with `state_is_tuple=False` it is the concatenation `[c, h]`.

    Args:
        num_units: number of units (size of `c`).
        use_peepholes: add the diagonal peephole connections.
        cell_clip: clip `c` to `[-cell_clip, cell_clip]` (None: no clipping).
        initializer: initializer of the kernel, peepholes and projection;
            default glorot uniform (TF1's variable-scope default).
        num_proj: size of the output projection (None: no projection).
        proj_clip: clip the projected output to `[-proj_clip, proj_clip]`.
        forget_bias: added to the forget gate before the sigmoid.
        state_is_tuple: state as `LSTMStateTuple` (True) or one tensor.
        activation: activation of `j` and `c`, default `tanh`.
    """

    tf1_scope_name = "lstm_cell"

    def __init__(
        self,
        num_units,
        use_peepholes=False,
        cell_clip=None,
        initializer=None,
        num_proj=None,
        proj_clip=None,
        forget_bias=1.0,
        state_is_tuple=True,
        activation=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_units = int(num_units)
        self.use_peepholes = bool(use_peepholes)
        self.cell_clip = None if cell_clip is None else float(cell_clip)
        self.initializer = optional_initializer(initializer)
        self.num_proj = None if num_proj is None else int(num_proj)
        self.proj_clip = None if proj_clip is None else float(proj_clip)
        self.forget_bias = float(forget_bias)
        self.state_is_tuple = bool(state_is_tuple)
        self.activation = keras.activations.get(activation or "tanh")

    @property
    def h_depth(self):
        """Size of `h`: `num_proj` when there is a projection, else `num_units`."""
        return self.num_units if self.num_proj is None else self.num_proj

    def flat_state_sizes(self):
        if self.state_is_tuple:
            return [self.num_units, self.h_depth]
        return [self.num_units + self.h_depth]

    @property
    def output_size(self):
        return self.h_depth

    def state_dropout_filter(self):
        # TF1's default filter spares the memory `c` of an LSTMStateTuple only.
        return [False, True] if self.state_is_tuple else [True]

    def pack_state(self, flat_states):
        if self.state_is_tuple:
            return LSTMStateTuple(*flat_states)
        return flat_states[0]

    def build(self, input_shape):
        init = get_initializer(self.initializer, "glorot_uniform")
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[-1] + self.h_depth, 4 * self.num_units),
            initializer=init,
        )
        self.bias = self.add_weight(name="bias", shape=(4 * self.num_units,), initializer="zeros")
        if self.use_peepholes:
            diag = dict(shape=(self.num_units,), initializer=init)
            self.w_f_diag = self.add_weight(name="w_f_diag", **diag)
            self.w_i_diag = self.add_weight(name="w_i_diag", **diag)
            self.w_o_diag = self.add_weight(name="w_o_diag", **diag)
        if self.num_proj is not None:
            self.projection_kernel = self.add_weight(
                name="projection_kernel", shape=(self.num_units, self.num_proj), initializer=init
            )

    def split_state(self, states):
        """`(c, h)` from the flat states (an `LSTMStateTuple`'s two tensors or `[c, h]`)."""
        if self.state_is_tuple:
            c_prev, h_prev = states
            return c_prev, h_prev
        return states[0][:, : self.num_units], states[0][:, self.num_units:]

    def step(self, inputs, states, training=None):
        c_prev, h_prev = self.split_state(states)
        gates = concat_matmul(inputs, h_prev, self.kernel) + self.bias
        return self.apply_gates(gates, c_prev)

    def apply_gates(self, gates, c_prev):
        """The LSTM update from pre-activation gates: `(h, new_flat_states)`.

        `gates` is `[x, h] @ kernel + bias` (gate order i, j, f, o; however it
        was computed), `c_prev` the previous memory. Applies `forget_bias`,
        the peepholes, `cell_clip`, the projection and `proj_clip`. Shared by
        `step` and `FusedRNN`, which hoists the x rows out of the loop.
        """
        i, j, f, o = ops.split(gates, 4, axis=-1)
        if self.use_peepholes:
            c = ops.sigmoid(f + self.forget_bias + self.w_f_diag * c_prev) * c_prev + ops.sigmoid(
                i + self.w_i_diag * c_prev
            ) * self.activation(j)
        else:
            c = ops.sigmoid(f + self.forget_bias) * c_prev + ops.sigmoid(i) * self.activation(j)
        if self.cell_clip is not None:
            c = ops.clip(c, -self.cell_clip, self.cell_clip)
        if self.use_peepholes:
            h = ops.sigmoid(o + self.w_o_diag * c) * self.activation(c)
        else:
            h = ops.sigmoid(o) * self.activation(c)
        if self.num_proj is not None:
            h = ops.matmul(h, self.projection_kernel)
            if self.proj_clip is not None:
                h = ops.clip(h, -self.proj_clip, self.proj_clip)
        return h, self.join_state(c, h)

    def join_state(self, c, h):
        """Flat states from `c` and `h`: `[c, h]`, or `[concat([c, h])]`."""
        return [c, h] if self.state_is_tuple else [ops.concatenate([c, h], axis=-1)]

    def tf1_weights(self):
        weights = {"kernel": self.kernel, "bias": self.bias}
        if self.use_peepholes:
            weights.update(w_f_diag=self.w_f_diag, w_i_diag=self.w_i_diag, w_o_diag=self.w_o_diag)
        if self.num_proj is not None:
            weights["projection/kernel"] = self.projection_kernel
        return weights

    def tf1_input_depth(self, shape_of, scope):
        return shape_of(f"{scope}/kernel")[0] - self.h_depth

    def get_config(self):
        return {
            **super().get_config(),
            "num_units": self.num_units,
            "use_peepholes": self.use_peepholes,
            "cell_clip": self.cell_clip,
            "initializer": serialize_initializer(self.initializer),
            "num_proj": self.num_proj,
            "proj_clip": self.proj_clip,
            "forget_bias": self.forget_bias,
            "state_is_tuple": self.state_is_tuple,
            "activation": keras.activations.serialize(self.activation),
        }

"""`FusedRNN`: `keras.layers.RNN` with the input projection hoisted out of the loop.

A TF1 cell multiplies `concat([x_t, h]) @ kernel` at every step. The kernel's
first `input_depth` rows only ever meet `x_t`, so `x @ kernel[:input_depth]`
for all time steps is one large matrix product computed before the loop; the
loop keeps `h @ kernel[input_depth:]` and the gate arithmetic (which XLA fuses).
The weights are the wrapped cell's own variables, sliced at run time, so a TF1
checkpoint loaded with `load_tf1_checkpoint` and a `.keras` file work unchanged.
"""

import keras
from keras import ops

from tfnotes.cells.basic_rnn import BasicRNNCell
from tfnotes.cells.gru import GRUCell
from tfnotes.cells.lstm import LSTMCell  # BasicLSTMCell is a subclass
from tfnotes.keras_version import missing_private_keras

try:  # the backend loop `keras.layers.RNN` itself runs (masks, go_backwards, unroll)
    from keras.src.backend import rnn as _backend_rnn
except ImportError as error:  # private: moved or renamed by a Keras outside the tested range
    raise missing_private_keras("keras.src.backend.rnn", "tfnotes.cells.fused") from error

SUPPORTED_CELLS = (LSTMCell, GRUCell, BasicRNNCell)


def _swap_batch_time(x):
    return ops.transpose(x, (1, 0) + tuple(range(2, len(x.shape))))


def _split_kernel(cell, input_depth):
    """`(project, recurrent_kernel)` for a cell computing `[x, h] @ kernel + bias`."""
    input_kernel = cell.kernel[:input_depth]

    def project(x):
        return ops.matmul(x, input_kernel) + cell.bias

    return project, cell.kernel[input_depth:]


def _lstm_program(cell, input_depth):
    """`(project, step)` for `LSTMCell` and `BasicLSTMCell` (all options)."""
    project, recurrent_kernel = _split_kernel(cell, input_depth)

    def step(projected, states):
        c_prev, h_prev = cell.split_state(states)
        return cell.apply_gates(projected + ops.matmul(h_prev, recurrent_kernel), c_prev)

    return project, step


def _gru_program(cell, input_depth):
    """`(project, step)` for `GRUCell`: both matrix products have their x rows hoisted.

    The candidate reads `r * h`, so its h rows stay a second product in the loop.
    """
    units = cell.num_units
    input_kernel = ops.concatenate(
        [cell.gates_kernel[:input_depth], cell.candidate_kernel[:input_depth]], axis=-1
    )
    input_bias = ops.concatenate([cell.gates_bias, cell.candidate_bias], axis=-1)
    gates_recurrent = cell.gates_kernel[input_depth:]
    candidate_recurrent = cell.candidate_kernel[input_depth:]

    def project(x):
        return ops.matmul(x, input_kernel) + input_bias

    def step(projected, states):
        state = states[0]
        x_gates, x_candidate = projected[:, : 2 * units], projected[:, 2 * units:]
        return cell.apply_gates(
            x_gates + ops.matmul(state, gates_recurrent),
            state,
            lambda reset_state: x_candidate + ops.matmul(reset_state, candidate_recurrent),
        )

    return project, step


def _basic_rnn_program(cell, input_depth):
    """`(project, step)` for `BasicRNNCell`."""
    project, recurrent_kernel = _split_kernel(cell, input_depth)

    def step(projected, states):
        output = cell.activation(projected + ops.matmul(states[0], recurrent_kernel))
        return output, [output]

    return project, step


def _lstm_sequence(projected, recurrent_kernel, c0, h0, forget_bias, unroll):
    """Runs the plain LSTM recurrence over time-major `projected` with a hand-written gradient.

    Returns `[time, batch, 2 * units]`: `h` then `c` at every step. Autodiff of
    the loop would accumulate `h_prev^T @ d_gates` into the recurrent kernel's
    gradient inside the backward loop, one thin product per step; here the
    backward loop computes only `d_gates` and `d_h_prev = d_gates @ W_h^T`, and
    the kernel gradient is one large product over all steps after it.
    """
    units = c0.shape[-1]

    @ops.custom_gradient
    def run(projected, recurrent_kernel, c0, h0):
        def step(projected_t, states):
            c_prev, h_prev = states
            gates = projected_t + ops.matmul(h_prev, recurrent_kernel)
            i, j, f, o = ops.split(gates, 4, axis=-1)
            i, j, f, o = ops.sigmoid(i), ops.tanh(j), ops.sigmoid(f + forget_bias), ops.sigmoid(o)
            c = f * c_prev + i * j
            h = o * ops.tanh(c)
            return ops.concatenate([h, c, i, j, f, o], axis=-1), [c, h]

        _, saved, _ = _backend_rnn(
            step, projected, [c0, h0], unroll=unroll, input_length=projected.shape[0],
            time_major=True,
        )
        h_seq, c_seq = saved[..., :units], saved[..., units:2 * units]
        activations = saved[..., 2 * units:]

        def grad(upstream):
            recurrent_transposed = ops.transpose(recurrent_kernel)
            c_prev_seq = ops.concatenate([c0[None], c_seq[:-1]], axis=0)
            h_prev_seq = ops.concatenate([h0[None], h_seq[:-1]], axis=0)

            def back(inputs_t, states):
                d_out_t, c_prev, c, activations_t = inputs_t
                dh_next, dc_next = states
                dh = d_out_t[:, :units] + dh_next
                i, j, f, o = ops.split(activations_t, 4, axis=-1)
                tanh_c = ops.tanh(c)
                dc = d_out_t[:, units:] + dc_next + dh * o * (1 - tanh_c * tanh_c)
                d_gates = ops.concatenate(
                    [dc * j * i * (1 - i), dc * i * (1 - j * j),
                     dc * c_prev * f * (1 - f), dh * tanh_c * o * (1 - o)],
                    axis=-1,
                )
                return d_gates, [ops.matmul(d_gates, recurrent_transposed), dc * f]

            _, d_gates_seq, (dh0, dc0) = _backend_rnn(
                back, (upstream, c_prev_seq, c_seq, activations),
                [ops.zeros_like(h0), ops.zeros_like(c0)], go_backwards=True, unroll=unroll,
                input_length=projected.shape[0], time_major=True,
            )
            d_gates_seq = ops.flip(d_gates_seq, axis=0)  # back to time order
            d_recurrent = ops.matmul(
                ops.transpose(ops.reshape(h_prev_seq, (-1, units))),
                ops.reshape(d_gates_seq, (-1, 4 * units)),
            )
            return d_gates_seq, d_recurrent, dc0, dh0

        return ops.concatenate([h_seq, c_seq], axis=-1), grad

    return run(projected, recurrent_kernel, c0, h0)


def _has_plain_lstm_math(cell):
    """Whether `cell` is an LSTM without peepholes, clipping or projection, with tanh."""
    return (
        isinstance(cell, LSTMCell)
        and not cell.use_peepholes
        and cell.cell_clip is None
        and cell.num_proj is None
        and cell.activation is keras.activations.tanh
    )


def fused_program(cell, input_depth):
    """`(project, step)` for a supported cell.

    `project(x)` maps inputs `[..., input_depth]` to the per-step input terms
    (bias included); `step(projected_t, flat_states) -> (output, new_flat_states)`
    is the rest of the cell's math.
    """
    if isinstance(cell, LSTMCell):
        return _lstm_program(cell, input_depth)
    if isinstance(cell, GRUCell):
        return _gru_program(cell, input_depth)
    if isinstance(cell, BasicRNNCell):
        return _basic_rnn_program(cell, input_depth)
    raise ValueError(_unsupported_message(cell))


def _unsupported_message(cell):
    names = ", ".join(cls.__name__ for cls in SUPPORTED_CELLS)
    return (
        f"FusedRNN supports {names} and BasicLSTMCell (exact types or subclasses); "
        f"got {type(cell).__name__}. Use keras.layers.RNN for other cells."
    )


@keras.saving.register_keras_serializable(package="tfnotes")
class FusedRNN(keras.layers.RNN):
    """`keras.layers.RNN` for the TF1 cells, with the input projection done once.

    Same arguments, inputs (`mask`, `initial_state`), outputs and weights as
    `keras.layers.RNN(cell, ...)`; outputs equal the plain layer's up to float
    rounding. Before the loop, `x @ kernel[:input_depth] + bias` runs as one
    matrix product over all `batch * time` rows (time-major, transposed once);
    each step then adds `h @ kernel[input_depth:]` and applies the cell's gates.
    For `GRUCell` the x rows of both the gate and the candidate kernels are
    hoisted; the candidate's h rows stay in the loop because they multiply `r * h`.

    An unmasked LSTM without peepholes, clipping or projection (tanh) also gets
    a hand-written gradient (`_lstm_sequence`): the recurrent kernel's gradient
    becomes one product after the backward loop instead of one per step.

    Supported cells: `LSTMCell` (peepholes, `cell_clip`, `num_proj`, `proj_clip`,
    `state_is_tuple=False`), `BasicLSTMCell`, `GRUCell`, `BasicRNNCell`. Other
    cells (wrappers, `MultiRNNCell`, Elman/Jordan/Clockwork) raise ValueError:
    use `keras.layers.RNN`, or `dynamic_rnn(..., fused=True)` which falls back.

    Example:
        layer = FusedRNN(LSTMCell(256), return_sequences=True)
        outputs = layer(x, mask=mask)            # x: [batch, time, depth]

    Args:
        cell: a supported `tfnotes.cells` cell.
        return_sequences, return_state, go_backwards, stateful, unroll,
        zero_output_for_mask: as in `keras.layers.RNN`.
        **kwargs: other `keras.layers.Layer` arguments.
    """

    def __init__(self, cell, **kwargs):
        if not self.supports(cell):
            raise ValueError(_unsupported_message(cell))
        super().__init__(cell, **kwargs)

    @staticmethod
    def supports(cell):
        """Whether `FusedRNN` can run `cell` (an LSTM, GRU or basic RNN cell)."""
        return isinstance(cell, SUPPORTED_CELLS)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """Projects all steps at once, then runs only the recurrent part per step."""
        project, step = fused_program(self.cell, sequences.shape[-1])
        # Time-major once: the projection lands in the layout the loop reads.
        projected = project(_swap_batch_time(sequences))
        if mask is not None:
            mask = _swap_batch_time(mask)
        if not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        if mask is None and _has_plain_lstm_math(self.cell):
            return self._plain_lstm_loop(sequences, projected, list(initial_state))
        last_output, outputs, states = _backend_rnn(
            step,
            projected,
            list(initial_state),
            go_backwards=self.go_backwards,
            mask=mask,
            unroll=self.unroll,
            input_length=sequences.shape[1],
            time_major=True,
            zero_output_for_mask=self.zero_output_for_mask,
            return_all_outputs=self.return_sequences,
        )
        if self.return_sequences:
            outputs = _swap_batch_time(outputs)
        return last_output, outputs, states

    def _plain_lstm_loop(self, sequences, projected, initial_state):
        """The unmasked plain-LSTM case, through `_lstm_sequence`'s hand-written gradient."""
        cell, units = self.cell, self.cell.num_units
        c0, h0 = cell.split_state(initial_state)
        if self.go_backwards:
            projected = ops.flip(projected, axis=0)  # outputs stay in processing order
        recurrent_kernel = cell.kernel[sequences.shape[-1]:]
        result = _lstm_sequence(
            projected, recurrent_kernel, c0, h0, cell.forget_bias, self.unroll
        )
        outputs, c_last, h_last = result[..., :units], result[-1, :, units:], result[-1, :, :units]
        return h_last, _swap_batch_time(outputs), cell.join_state(c_last, h_last)

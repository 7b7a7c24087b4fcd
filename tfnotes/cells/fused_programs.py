"""The per-cell math of the fused path: hoisted input projections and loop steps.

A TF1 cell multiplies `concat([x_t, h]) @ kernel` at every step. The kernel's
first `input_depth` rows only ever meet `x_t`, so `x @ kernel[:input_depth]`
for all time steps is one large matrix product computed before the loop; the
loop keeps `h @ kernel[input_depth:]` and the gate arithmetic (which XLA fuses).
The weights are the cell's own variables, sliced at run time.

`run_cell_sequence` runs one LSTM / GRU / basic RNN cell over a time-major
sequence this way; `tfnotes.cells.fused` composes it for wrappers and stacks.
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
    raise missing_private_keras("keras.src.backend.rnn", "tfnotes.cells.fused_programs") from error

BASE_CELLS = (LSTMCell, GRUCell, BasicRNNCell)


def swap_batch_time(x):
    """`[batch, time, ...]` <-> `[time, batch, ...]`."""
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


def _lstm_sequence(projected, recurrent_kernel, c0, h0, forget_bias, unroll, mask=None):
    """Runs the plain LSTM recurrence over time-major `projected` with a hand-written gradient.

    Returns `[time, batch, 2 * units]`: `h` then `c` at every step (at a masked step,
    the state carried from the step before, as the backend loop carries it). Autodiff
    of the loop would accumulate `h_prev^T @ d_gates` into the recurrent kernel's
    gradient inside the backward loop, one thin product per step; here the backward
    loop computes only `d_gates` and `d_h_prev = d_gates @ W_h^T`, and the kernel
    gradient is one large product over all steps after it. `mask` (time-major
    `[time, batch]`, optional): a masked step passes the state's gradient through
    unchanged and adds nothing to the gates'.
    """
    units = c0.shape[-1]
    steps = projected.shape[0]
    # [time, batch, 1]: 1 where a step counts (every step without a mask)
    keep = ops.ones_like(projected[..., :1]) if mask is None else ops.cast(
        mask, projected.dtype)[..., None]

    @ops.custom_gradient
    def run(projected, recurrent_kernel, c0, h0, keep):
        def step(inputs_t, states):
            projected_t, keep_t = inputs_t[:, :-1], inputs_t[:, -1:]
            c_prev, h_prev = states
            gates = projected_t + ops.matmul(h_prev, recurrent_kernel)
            i, j, f, o = ops.split(gates, 4, axis=-1)
            i, j, f, o = ops.sigmoid(i), ops.tanh(j), ops.sigmoid(f + forget_bias), ops.sigmoid(o)
            c = f * c_prev + i * j
            h = o * ops.tanh(c)
            if mask is not None:  # a masked step carries the state
                c = keep_t * c + (1 - keep_t) * c_prev
                h = keep_t * h + (1 - keep_t) * h_prev
            return ops.concatenate([h, c, i, j, f, o], axis=-1), [c, h]

        _, saved, _ = _backend_rnn(
            # One packed tensor: the backend loop takes nested inputs only at a static length.
            step, ops.concatenate([projected, keep], axis=-1), [c0, h0],
            unroll=unroll, input_length=steps, time_major=True,
        )
        h_seq, c_seq = saved[..., :units], saved[..., units:2 * units]
        activations = saved[..., 2 * units:]

        def grad(upstream):
            recurrent_transposed = ops.transpose(recurrent_kernel)
            c_prev_seq = ops.concatenate([c0[None], c_seq[:-1]], axis=0)
            h_prev_seq = ops.concatenate([h0[None], h_seq[:-1]], axis=0)

            def back(inputs_t, states):
                d_out_t, c_prev = inputs_t[:, :2 * units], inputs_t[:, 2 * units:3 * units]
                c = inputs_t[:, 3 * units:4 * units]
                activations_t, keep_t = inputs_t[:, 4 * units:8 * units], inputs_t[:, -1:]
                dh_next, dc_next = states
                dh = d_out_t[:, :units] + dh_next
                dc_through = d_out_t[:, units:] + dc_next
                i, j, f, o = ops.split(activations_t, 4, axis=-1)
                tanh_c = ops.tanh(c)
                dc = dc_through + dh * o * (1 - tanh_c * tanh_c)
                d_gates = ops.concatenate(
                    [dc * j * i * (1 - i), dc * i * (1 - j * j),
                     dc * c_prev * f * (1 - f), dh * tanh_c * o * (1 - o)],
                    axis=-1,
                )
                dh_prev, dc_prev = ops.matmul(d_gates, recurrent_transposed), dc * f
                if mask is not None:  # masked: nothing reaches the gates, the state passes
                    d_gates = keep_t * d_gates
                    dh_prev = keep_t * dh_prev + (1 - keep_t) * dh
                    dc_prev = keep_t * dc_prev + (1 - keep_t) * dc_through
                return d_gates, [dh_prev, dc_prev]

            _, d_gates_seq, (dh0, dc0) = _backend_rnn(
                back, ops.concatenate([upstream, c_prev_seq, c_seq, activations, keep], axis=-1),
                [ops.zeros_like(h0), ops.zeros_like(c0)], go_backwards=True, unroll=unroll,
                input_length=steps, time_major=True,
            )
            d_gates_seq = ops.flip(d_gates_seq, axis=0)  # back to time order
            d_recurrent = ops.matmul(
                ops.transpose(ops.reshape(h_prev_seq, (-1, units))),
                ops.reshape(d_gates_seq, (-1, 4 * units)),
            )
            return d_gates_seq, d_recurrent, dc0, dh0, ops.zeros_like(keep)

        return ops.concatenate([h_seq, c_seq], axis=-1), grad

    return run(projected, recurrent_kernel, c0, h0, keep)


def _gru_sequence(projected, gates_recurrent, candidate_recurrent, h0, unroll, mask=None):
    """Runs TF1's GRU recurrence over time-major `projected` with a hand-written gradient.

    `projected` holds the hoisted input terms, gates (`2 * units`) then candidate
    (`units`), biases included. Returns the state at every step `[time, batch,
    units]` (carried over masked steps). As in `_lstm_sequence`, the backward loop
    keeps only the two products on the way back (`d_candidate @ W_c^T`, `d_gates @
    W_g^T`); the recurrent kernels' gradients are one product each after it, from
    the saved `h_prev` and `r * h_prev`.
    """
    units = h0.shape[-1]
    steps = projected.shape[0]
    # [time, batch, 1]: 1 where a step counts (every step without a mask)
    keep = ops.ones_like(projected[..., :1]) if mask is None else ops.cast(
        mask, projected.dtype)[..., None]

    @ops.custom_gradient
    def run(projected, gates_recurrent, candidate_recurrent, h0, keep):
        def step(inputs_t, states):
            projected_t, keep_t = inputs_t[:, :-1], inputs_t[:, -1:]
            h_prev = states[0]
            gates = ops.sigmoid(projected_t[:, :2 * units] + ops.matmul(h_prev, gates_recurrent))
            r, u = gates[:, :units], gates[:, units:]
            candidate = ops.tanh(
                projected_t[:, 2 * units:] + ops.matmul(r * h_prev, candidate_recurrent)
            )
            h = u * h_prev + (1 - u) * candidate
            if mask is not None:  # a masked step carries the state
                h = keep_t * h + (1 - keep_t) * h_prev
            return ops.concatenate([h, r, u, candidate], axis=-1), [h]

        _, saved, _ = _backend_rnn(
            step, ops.concatenate([projected, keep], axis=-1), [h0], unroll=unroll,
            input_length=steps, time_major=True,
        )
        h_seq, activations = saved[..., :units], saved[..., units:]

        def grad(upstream):
            gates_transposed = ops.transpose(gates_recurrent)
            candidate_transposed = ops.transpose(candidate_recurrent)
            h_prev_seq = ops.concatenate([h0[None], h_seq[:-1]], axis=0)

            def back(inputs_t, states):
                d_out_t, h_prev = inputs_t[:, :units], inputs_t[:, units:2 * units]
                activations_t, keep_t = inputs_t[:, 2 * units:5 * units], inputs_t[:, -1:]
                dh = d_out_t + states[0]
                r, u, candidate = (activations_t[:, k * units:(k + 1) * units] for k in range(3))
                d_candidate = dh * (1 - u) * (1 - candidate * candidate)
                d_reset_state = ops.matmul(d_candidate, candidate_transposed)
                d_gates = ops.concatenate(
                    [d_reset_state * h_prev * r * (1 - r),
                     dh * (h_prev - candidate) * u * (1 - u)],
                    axis=-1,
                )
                dh_prev = dh * u + d_reset_state * r + ops.matmul(d_gates, gates_transposed)
                d_projected = ops.concatenate([d_gates, d_candidate], axis=-1)
                if mask is not None:  # masked: nothing reaches the gates, the state passes
                    d_projected = keep_t * d_projected
                    dh_prev = keep_t * dh_prev + (1 - keep_t) * dh
                return d_projected, [dh_prev]

            _, d_projected_seq, (dh0,) = _backend_rnn(
                back, ops.concatenate([upstream, h_prev_seq, activations, keep], axis=-1),
                [ops.zeros_like(h0)], go_backwards=True, unroll=unroll, input_length=steps,
                time_major=True,
            )
            d_projected_seq = ops.flip(d_projected_seq, axis=0)  # back to time order
            reset_state_seq = activations[..., :units] * h_prev_seq
            d_gates_recurrent = ops.matmul(
                ops.transpose(ops.reshape(h_prev_seq, (-1, units))),
                ops.reshape(d_projected_seq[..., :2 * units], (-1, 2 * units)),
            )
            d_candidate_recurrent = ops.matmul(
                ops.transpose(ops.reshape(reset_state_seq, (-1, units))),
                ops.reshape(d_projected_seq[..., 2 * units:], (-1, units)),
            )
            return (d_projected_seq, d_gates_recurrent, d_candidate_recurrent, dh0,
                    ops.zeros_like(keep))

        return h_seq, grad

    return run(projected, gates_recurrent, candidate_recurrent, h0, keep)


def has_plain_gru_math(cell):
    """Whether `cell` is a `GRUCell` with tanh (what `_gru_sequence` computes)."""
    return isinstance(cell, GRUCell) and cell.activation is keras.activations.tanh


def has_plain_lstm_math(cell):
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
    raise ValueError(f"no fused program for {type(cell).__name__}")


def run_cell_sequence(cell, inputs, states, mask=None, unroll=False, zero_output_for_mask=False):
    """One base cell over time-major `inputs` `[time, batch, depth]`, fused.

    Returns `(last_output, outputs, new_states)` with time-major `outputs`, as the
    backend loop does. A plain LSTM or a GRU (masked or not) takes
    `_lstm_sequence`'s or `_gru_sequence`'s hand-written gradient; every other case
    runs the cell's step in the backend loop.
    """
    project, step = fused_program(cell, inputs.shape[-1])
    projected = project(inputs)
    if has_plain_lstm_math(cell):
        units = cell.num_units
        c0, h0 = cell.split_state(states)
        recurrent_kernel = cell.kernel[inputs.shape[-1]:]
        result = _lstm_sequence(
            projected, recurrent_kernel, c0, h0, cell.forget_bias, unroll, mask
        )
        outputs, c_last, h_last = result[..., :units], result[-1, :, units:], result[-1, :, :units]
        if mask is not None and zero_output_for_mask:
            outputs = outputs * ops.cast(mask, outputs.dtype)[..., None]
        return h_last, outputs, list(cell.join_state(c_last, h_last))
    if has_plain_gru_math(cell):
        depth = inputs.shape[-1]
        outputs = _gru_sequence(
            projected, cell.gates_kernel[depth:], cell.candidate_kernel[depth:], states[0],
            unroll, mask,
        )
        h_last = outputs[-1]
        if mask is not None and zero_output_for_mask:
            outputs = outputs * ops.cast(mask, outputs.dtype)[..., None]
        return h_last, outputs, [h_last]
    last_output, outputs, new_states = _backend_rnn(
        step, projected, list(states), mask=mask, unroll=unroll, input_length=inputs.shape[0],
        time_major=True, zero_output_for_mask=zero_output_for_mask,
    )
    return last_output, outputs, list(new_states)

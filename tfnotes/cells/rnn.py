"""`dynamic_rnn` and `bidirectional_dynamic_rnn` with TF1's semantics.

Both run the cell through `keras.layers.RNN`, so they work eagerly, inside
`tf.function`/XLA-compiled models and on any Keras backend. `sequence_length`
becomes the RNN mask with `zero_output_for_mask=True`: outputs past each
length are zero and the state is carried through unchanged, as in TF1.
"""

import keras
from keras import ops, tree

from tfnotes.cells.fused import recurrent_layer


def _as_tensor(x):
    """`x` as a tensor; symbolic Keras tensors (functional models) pass through."""
    if keras.backend.is_keras_tensor(x) or ops.is_tensor(x):
        return x
    return ops.convert_to_tensor(x)


def _flat_state(cell, state):
    """The cell's flat state from a TF1 structure or an already flat list."""
    leaves = tree.flatten(state) if tree.is_nested(state) else [state]
    if len(leaves) == len(cell.flat_state_sizes()):
        return leaves
    return cell.unpack_state(state)


def _length_mask(sequence_length, max_time):
    """`[batch, time]` bool mask: step t of row b is inside the sequence."""
    steps = ops.arange(max_time, dtype="int32")
    lengths = ops.cast(_as_tensor(sequence_length), "int32")
    return ops.less(ops.expand_dims(steps, 0), ops.expand_dims(lengths, 1))


def _swap_batch_time(x):
    return ops.transpose(x, (1, 0) + tuple(range(2, len(x.shape))))


def dynamic_rnn(
    cell,
    inputs,
    sequence_length=None,
    initial_state=None,
    time_major=False,
    training=None,
    fused=True,
):
    """Runs `cell` over `inputs` like TF1's `tf.nn.dynamic_rnn`.

    Args:
        cell: a `tfnotes.cells` cell (built on first use if needed).
        inputs: `[batch, time, depth]`, or `[time, batch, depth]` when `time_major`.
        sequence_length: optional int vector `[batch]`; outputs past each length
            are zero and the state stops changing there.
        initial_state: optional state in the TF1 structure (as `zero_state`
            returns it) or the flat form; default zeros.
        time_major: whether `inputs` and the returned outputs are time-major.
        training: passed to the cell (dropout acts only when True).
        fused: run supported cells (`FusedRNN.supports(cell)`: the LSTM, GRU and
            basic RNN cells, `DropoutWrapper` without state dropout and
            `MultiRNNCell` stacks of them) through `FusedRNN`, with the input
            projections hoisted out of the loop; the same results up to float
            rounding. Other cells ignore it. False: the plain `keras.layers.RNN`
            loop, one `cell` call a step (the reference).

    Returns:
        `(outputs, final_state)`: outputs `[batch, time, output_size]` (or
        time-major), and the final state in the TF1 structure, e.g. an
        `LSTMStateTuple` or a tuple of child states for `MultiRNNCell`.
    """
    inputs = _as_tensor(inputs)
    if time_major:
        inputs = _swap_batch_time(inputs)
    mask = None
    if sequence_length is not None:
        mask = _length_mask(sequence_length, ops.shape(inputs)[1])
    flat_initial = None if initial_state is None else _flat_state(cell, initial_state)
    layer = recurrent_layer(
        cell, fused=fused, return_sequences=True, return_state=True, zero_output_for_mask=True
    )
    outputs, *final_flat = layer(
        inputs, initial_state=flat_initial, mask=mask, training=training
    )
    if time_major:
        outputs = _swap_batch_time(outputs)
    return outputs, cell.pack_state(final_flat)


def reverse_sequence(inputs, sequence_length=None):
    """Reverses each batch-major sequence within its own length (`tf.reverse_sequence`).

    Steps at or past a row's length stay in place; without `sequence_length`
    the whole time axis is flipped.
    """
    if sequence_length is None:
        return ops.flip(inputs, axis=1)
    max_time = ops.shape(inputs)[1]
    steps = ops.expand_dims(ops.arange(max_time, dtype="int32"), 0)
    lengths = ops.expand_dims(ops.cast(_as_tensor(sequence_length), "int32"), 1)
    mirrored = ops.subtract(ops.subtract(lengths, 1), steps)
    index = ops.where(ops.less(steps, lengths), mirrored, steps)
    for _ in range(len(inputs.shape) - 2):
        index = ops.expand_dims(index, -1)
    return ops.take_along_axis(inputs, index, axis=1)  # broadcasts the feature axes


def bidirectional_dynamic_rnn(
    cell_fw,
    cell_bw,
    inputs,
    sequence_length=None,
    initial_state_fw=None,
    initial_state_bw=None,
    time_major=False,
    training=None,
    fused=True,
):
    """Forward and backward `dynamic_rnn`, like TF1's `tf.nn.bidirectional_dynamic_rnn`.

    The backward cell reads each sequence reversed within its own length
    (`reverse_sequence`), and its outputs are reversed back, so `out_bw[t]`
    lines up with `inputs[t]`.

    `fused` is `dynamic_rnn`'s (the fast path by default, False for the plain loop).

    Returns:
        `((out_fw, out_bw), (state_fw, state_bw))`, outputs not concatenated.
    """
    inputs = _as_tensor(inputs)
    if time_major:
        inputs = _swap_batch_time(inputs)
    out_fw, state_fw = dynamic_rnn(
        cell_fw, inputs, sequence_length, initial_state_fw, training=training, fused=fused
    )
    reversed_inputs = reverse_sequence(inputs, sequence_length)
    out_bw, state_bw = dynamic_rnn(
        cell_bw, reversed_inputs, sequence_length, initial_state_bw, training=training,
        fused=fused,
    )
    out_bw = reverse_sequence(out_bw, sequence_length)
    if time_major:
        out_fw, out_bw = _swap_batch_time(out_fw), _swap_batch_time(out_bw)
    return (out_fw, out_bw), (state_fw, state_bw)

"""`FusedRNN`: `keras.layers.RNN` with the input projections hoisted out of the loop.

`tfnotes.cells.fused_programs` runs one LSTM / GRU / basic RNN cell over a whole
sequence with its input product done once, before the loop. This module composes
those runs for what wraps and stacks the cells:

* `DropoutWrapper` (input and output dropout, per-step or variational): the input
  mask is applied to the whole sequence before the projection and the output mask
  to the whole output sequence after the loop, which is the same distribution as
  per-step draws (variational masks are carried in the state as the wrapper does);
* `MultiRNNCell`: the layers one after another, each a fused loop over the
  previous layer's outputs (`docs/cell_benchmark.md` measured this against one
  loop over all layers).

The weights and the flat state are the cells' own, so TF1 checkpoints, `.keras`
files and stateful state work unchanged.
"""

import keras
from keras import ops

from tfnotes.cells.dropout_noise import keep_mask
from tfnotes.cells.dropout_wrapper import DropoutWrapper
from tfnotes.cells.fused_programs import BASE_CELLS, run_cell_sequence, swap_batch_time
from tfnotes.cells.multi_rnn import MultiRNNCell


def supports(cell) -> bool:
    """Whether the fused path runs `cell`: a base cell, or wrappers / stacks of them.

    A `DropoutWrapper` is supported without state dropout (``state_keep_prob=1``):
    state dropout acts inside the recurrence, between steps.
    """
    if isinstance(cell, BASE_CELLS):
        return True
    if isinstance(cell, DropoutWrapper):
        return cell.state_keep_prob == 1.0 and supports(cell.cell)
    if isinstance(cell, MultiRNNCell):
        return all(supports(child) for child in cell.cells)
    return False


def run_sequence(cell, inputs, states, mask, training, options):
    """`cell` over time-major `inputs`: `(last_output, outputs, new flat states)`."""
    if isinstance(cell, DropoutWrapper):
        return _run_dropout_wrapper(cell, inputs, states, mask, training, options)
    if isinstance(cell, MultiRNNCell):
        return _run_stack(cell, inputs, states, mask, training, options)
    return run_cell_sequence(cell, inputs, states, mask, **options)


def _run_stack(stack, inputs, states, mask, training, options):
    """The stack's layers one after another; the flat state as `MultiRNNCell` lays it out."""
    outputs, last_output, new_pieces = inputs, None, []
    for child, piece in zip(stack.cells, stack._split_flat(states)):
        last_output, outputs, new_piece = run_sequence(
            child, outputs, piece, mask, training, options
        )
        new_pieces.append(new_piece)
    if stack.state_is_tuple:
        return last_output, outputs, [leaf for piece in new_pieces for leaf in piece]
    return last_output, outputs, [ops.concatenate([piece[0] for piece in new_pieces], axis=-1)]


def _run_dropout_wrapper(wrapper, inputs, states, mask, training, options):
    """The wrapped cell's fused run, with the wrapper's masks on its whole input and output."""
    count = len(wrapper.cell.flat_state_sizes())
    inner_states, extras = list(states[:count]), list(states[count:])
    if not training:
        last_output, outputs, new_inner = run_sequence(
            wrapper.cell, inputs, inner_states, mask, training, options
        )
        return last_output, outputs, new_inner + extras
    draw = _mask_drawer(wrapper, extras, steps=inputs.shape[0])
    if wrapper.variational_recurrent and wrapper._mask_sizes:
        # As the wrapper's own step: masks carried in the state, drawn on a zero flag.
        flag = len(wrapper._mask_sizes)
        drawn = extras[flag] > 0
        carried = [
            ops.where(drawn, mask_value, draw(mask_value, keep))
            for mask_value, keep in zip(extras[:flag], wrapper._mask_keep_probs())
        ]
        pending = iter(carried)
        input_mask = next(pending)[None] if wrapper.input_keep_prob < 1.0 else None
        output_mask = next(pending) if wrapper.output_keep_prob < 1.0 else None
        new_extras = carried + [ops.ones_like(extras[flag])] + extras[flag + 1:]
    else:
        input_mask = (draw(inputs, wrapper.input_keep_prob)
                      if wrapper.input_keep_prob < 1.0 else None)
        output_mask = None
        new_extras = extras
    if input_mask is not None:
        inputs = inputs * input_mask
    last_output, outputs, new_inner = run_sequence(
        wrapper.cell, inputs, inner_states, mask, training, options
    )
    if wrapper.output_keep_prob < 1.0:
        if output_mask is None:  # per-step masks: one draw over the whole output sequence
            outputs = outputs * draw(outputs, wrapper.output_keep_prob)
            last_output = last_output * draw(last_output, wrapper.output_keep_prob)
        else:
            outputs, last_output = outputs * output_mask[None], last_output * output_mask
    return last_output, outputs, new_inner + _advanced_seed(wrapper, new_extras, inputs.shape[0])


def _mask_drawer(wrapper, extras, steps):
    """`draw(like, keep_prob) -> mask`, from the wrapper's generator or its carried seed."""
    if not wrapper._carries_seed:
        return lambda like, keep: keep_mask(like, keep, wrapper.seed_generator)
    base = ops.cast(extras[-1][0], "uint32")  # JAX: the seed slot the wrapper carries
    draws = iter(range(4))

    def draw(like, keep):
        offset = ops.convert_to_tensor([0, next(draws)], "uint32")
        return keep_mask(like, keep, base + offset)

    return draw


def _advanced_seed(wrapper, extras, steps):
    """`extras` with the JAX seed slot moved on by the draws `steps` plain steps make."""
    if not wrapper._carries_seed:
        return extras
    draws_per_step = 2 + len(wrapper._dropped_state_slots())
    offset = ops.convert_to_tensor([0.0, steps * draws_per_step], extras[-1].dtype)
    return extras[:-1] + [extras[-1] + offset]


def _unsupported_message(cell):
    names = ", ".join(cls.__name__ for cls in BASE_CELLS)
    return (
        f"FusedRNN supports {names} and BasicLSTMCell (exact types or subclasses), "
        "DropoutWrapper without state dropout around them, and MultiRNNCell stacks of "
        f"those; got {type(cell).__name__}. Use keras.layers.RNN for other cells "
        "(tfnotes.cells.recurrent_layer picks the layer)."
    )


@keras.saving.register_keras_serializable(package="tfnotes")
class FusedRNN(keras.layers.RNN):
    """`keras.layers.RNN` for the TF1 cells, with the input projections done once.

    Same arguments, inputs (`mask`, `initial_state`), outputs, state and weights as
    `keras.layers.RNN(cell, ...)`; outputs equal the plain layer's up to float
    rounding (and, in training, up to which dropout masks are drawn). Before each
    loop, `x @ kernel[:input_depth] + bias` runs as one matrix product over all
    `batch * time` rows (time-major, transposed once); each step then adds
    `h @ kernel[input_depth:]` and applies the cell's gates. For `GRUCell` the x
    rows of both the gate and the candidate kernels are hoisted.

    An unmasked LSTM without peepholes, clipping or projection (tanh) also gets
    a hand-written gradient: the recurrent kernel's gradient becomes one product
    after the backward loop instead of one per step.

    Supported: `LSTMCell` (peepholes, `cell_clip`, `num_proj`, `proj_clip`,
    `state_is_tuple=False`), `BasicLSTMCell`, `GRUCell`, `BasicRNNCell`;
    `DropoutWrapper` of those without state dropout; `MultiRNNCell` of any of these
    (run layer after layer). Other cells raise ValueError: use
    `tfnotes.cells.recurrent_layer`, which falls back to `keras.layers.RNN`.

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
        if not supports(cell):
            raise ValueError(_unsupported_message(cell))
        super().__init__(cell, **kwargs)

    @staticmethod
    def supports(cell):
        """Whether `FusedRNN` can run `cell` (see the class docstring)."""
        return supports(cell)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """Time-major once, flipped once for `go_backwards`, then the fused runs."""
        inputs = swap_batch_time(sequences)
        if mask is not None:
            mask = swap_batch_time(mask)
        if self.go_backwards:  # outputs stay in processing order, as keras.layers.RNN's
            inputs = ops.flip(inputs, axis=0)
            mask = None if mask is None else ops.flip(mask, axis=0)
        if not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        options = dict(unroll=self.unroll, zero_output_for_mask=self.zero_output_for_mask)
        last_output, outputs, states = run_sequence(
            self.cell, inputs, list(initial_state), mask, training, options
        )
        return last_output, swap_batch_time(outputs), states


def recurrent_layer(cell, fused: bool = True, **kwargs) -> keras.layers.RNN:
    """The layer that runs `cell` over a sequence: `FusedRNN` where it can, else `RNN`.

    Args:
        cell: any `tfnotes.cells` cell.
        fused: False for the plain `keras.layers.RNN` loop (the reference).
        **kwargs: `keras.layers.RNN` arguments (``return_sequences``, ``stateful``, ...).
    """
    if fused and supports(cell):
        return FusedRNN(cell, **kwargs)
    return keras.layers.RNN(cell, **kwargs)

"""The benchmark's cases and their Keras variants, for whichever Keras backend is active.

A case is a recurrent workload (`CASES`); each has up to three Keras variants:
``tfnotes`` (the cell in the plain `keras.layers.RNN` loop, the reference),
``fused`` (`tfnotes.cells.FusedRNN`, the default fast path) and ``keras`` (Keras'
own layer). `keras_step` builds one variant as a compiled model and returns a
function that runs one training step or inference pass and waits for it.
TF1's graphs for the same cases are in `tfnotes.bench.tf1_worker`.
"""

from __future__ import annotations

import keras
import numpy as np

from tfnotes.cells import BasicLSTMCell, BasicRNNCell, FusedRNN, GRUCell, LSTMCell, MultiRNNCell

# case -> (FLOP kind, layers stacked, directions, has a Keras peer)
CASES = {
    "lstm": ("lstm", 1, 1, True),
    "bilstm": ("lstm", 1, 2, True),
    "gru": ("gru", 1, 1, True),
    "lstm_stack": ("lstm", 2, 1, True),
    "lstm_peepholes": ("lstm", 1, 1, False),
    "basic_rnn": ("rnn", 1, 1, True),
}
IMPLEMENTATIONS = ("tfnotes", "fused", "keras")
RATIO_CASES = ("lstm", "bilstm", "gru", "lstm_stack")  # the cases metrics.json reports ratios of


def _tfnotes_cell(case, units):
    """The tfnotes cell (or stack) of a case."""
    if case in ("lstm", "bilstm"):
        return BasicLSTMCell(units)
    if case == "lstm_stack":
        return MultiRNNCell([BasicLSTMCell(units) for _ in range(CASES[case][1])])
    if case == "lstm_peepholes":
        return LSTMCell(units, use_peepholes=True)
    if case == "gru":
        return GRUCell(units)
    if case == "basic_rnn":
        return BasicRNNCell(units)
    raise ValueError(f"unknown case {case!r}; choose one of {', '.join(CASES)}")


def _keras_layer(case, units):
    """Keras' own layer for a case (stacks as consecutive layers)."""
    layer_class = {"gru": keras.layers.GRU, "basic_rnn": keras.layers.SimpleRNN}.get(
        case, keras.layers.LSTM
    )
    if case == "lstm_stack":
        return keras.Sequential(
            [layer_class(units, return_sequences=True) for _ in range(CASES[case][1])]
        )
    return layer_class(units, return_sequences=True)


def make_layer(case, implementation, units):
    """A new layer of one case and implementation, returning the output sequence."""
    if implementation == "keras":
        if not CASES[case][3]:
            raise ValueError(f"case {case!r} has no Keras layer")
        layer = _keras_layer(case, units)
    elif implementation == "fused":
        layer = FusedRNN(_tfnotes_cell(case, units), return_sequences=True)
    elif implementation == "tfnotes":
        layer = keras.layers.RNN(_tfnotes_cell(case, units), return_sequences=True)
    else:
        raise ValueError(f"unknown implementation {implementation!r}")
    if CASES[case][2] == 2:
        layer = keras.layers.Bidirectional(layer)
    return layer


def implementations(case):
    """The implementations a case has (`keras` only where Keras has the layer)."""
    return [name for name in IMPLEMENTATIONS if name != "keras" or CASES[case][3]]


def random_batch(batch, time, inputs, seed=0):
    """Inputs `[batch, time, inputs]`, float32."""
    return np.random.default_rng(seed).standard_normal((batch, time, inputs), dtype=np.float32)


def keras_step(case, implementation, size, mode, jit_compile):
    """`step()`: one training step (Adam, MSE to zeros) or inference pass, host values back."""
    batch, time, inputs, units = size
    sequence = keras.Input((time, inputs), batch_size=batch)
    model = keras.Model(sequence, make_layer(case, implementation, units)(sequence))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", jit_compile=jit_compile)
    x = random_batch(batch, time, inputs)
    y = np.zeros(tuple(model.output_shape), np.float32)
    if mode == "train":
        return lambda: model.train_on_batch(x, y)
    if mode == "infer":
        return lambda: model.predict_on_batch(x)
    raise ValueError(f"mode must be 'train' or 'infer', got {mode!r}")

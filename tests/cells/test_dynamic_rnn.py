"""dynamic_rnn / bidirectional_dynamic_rnn: TF1 sequence_length semantics, time_major, XLA."""

import keras
import numpy as np
import pytest

from tfnotes.cells import (
    DropoutWrapper,
    GRUCell,
    LSTMCell,
    LSTMStateTuple,
    MultiRNNCell,
    bidirectional_dynamic_rnn,
    dynamic_rnn,
    reverse_sequence,
)

# Runs again on the JAX backend in `make test` (the cells and layers are backend-neutral).
pytestmark = pytest.mark.jax

TIME, DEPTH = 6, 3
LENGTHS = [6, 3, 0]


def sequences():
    return np.random.RandomState(1).randn(len(LENGTHS), TIME, DEPTH).astype("float32")


def test_sequence_length_zeroes_outputs_and_freezes_state():
    cell = LSTMCell(4, num_proj=2)
    x = sequences()
    outputs, state = dynamic_rnn(cell, x, sequence_length=LENGTHS)
    outputs = np.asarray(outputs)
    assert isinstance(state, LSTMStateTuple)
    for row, length in enumerate(LENGTHS):
        np.testing.assert_array_equal(outputs[row, length:], 0.0)
        if length == 0:
            np.testing.assert_array_equal(np.asarray(state.c)[row], 0.0)
            np.testing.assert_array_equal(np.asarray(state.h)[row], 0.0)
            continue
        alone, alone_state = dynamic_rnn(cell, x[row:row + 1, :length])
        np.testing.assert_allclose(outputs[row, :length], np.asarray(alone)[0], atol=1e-6)
        for mine, alone_part in zip(state, alone_state):
            np.testing.assert_allclose(np.asarray(mine)[row], np.asarray(alone_part)[0], atol=1e-6)
        # Without a sequence_length the state would have kept moving.
        assert length == TIME or not np.allclose(
            np.asarray(dynamic_rnn(cell, x[row:row + 1])[1].c)[0], np.asarray(state.c)[row]
        )


def test_time_major_and_initial_state():
    cell = MultiRNNCell([LSTMCell(4), GRUCell(2)])
    x = sequences()
    initial = (
        LSTMStateTuple(np.ones((3, 4), "float32"), np.zeros((3, 4), "float32")),
        np.full((3, 2), 0.5, "float32"),
    )
    batch_major, state_b = dynamic_rnn(cell, x, LENGTHS, initial_state=initial)
    time_major, state_t = dynamic_rnn(
        cell, np.transpose(x, (1, 0, 2)), LENGTHS, initial_state=initial, time_major=True
    )
    assert tuple(time_major.shape) == (TIME, 3, 2)
    np.testing.assert_allclose(
        np.transpose(np.asarray(time_major), (1, 0, 2)), batch_major, atol=1e-6
    )
    assert isinstance(state_b, tuple) and isinstance(state_b[0], LSTMStateTuple)
    for a, b in zip(keras.tree.flatten(state_b), keras.tree.flatten(state_t)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    # The zero-length row keeps its initial state.
    np.testing.assert_array_equal(np.asarray(state_b[0].c)[2], 1.0)
    np.testing.assert_array_equal(np.asarray(state_b[1])[2], 0.5)


def test_reverse_sequence_within_length():
    x = np.array([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]], "float32")[..., None]
    reversed_x = np.asarray(reverse_sequence(x, [4, 2, 0]))[..., 0]
    np.testing.assert_array_equal(reversed_x, [[4, 3, 2, 1], [2, 1, 3, 4], [1, 2, 3, 4]])


def test_bidirectional_backward_reads_each_sequence_reversed():
    cell_fw, cell_bw = GRUCell(3), LSTMCell(2)
    x = sequences()
    (out_fw, out_bw), (state_fw, state_bw) = bidirectional_dynamic_rnn(
        cell_fw, cell_bw, x, sequence_length=LENGTHS
    )
    out_bw = np.asarray(out_bw)
    assert tuple(out_fw.shape) == (3, TIME, 3) and out_bw.shape == (3, TIME, 2)
    assert isinstance(state_bw, LSTMStateTuple)
    for row, length in enumerate(LENGTHS):
        np.testing.assert_array_equal(out_bw[row, length:], 0.0)
        if length:
            alone, alone_state = dynamic_rnn(cell_bw, x[row:row + 1, :length][:, ::-1])
            np.testing.assert_allclose(out_bw[row, :length], np.asarray(alone)[0, ::-1], atol=1e-6)
            np.testing.assert_allclose(
                np.asarray(state_bw.h)[row], np.asarray(alone_state.h)[0], atol=1e-6
            )


def test_dynamic_rnn_in_xla_compiled_subclassed_model():
    class Model(keras.Model):
        def __init__(self):
            super().__init__()
            self.cell = DropoutWrapper(
                LSTMCell(4), output_keep_prob=0.8, variational_recurrent=True, seed=0
            )
            self.head = keras.layers.Dense(1)

        def call(self, x, training=None):
            outputs, state = dynamic_rnn(self.cell, x, training=training)
            return self.head(state.h)

    model = Model()
    model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    assert model.jit_compile
    x = sequences()
    model(x)
    kernel_before = np.asarray(model.cell.cell.kernel).copy()
    history = model.fit(x, np.ones((3, 1), "float32"), epochs=1, batch_size=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert not np.allclose(np.asarray(model.cell.cell.kernel), kernel_before)


def test_functional_model_with_sequence_length_input():
    inputs = keras.Input((TIME, DEPTH))
    lengths = keras.Input((), dtype="int32")
    (out_fw, out_bw), (state_fw, _) = bidirectional_dynamic_rnn(
        LSTMCell(2), GRUCell(2), inputs, sequence_length=lengths
    )
    model = keras.Model([inputs, lengths], [out_fw, out_bw, state_fw.h])
    out_fw, out_bw, h = model([sequences(), np.array(LENGTHS)])
    np.testing.assert_array_equal(np.asarray(out_bw)[1, 3:], 0.0)
    np.testing.assert_allclose(np.asarray(h)[1], np.asarray(out_fw)[1, 2], atol=1e-6)

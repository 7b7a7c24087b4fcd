"""One step of each TF1 cell against a NumPy transcription of TF1's rnn_cell_impl."""

import keras
import numpy as np

from tfnotes.cells import (
    BasicLSTMCell,
    BasicRNNCell,
    GRUCell,
    JordanCell,
    LSTMCell,
    LSTMStateTuple,
    MultiRNNCell,
)

RNG = np.random.RandomState(3)
X = RNG.randn(2, 3).astype("float32")


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def randomize(cell, input_depth):
    cell.build((None, input_depth))
    for weight in cell.weights:
        weight.assign(RNG.randn(*weight.shape).astype("float32"))
    return cell


def test_lstm_peepholes_clip_projection():
    cell = randomize(
        LSTMCell(4, use_peepholes=True, cell_clip=0.6, num_proj=2, proj_clip=0.3, forget_bias=0.7),
        3,
    )
    c0, h0 = RNG.randn(2, 4).astype("float32"), RNG.randn(2, 2).astype("float32")
    output, state = cell(X, LSTMStateTuple(c0, h0))

    w = {name: np.asarray(v) for name, v in cell.tf1_weights().items()}
    z = np.concatenate([X, h0], 1) @ w["kernel"] + w["bias"]
    i, j, f, o = np.split(z, 4, axis=1)
    c = sigmoid(f + 0.7 + w["w_f_diag"] * c0) * c0 + sigmoid(i + w["w_i_diag"] * c0) * np.tanh(j)
    c = np.clip(c, -0.6, 0.6)
    m = sigmoid(o + w["w_o_diag"] * c) * np.tanh(c)  # output peephole sees the new c
    m = np.clip(m @ w["projection/kernel"], -0.3, 0.3)

    assert isinstance(state, LSTMStateTuple)
    np.testing.assert_allclose(np.asarray(state.c), c, atol=1e-5)
    np.testing.assert_allclose(np.asarray(state.h), m, atol=1e-5)
    np.testing.assert_allclose(np.asarray(output), m, atol=1e-5)


def test_lstm_state_not_tuple_concatenates_c_and_h():
    tuple_cell = randomize(BasicLSTMCell(3, forget_bias=0.2), 3)
    flat_cell = BasicLSTMCell(3, forget_bias=0.2, state_is_tuple=False)
    flat_cell.build((None, 3))
    for a, b in zip(flat_cell.weights, tuple_cell.weights):
        a.assign(b)
    c0, h0 = RNG.randn(2, 3).astype("float32"), RNG.randn(2, 3).astype("float32")
    _, state = tuple_cell(X, LSTMStateTuple(c0, h0))
    _, flat_state = flat_cell(X, np.concatenate([c0, h0], 1))
    assert tuple(flat_state.shape) == (2, 6)
    np.testing.assert_allclose(
        np.asarray(flat_state), np.concatenate([state.c, state.h], 1), atol=1e-6
    )


def test_gru_step():
    cell = randomize(GRUCell(3), 3)
    h0 = RNG.randn(2, 3).astype("float32")
    output, state = cell(X, h0)
    w = {name: np.asarray(v) for name, v in cell.tf1_weights().items()}
    r, u = np.split(sigmoid(np.concatenate([X, h0], 1) @ w["gates/kernel"] + w["gates/bias"]), 2, 1)
    candidate = np.tanh(
        np.concatenate([X, r * h0], 1) @ w["candidate/kernel"] + w["candidate/bias"]
    )
    np.testing.assert_allclose(np.asarray(state), u * h0 + (1 - u) * candidate, atol=1e-5)
    np.testing.assert_allclose(np.asarray(output), np.asarray(state))


def test_basic_rnn_and_multi_rnn_step():
    first, second = randomize(BasicRNNCell(2), 3), randomize(BasicRNNCell(4, activation="relu"), 2)
    cell = MultiRNNCell([first, second])
    h0 = (RNG.randn(2, 2).astype("float32"), RNG.randn(2, 4).astype("float32"))
    output, state = cell(X, h0)
    h1 = np.tanh(np.concatenate([X, h0[0]], 1) @ np.asarray(first.kernel) + np.asarray(first.bias))
    h2 = np.maximum(
        np.concatenate([h1, h0[1]], 1) @ np.asarray(second.kernel) + np.asarray(second.bias), 0
    )
    assert isinstance(state, tuple) and len(state) == 2
    np.testing.assert_allclose(np.asarray(state[0]), h1, atol=1e-5)
    np.testing.assert_allclose(np.asarray(output), h2, atol=1e-5)


def test_jordan_feeds_back_its_output():
    cell = randomize(JordanCell(4, output_units=2), 3)
    y0 = RNG.randn(2, 2).astype("float32")
    output, state = cell(X, y0)
    hidden = np.tanh(
        X @ np.asarray(cell.kernel) + y0 @ np.asarray(cell.recurrent_kernel) + np.asarray(cell.bias)
    )
    y = hidden @ np.asarray(cell.output_kernel) + np.asarray(cell.output_bias)
    np.testing.assert_allclose(np.asarray(output), y, atol=1e-5)
    np.testing.assert_allclose(np.asarray(state), y, atol=1e-5)


def test_zero_state_structures():
    multi = MultiRNNCell([LSTMCell(3, num_proj=2), GRUCell(2)])
    state = multi.zero_state(5, "float32")
    assert isinstance(state[0], LSTMStateTuple)
    assert [tuple(s.shape) for s in keras.tree.flatten(state)] == [(5, 3), (5, 2), (5, 2)]
    assert tuple(LSTMCell(3, state_is_tuple=False).zero_state(5, "float32").shape) == (5, 6)

"""The two worked examples of the course notes, with hand-set weights."""

import keras
import numpy as np
import pytest

from tfnotes.cells import ElmanCell, LSTMCell, dynamic_rnn

# Runs again on the JAX backend in `make test` (the cells and layers are backend-neutral).
pytestmark = pytest.mark.jax


def test_elman_network_all_ones():
    """2 hidden + 2 output units, all weights 1, no bias, linear: 4, 12, 32."""
    inputs = keras.Input(shape=(3, 2))
    hidden = keras.layers.RNN(
        ElmanCell(
            2,
            activation="linear",
            use_bias=False,
            kernel_initializer="ones",
            recurrent_initializer="ones",
        ),
        return_sequences=True,
    )(inputs)
    outputs = keras.layers.Dense(2, use_bias=False, kernel_initializer="ones")(hidden)
    model = keras.Model(inputs, outputs)

    x = np.array([[[1, 1], [1, 1], [2, 2]]], dtype="float32")
    np.testing.assert_allclose(
        model.predict(x, verbose=0)[0], [[4, 4], [12, 12], [32, 32]], rtol=0, atol=1e-6
    )


def test_lstm_memory_cell_example():
    """One linear LSTM unit storing x1 when x2 = 1, erasing when x2 = -1, reading when x3 = 1."""
    # kernel rows: x1, x2, x3, h; columns in TF1 gate order i, j, f, o.
    kernel = np.array(
        [
            [0.0, 1.0, 0.0, 0.0],  # x1 -> j (the input z)
            [100.0, 0.0, 100.0, 0.0],  # x2 -> input and forget gates
            [0.0, 0.0, 0.0, 100.0],  # x3 -> output gate
            [0.0, 0.0, 0.0, 0.0],  # h -> nothing
        ],
        dtype="float32",
    )
    # forget gate: 100*x2 + 10 with the +10 from forget_bias, added at run time.
    bias = np.array([-10.0, 0.0, 0.0, -10.0], dtype="float32")
    cell = LSTMCell(1, activation="linear", forget_bias=10.0)
    cell.build((None, 3))
    cell.kernel.assign(kernel)
    cell.bias.assign(bias)

    x1 = [1, 3, 2, 4, 2, 1, 3, 6, 1]
    x2 = [0, 1, 0, 1, 0, 0, -1, 1, 0]
    x3 = [0, 0, 0, 0, 0, 1, 0, 0, 1]
    x = np.array([list(zip(x1, x2, x3))], dtype="float32")
    outputs, state = dynamic_rnn(cell, x)

    np.testing.assert_allclose(
        np.asarray(outputs)[0, :, 0], [0, 0, 0, 0, 0, 7, 0, 0, 6], atol=0.05
    )
    np.testing.assert_allclose(np.asarray(state.c)[0, 0], 6.0, atol=0.05)

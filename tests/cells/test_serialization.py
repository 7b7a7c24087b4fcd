"""Every cell: get_config/from_config, `.keras` round trip, use in Bidirectional(RNN)."""

import keras
import numpy as np
import pytest

from tfnotes import cells

TIME, DEPTH = 5, 3

CELLS = {
    "basic_rnn": lambda: cells.BasicRNNCell(4, activation="relu"),
    "gru": lambda: cells.GRUCell(4, kernel_initializer="he_normal", bias_initializer="ones"),
    "basic_lstm": lambda: cells.BasicLSTMCell(4, forget_bias=0.5, state_is_tuple=False),
    "lstm": lambda: cells.LSTMCell(
        4, use_peepholes=True, cell_clip=2.0, num_proj=3, proj_clip=0.5, forget_bias=0.0
    ),
    "multi": lambda: cells.MultiRNNCell(
        [cells.LSTMCell(4), cells.DropoutWrapper(cells.GRUCell(3), output_keep_prob=0.8)]
    ),
    "multi_concat": lambda: cells.MultiRNNCell(
        [cells.GRUCell(2), cells.LSTMCell(3, state_is_tuple=False)], state_is_tuple=False
    ),
    "dropout": lambda: cells.DropoutWrapper(
        cells.LSTMCell(4),
        input_keep_prob=0.9,
        output_keep_prob=0.8,
        state_keep_prob=0.7,
        variational_recurrent=True,
        input_size=DEPTH,
        seed=11,
    ),
    "elman": lambda: cells.ElmanCell(4, use_bias=False),
    "jordan": lambda: cells.JordanCell(4, output_units=2, output_activation="sigmoid"),
    "clockwork": lambda: cells.ClockworkRNNCell(4, periods=(1, 3)),
}


def sequences(batch=2):
    return np.random.RandomState(0).randn(batch, TIME, DEPTH).astype("float32")


@pytest.mark.parametrize("name", sorted(CELLS))
def test_get_config_from_config(name):
    cell = CELLS[name]()
    config = cell.get_config()
    clone = type(cell).from_config(config)
    assert type(clone) is type(cell)
    assert clone.get_config() == config
    assert clone.state_size == cell.state_size
    assert clone.output_size == cell.output_size


@pytest.mark.parametrize("name", sorted(CELLS))
def test_keras_file_round_trip(name, tmp_path):
    inputs = keras.Input(shape=(TIME, DEPTH))
    outputs = keras.layers.RNN(CELLS[name](), return_sequences=True)(inputs)
    model = keras.Model(inputs, outputs)
    x = sequences()
    expected = np.asarray(model(x))

    path = str(tmp_path / f"{name}.keras")
    model.save(path)
    loaded = keras.models.load_model(path)

    assert type(loaded.layers[1].cell) is type(model.layers[1].cell)
    np.testing.assert_array_equal(np.asarray(loaded(x)), expected)


@pytest.mark.parametrize("name", sorted(CELLS))
def test_bidirectional_rnn(name):
    cell = CELLS[name]()
    layer = keras.layers.Bidirectional(keras.layers.RNN(cell, return_sequences=True))
    outputs = layer(sequences(), training=False)
    assert tuple(outputs.shape) == (2, TIME, 2 * cell.output_size)
    assert layer.backward_layer.cell is not layer.forward_layer.cell
    assert type(layer.backward_layer.cell) is type(cell)
    forward, backward = np.split(np.asarray(outputs), 2, axis=-1)
    assert not np.allclose(forward, backward)


def test_subclassed_model_with_cells():
    class Tagger(keras.Model):
        def __init__(self):
            super().__init__()
            self.rnn = keras.layers.RNN(
                cells.MultiRNNCell([cells.LSTMCell(4), cells.ElmanCell(3)]), return_sequences=True
            )
            self.head = keras.layers.Dense(2)

        def call(self, x):
            return self.head(self.rnn(x))

    model = Tagger()
    outputs = model(sequences())
    assert tuple(outputs.shape) == (2, TIME, 2)
    assert len(model.trainable_weights) == 2 + 3 + 2

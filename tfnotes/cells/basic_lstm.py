"""`BasicLSTMCell`: TF1's LSTM without peepholes, clipping or projection."""

import keras

from tfnotes.cells.lstm import LSTMCell


@keras.saving.register_keras_serializable(package="tfnotes")
class BasicLSTMCell(LSTMCell):
    """TF1's `BasicLSTMCell`: the `LSTMCell` math without the options.

    `c' = sigmoid(f + forget_bias) * c + sigmoid(i) * act(j)`,
    `h' = act(c') * sigmoid(o)`, gate order i, j, f, o; `kernel`
    `[input_depth + num_units, 4 * num_units]`, `bias` zeros. Its TF1 variable
    scope is `basic_lstm_cell`.

    Args:
        num_units: number of units.
        forget_bias: added to the forget gate before the sigmoid.
        state_is_tuple: state as `LSTMStateTuple(c, h)` (True) or `[c, h]` concatenated.
        activation: activation of `j` and `c`, default `tanh`.
    """

    tf1_scope_name = "basic_lstm_cell"

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None, **kwargs):
        super().__init__(
            num_units,
            forget_bias=forget_bias,
            state_is_tuple=state_is_tuple,
            activation=activation,
            **kwargs,
        )

    def get_config(self):
        config = super().get_config()
        for key in ("use_peepholes", "cell_clip", "initializer", "num_proj", "proj_clip"):
            del config[key]
        return config

"""Parameter counts and weight layout in TF1's form."""

import numpy as np
import pytest

from tfnotes.cells import BasicLSTMCell, BasicRNNCell, GRUCell, LSTMCell


@pytest.mark.parametrize("units,inputs", [(1, 1), (3, 5), (8, 2)])
def test_lstm_parameter_count(units, inputs):
    for cell in (LSTMCell(units), BasicLSTMCell(units)):
        cell.build((None, inputs))
        assert cell.count_params() == 4 * (units * (inputs + units) + units)


@pytest.mark.parametrize("units,inputs", [(1, 1), (3, 5), (8, 2)])
def test_gru_parameter_count(units, inputs):
    cell = GRUCell(units)
    cell.build((None, inputs))
    assert cell.count_params() == 3 * (units * (inputs + units) + units)


def test_lstm_weight_shapes_and_initial_values():
    cell = LSTMCell(4, use_peepholes=True, num_proj=3)
    cell.build((None, 5))
    shapes = {name: tuple(v.shape) for name, v in cell.tf1_weights().items()}
    assert shapes == {
        "kernel": (5 + 3, 16),
        "bias": (16,),
        "w_f_diag": (4,),
        "w_i_diag": (4,),
        "w_o_diag": (4,),
        "projection/kernel": (4, 3),
    }
    np.testing.assert_array_equal(np.asarray(cell.bias), np.zeros(16))
    assert cell.state_size == [4, 3] and cell.output_size == 3
    assert LSTMCell(4, num_proj=3, state_is_tuple=False).state_size == 7


def test_gru_weight_shapes_and_bias_initial_values():
    cell = GRUCell(2)
    cell.build((None, 3))
    weights = cell.tf1_weights()
    assert tuple(weights["gates/kernel"].shape) == (5, 4)
    assert tuple(weights["candidate/kernel"].shape) == (5, 2)
    np.testing.assert_array_equal(np.asarray(weights["gates/bias"]), np.ones(4))
    np.testing.assert_array_equal(np.asarray(weights["candidate/bias"]), np.zeros(2))


def test_basic_rnn_parameter_count():
    cell = BasicRNNCell(3)
    cell.build((None, 2))
    assert cell.count_params() == 3 * (2 + 3) + 3

"""load_tf1_checkpoint: TF1 variable names, building from shapes, clear errors."""

import numpy as np
import pytest
import tensorflow as tf

from tfnotes.cells import (
    DropoutWrapper,
    GRUCell,
    LSTMCell,
    MultiRNNCell,
    load_tf1_checkpoint,
)


def write_checkpoint(tmp_path, variables):
    """A V2 checkpoint holding `variables` under their TF1 names (like `Saver`)."""
    prefix = str(tmp_path / "model.ckpt")
    names = sorted(variables)
    tf.raw_ops.SaveV2(
        prefix=prefix,
        tensor_names=names,
        shape_and_slices=[""] * len(names),
        tensors=[tf.constant(variables[name], tf.float32) for name in names],
    )
    return prefix


def values(*shape, start=0.0):
    return (start + np.arange(np.prod(shape), dtype="float32") / 100).reshape(shape)


def lstm_variables(scope, inputs, units, proj=None):
    h = proj or units
    found = {
        f"{scope}/kernel": values(inputs + h, 4 * units),
        f"{scope}/bias": values(4 * units, start=1),
        f"{scope}/w_f_diag": values(units, start=2),
        f"{scope}/w_i_diag": values(units, start=3),
        f"{scope}/w_o_diag": values(units, start=4),
    }
    if proj:
        found[f"{scope}/projection/kernel"] = values(units, proj, start=5)
    return found


def test_lstm_with_peepholes_and_projection_built_from_checkpoint(tmp_path):
    variables = lstm_variables("rnn/lstm_cell", inputs=3, units=4, proj=2)
    prefix = write_checkpoint(tmp_path, variables)
    cell = LSTMCell(4, use_peepholes=True, num_proj=2)
    assert not cell.built
    read = load_tf1_checkpoint(cell, prefix, "rnn/lstm_cell")
    assert sorted(read) == sorted(variables)
    assert tuple(cell.kernel.shape) == (5, 16)
    np.testing.assert_array_equal(np.asarray(cell.kernel), variables["rnn/lstm_cell/kernel"])
    np.testing.assert_array_equal(
        np.asarray(cell.projection_kernel), variables["rnn/lstm_cell/projection/kernel"]
    )
    np.testing.assert_array_equal(np.asarray(cell.w_o_diag), variables["rnn/lstm_cell/w_o_diag"])


def test_multi_rnn_cell_children_scopes_and_dropout_adds_none(tmp_path):
    scope = "rnn/multi_rnn_cell"
    variables = {
        f"{scope}/cell_0/gru_cell/gates/kernel": values(3 + 2, 4),
        f"{scope}/cell_0/gru_cell/gates/bias": values(4, start=1),
        f"{scope}/cell_0/gru_cell/candidate/kernel": values(3 + 2, 2, start=2),
        f"{scope}/cell_0/gru_cell/candidate/bias": values(2, start=3),
        f"{scope}/cell_1/lstm_cell/kernel": values(2 + 3, 12, start=4),
        f"{scope}/cell_1/lstm_cell/bias": values(12, start=5),
    }
    prefix = write_checkpoint(tmp_path, variables)
    cell = MultiRNNCell([GRUCell(2), DropoutWrapper(LSTMCell(3), output_keep_prob=0.5)])
    load_tf1_checkpoint(cell, prefix, scope)
    gru, lstm = cell.cells[0], cell.cells[1].cell
    np.testing.assert_array_equal(
        np.asarray(gru.candidate_kernel), variables[f"{scope}/cell_0/gru_cell/candidate/kernel"]
    )
    np.testing.assert_array_equal(
        np.asarray(lstm.bias), variables[f"{scope}/cell_1/lstm_cell/bias"]
    )


def test_missing_variable_names_it_and_the_expected_shape(tmp_path):
    variables = lstm_variables("rnn/lstm_cell", inputs=3, units=4)
    del variables["rnn/lstm_cell/w_i_diag"]
    prefix = write_checkpoint(tmp_path, variables)
    cell = LSTMCell(4, use_peepholes=True)
    with pytest.raises(ValueError) as error:
        load_tf1_checkpoint(cell, prefix, "rnn/lstm_cell")
    message = str(error.value)
    assert "rnn/lstm_cell/w_i_diag" in message
    assert "expected shape [4]" in message
    assert "not found" in message


def test_shape_mismatch_names_variable_expected_and_found(tmp_path):
    variables = lstm_variables("rnn/lstm_cell", inputs=3, units=4)
    prefix = write_checkpoint(tmp_path, variables)
    cell = LSTMCell(4, use_peepholes=True)
    cell.build((None, 5))  # built for 5 inputs; the checkpoint has 3
    before = np.asarray(cell.bias).copy()
    with pytest.raises(ValueError) as error:
        load_tf1_checkpoint(cell, prefix, "rnn/lstm_cell")
    message = str(error.value)
    assert "rnn/lstm_cell/kernel" in message
    assert "expected shape [9, 16]" in message and "found shape [7, 16]" in message
    # Nothing was assigned.
    np.testing.assert_array_equal(np.asarray(cell.bias), before)


def test_wrong_scope_for_unbuilt_cell(tmp_path):
    prefix = write_checkpoint(tmp_path, lstm_variables("rnn/lstm_cell", inputs=3, units=4))
    with pytest.raises(ValueError, match="rnn/basic_lstm_cell/kernel"):
        load_tf1_checkpoint(LSTMCell(4), prefix, "rnn/basic_lstm_cell")

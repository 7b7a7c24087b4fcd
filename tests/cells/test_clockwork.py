"""ClockworkRNNCell: update schedule and slow-to-fast connectivity."""

import numpy as np
import pytest

from tfnotes.cells import ClockworkRNNCell, dynamic_rnn

PERIODS = (1, 2, 4)
TIME = 9


def run(cell, initial_hidden):
    x = np.random.RandomState(2).randn(1, TIME, 2).astype("float32")
    initial = (initial_hidden, np.zeros((1, 1), "float32"))
    outputs, (hidden, step) = dynamic_rnn(cell, x, initial_state=initial)
    return np.asarray(outputs)[0], np.asarray(step)


def make_cell():
    cell = ClockworkRNNCell(3, periods=PERIODS, bias_initializer="ones")
    cell.build((None, 2))
    return cell


def test_group_updates_only_when_step_is_multiple_of_period():
    cell = make_cell()
    outputs, step = run(cell, np.full((1, 3), 0.3, "float32"))
    assert step[0, 0] == TIME
    previous = np.concatenate([np.full((1, 3), 0.3, "float32"), outputs[:-1]])
    for group, period in enumerate(PERIODS):
        changed = outputs[:, group] != previous[:, group]
        np.testing.assert_array_equal(changed, np.arange(TIME) % period == 0)


def test_slower_groups_feed_faster_ones_only():
    cell = make_cell()
    base, _ = run(cell, np.zeros((1, 3), "float32"))
    fast_changed, _ = run(cell, np.array([[5.0, 0.0, 0.0]], "float32"))
    slow_changed, _ = run(cell, np.array([[0.0, 0.0, 5.0]], "float32"))
    # The fastest group's state never reaches the slower groups...
    np.testing.assert_array_equal(fast_changed[:, 1:], base[:, 1:])
    # ...but the slowest group's state reaches all of them.
    assert not np.allclose(slow_changed[:, 0], base[:, 0])
    assert not np.allclose(slow_changed[:, 1], base[:, 1])
    mask = cell.recurrent_mask()
    np.testing.assert_array_equal(mask, [[1, 0, 0], [1, 1, 0], [1, 1, 1]])


def test_units_must_split_into_groups():
    with pytest.raises(ValueError, match="multiple"):
        ClockworkRNNCell(5, periods=(1, 2))

"""The TF1 ptb_producer window layout for truncated backpropagation through time."""

import numpy as np
import pytest

from tfnotes.errors import UsageError
from tfnotes.language import bptt_dataset, bptt_windows, tokens_per_epoch


def test_the_tf1_reader_tests_example():
    # tensorflow/models tutorials/rnn/ptb/reader_test.py: testPtbProducer.
    raw_data = [4, 3, 2, 1, 0, 5, 6, 1, 1, 1, 1, 0, 3, 4, 1]
    inputs, targets = bptt_windows(raw_data, batch_size=3, num_steps=2)
    assert inputs.shape == targets.shape == (2, 3, 2) and inputs.dtype == np.int32
    np.testing.assert_array_equal(inputs[0], [[4, 3], [5, 6], [1, 0]])
    np.testing.assert_array_equal(targets[0], [[3, 2], [6, 1], [0, 3]])
    np.testing.assert_array_equal(inputs[1], [[2, 1], [1, 1], [3, 4]])
    np.testing.assert_array_equal(targets[1], [[1, 0], [1, 1], [4, 1]])


def test_range_by_hand():
    # range(20) in 2 streams of 10: [0..9] and [10..19]; (10 - 1) // 3 = 3 windows.
    inputs, targets = bptt_windows(range(20), batch_size=2, num_steps=3)
    assert inputs.shape == (3, 2, 3)
    np.testing.assert_array_equal(inputs[0], [[0, 1, 2], [10, 11, 12]])
    np.testing.assert_array_equal(targets[0], [[1, 2, 3], [11, 12, 13]])
    np.testing.assert_array_equal(inputs[2], [[6, 7, 8], [16, 17, 18]])
    np.testing.assert_array_equal(targets[2], [[7, 8, 9], [17, 18, 19]])
    assert tokens_per_epoch(range(20), 2, 3) == 18


def test_consecutive_windows_continue_each_stream():
    ids = np.arange(1000) * 7 % 101
    inputs, targets = bptt_windows(ids, batch_size=4, num_steps=9)
    streams = np.concatenate(list(inputs), axis=1)  # windows side by side, per row
    stream_length = len(ids) // 4
    for row in range(4):
        start = row * stream_length
        np.testing.assert_array_equal(streams[row], ids[start:start + streams.shape[1]])
    np.testing.assert_array_equal(np.concatenate(list(targets), axis=1)[:, :-1], streams[:, 1:])


def test_the_dataset_yields_the_windows_in_order():
    inputs, targets = bptt_windows(range(50), 2, 4)
    batches = list(bptt_dataset(range(50), 2, 4).as_numpy_iterator())
    assert len(batches) == len(inputs) == 6
    for (x, y), want_x, want_y in zip(batches, inputs, targets):
        np.testing.assert_array_equal(x, want_x)
        np.testing.assert_array_equal(y, want_y)


def test_a_split_too_short_for_one_window_is_one_line_naming_it():
    with pytest.raises(UsageError) as error:
        bptt_windows(range(30), batch_size=4, num_steps=7, split="validation")
    message = str(error.value)
    assert "\n" not in message and "num_steps=7" in message and "validation split" in message
    assert "needs at least 32 tokens" in message and "has 30" in message
    bptt_windows(range(32), batch_size=4, num_steps=7)  # exactly enough: one window

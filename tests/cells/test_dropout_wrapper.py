"""DropoutWrapper: mask statistics, 1/keep scaling, variational masks, no dropout at inference."""

import keras
import numpy as np
import pytest

from tfnotes.cells import DropoutWrapper, ElmanCell, LSTMCell, LSTMStateTuple, dynamic_rnn

# Runs again on the JAX backend in `make test` (the cells and layers are backend-neutral).
pytestmark = pytest.mark.jax

BATCH, TIME, DEPTH = 64, 6, 32


def identity_cell():
    """A linear Elman cell whose output is its input (kernel I, no recurrence, no bias)."""
    return ElmanCell(
        DEPTH,
        activation="linear",
        use_bias=False,
        kernel_initializer="identity",
        recurrent_initializer="zeros",
    )


def ones():
    return np.ones((BATCH, TIME, DEPTH), dtype="float32")


@pytest.mark.parametrize("where", ["input", "output"])
def test_keep_rate_and_scaling(where):
    keep = 0.7
    kwargs = {f"{where}_keep_prob": keep}
    cell = DropoutWrapper(identity_cell(), seed=3, **kwargs)
    outputs, _ = dynamic_rnn(cell, ones(), training=True)
    outputs = np.asarray(outputs)
    kept = outputs != 0
    # Kept values are scaled by 1 / keep_prob; the rest are exactly zero.
    np.testing.assert_allclose(outputs[kept], 1.0 / keep, rtol=1e-6)
    assert abs(kept.mean() - keep) < 0.03  # 12288 draws: std ~ 0.004


def test_no_dropout_when_not_training():
    cell = DropoutWrapper(identity_cell(), 0.5, 0.5, 0.5, seed=1)
    for training in (False, None):
        outputs, _ = dynamic_rnn(cell, ones(), training=training)
        np.testing.assert_array_equal(np.asarray(outputs), ones())


def test_variational_masks_same_across_time_fresh_per_sequence_and_call():
    cell = DropoutWrapper(
        identity_cell(), input_keep_prob=0.5, variational_recurrent=True, input_size=DEPTH, seed=5
    )
    first, _ = dynamic_rnn(cell, ones(), training=True)
    first = np.asarray(first)
    for t in range(1, TIME):
        np.testing.assert_array_equal(first[:, t], first[:, 0])
    # One mask per sequence: rows differ from each other.
    assert len({row.tobytes() for row in first[:, 0]}) > BATCH // 2
    second, _ = dynamic_rnn(cell, ones(), training=True)
    assert not np.array_equal(np.asarray(second)[:, 0], first[:, 0])


def test_variational_masks_inside_keras_rnn_layer():
    cell = DropoutWrapper(identity_cell(), output_keep_prob=0.5, variational_recurrent=True, seed=2)
    layer = keras.layers.RNN(cell, return_sequences=True)
    outputs = np.asarray(layer(ones(), training=True))
    for t in range(1, TIME):
        np.testing.assert_array_equal(outputs[:, t], outputs[:, 0])
    assert 0.4 < (outputs != 0).mean() < 0.6


def test_non_variational_masks_differ_across_time():
    cell = DropoutWrapper(identity_cell(), input_keep_prob=0.5, seed=7)
    outputs, _ = dynamic_rnn(cell, ones(), training=True)
    outputs = np.asarray(outputs)
    for t in range(1, TIME):
        assert not np.array_equal(outputs[:, t], outputs[:, 0])


@pytest.mark.parametrize("variational", [False, True])
def test_lstm_memory_c_is_never_dropped(variational):
    inner = LSTMCell(16, initializer="ones")
    cell = DropoutWrapper(inner, state_keep_prob=0.5, variational_recurrent=variational, seed=4)
    x = np.full((BATCH, 3), 0.1, dtype="float32")
    state = cell.zero_state(BATCH, "float32")
    _, reference = inner(x, state)
    output, new_state = cell(x, state, training=True)
    assert isinstance(new_state, LSTMStateTuple)
    np.testing.assert_allclose(np.asarray(new_state.c), np.asarray(reference.c), rtol=1e-6)
    h, h_ref = np.asarray(new_state.h), np.asarray(reference.h)
    dropped = h == 0
    assert 0.35 < dropped.mean() < 0.65
    np.testing.assert_allclose(h[~dropped], h_ref[~dropped] / 0.5, rtol=1e-5)
    # The output is not dropped (output_keep_prob = 1).
    np.testing.assert_allclose(np.asarray(output), h_ref, rtol=1e-6)


def test_bad_keep_prob_and_missing_input_size():
    with pytest.raises(ValueError, match="input_keep_prob"):
        DropoutWrapper(identity_cell(), input_keep_prob=1.5)
    with pytest.raises(ValueError, match="input_size"):
        DropoutWrapper(identity_cell(), input_keep_prob=0.5, variational_recurrent=True)

"""The stateful language model: state carried across batches, resets, tying, save and reload."""

import keras
import numpy as np
import pytest

import tfnotes  # noqa: F401  (registers the cells for loading)
from tfnotes.cells import DropoutWrapper
from tfnotes.errors import UsageError
from tfnotes.language import (
    StatefulResetCallback,
    TiedEmbedding,
    build_language_model,
    reset_states,
    with_batch_shape,
)
from tfnotes.language.model import recurrent_cells, redraw_variational_masks

VOCAB, BATCH, STEPS = 11, 2, 4


def ids(length, seed=0):
    """Random token ids, [BATCH, length]."""
    return np.random.default_rng(seed).integers(0, VOCAB, size=(BATCH, length)).astype("int32")


def small_model(**options):
    """A seeded two-layer model for [BATCH, STEPS] ids; `options` go to build_language_model."""
    keras.utils.set_random_seed(1)
    settings = dict(batch_size=BATCH, num_steps=STEPS, num_layers=2, units=6)
    return build_language_model(VOCAB, **{**settings, **options})


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_state_carries_from_batch_to_batch(cell):
    model = small_model(cell=cell)
    stream = ids(2 * STEPS)
    first = np.asarray(model(stream[:, :STEPS]))
    second = np.asarray(model(stream[:, STEPS:]))  # continues from the first batch's state
    whole = np.asarray(with_batch_shape(model, BATCH, 2 * STEPS)(stream))  # one long run
    np.testing.assert_allclose(first, whole[:, :STEPS], atol=1e-5)
    np.testing.assert_allclose(second, whole[:, STEPS:], atol=1e-5)
    reset_states(model)
    fresh = np.asarray(model(stream[:, STEPS:]))  # the same batch from a zero state
    assert np.abs(fresh - second).max() > 1e-3


def test_the_reset_callback_zeroes_the_state_at_epoch_start_and_evaluation():
    model = small_model()
    model(ids(STEPS))
    state = model.get_layer("rnn").states
    assert any(np.abs(np.asarray(v)).max() > 0 for v in state)
    callback = StatefulResetCallback()
    callback.set_model(model)
    for hook in (callback.on_epoch_begin, callback.on_test_begin):
        model(ids(STEPS))
        hook(0) if hook == callback.on_epoch_begin else hook()
        assert all(np.abs(np.asarray(v)).max() == 0 for v in state)


def test_zaremba_dropout_wraps_each_cell_and_acts_only_in_training():
    model = small_model(keep_prob=0.5)
    stack = model.get_layer("rnn").cell.cells
    assert all(isinstance(cell, DropoutWrapper) for cell in stack)
    assert [cell.input_keep_prob for cell in stack] == [0.5, 1.0]  # the embeddings, once
    assert [cell.output_keep_prob for cell in stack] == [0.5, 0.5]  # every layer's output
    assert [cell.state_keep_prob for cell in stack] == [1.0, 1.0]  # never the recurrence
    batch = ids(STEPS)
    reset_states(model)
    evaluated = np.asarray(model(batch, training=False))
    reset_states(model)
    np.testing.assert_allclose(np.asarray(model(batch, training=False)), evaluated, atol=1e-6)
    reset_states(model)
    assert np.abs(np.asarray(model(batch, training=True)) - evaluated).max() > 1e-3


def test_variational_masks_are_redrawn_for_each_batch():
    model = small_model(keep_prob=0.5, variational_recurrent=True)
    stack = model.get_layer("rnn").cell.cells
    assert all(cell.variational_recurrent and cell.state_keep_prob == 0.5 for cell in stack)
    model(ids(STEPS), training=True)
    states = model.get_layer("rnn").states
    flags = [i for i, v in enumerate(states) if tuple(v.shape) == (BATCH, 1)]
    assert len(flags) == 2 and all(np.asarray(states[i]).min() == 1 for i in flags)
    before = [np.asarray(v).copy() for v in states]
    redraw_variational_masks(model)
    for index, variable in enumerate(states):
        expected = np.zeros_like(before[index]) if index in flags else before[index]
        np.testing.assert_array_equal(np.asarray(variable), expected)


def test_init_scale_draws_every_weight_but_the_cell_biases_uniformly():
    model = small_model(init_scale=0.1, seed=0)
    biases = [v for cell in recurrent_cells(model) for v in cell.weights if v.name == "bias"]
    assert len(biases) == 2 and all(np.all(np.asarray(v) == 0) for v in biases)
    others = [v for v in model.trainable_weights if all(v is not b for b in biases)]
    assert len(others) == 5  # embedding, 2 kernels, softmax kernel and bias
    for variable in others:
        values = np.asarray(variable)
        assert np.abs(values).max() <= 0.1 and np.abs(values).max() > 0.05


def test_tied_weights_share_the_embedding_and_need_equal_sizes():
    model = small_model(tie_weights=True)
    names = [v.path for v in model.trainable_weights]
    assert not any("softmax" in name for name in names)
    assert isinstance(model.get_layer("embedding"), TiedEmbedding)
    assert model(ids(STEPS)).shape == (BATCH, STEPS, VOCAB)
    with pytest.raises(UsageError, match="embedding_dim == units"):
        small_model(tie_weights=True, embedding_dim=3)


@pytest.mark.parametrize("tie_weights", [False, True])
def test_the_model_saves_as_keras_and_reloads(tmp_path, tie_weights):
    model = small_model(tie_weights=tie_weights, keep_prob=0.7)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    batch = ids(STEPS)
    reset_states(model)
    np.testing.assert_allclose(np.asarray(loaded(batch)), np.asarray(model(batch)), atol=1e-6)


def test_forget_bias_is_for_lstm_cells_only():
    model = small_model(cell="basic_lstm", forget_bias=0.0)
    assert [cell.forget_bias for cell in recurrent_cells(model)] == [0.0, 0.0]
    with pytest.raises(UsageError, match="forget_bias"):
        small_model(cell="gru", forget_bias=0.0)


def keras_lstm_weights_from(cell, units):
    """Keras LSTM's (kernel, recurrent_kernel, bias) computing what tfnotes `cell` computes.

    TF1's kernel is one [inputs + units, 4 units] matrix with gates i, j, f, o and the
    forget bias added at run time; Keras splits it into an input and a recurrent part
    with gates i, f, c (= j), o, and keeps the forget bias in its bias vector.
    """
    kernel, bias = np.asarray(cell.kernel), np.asarray(cell.bias)
    i, j, f, o = (slice(k * units, (k + 1) * units) for k in range(4))
    order = np.r_[i, f, j, o]
    bias = bias.copy()
    bias[f] += cell.forget_bias
    inputs = kernel.shape[0] - units
    return kernel[:inputs, order], kernel[inputs:, order], bias[order]


def test_the_keras_layer_model_computes_what_the_tfnotes_model_computes():
    ours = small_model(cell="lstm")
    theirs = small_model(cell="lstm", rnn_layer="keras")
    assert [layer.name for layer in theirs.layers if isinstance(layer, keras.layers.LSTM)] == [
        "rnn_0", "rnn_1"]
    theirs.get_layer("embedding").set_weights(ours.get_layer("embedding").get_weights())
    theirs.get_layer("softmax").set_weights(ours.get_layer("softmax").get_weights())
    for index, cell in enumerate(recurrent_cells(ours)):
        theirs.get_layer(f"rnn_{index}").set_weights(keras_lstm_weights_from(cell, 6))
    stream = ids(2 * STEPS)
    for window in (stream[:, :STEPS], stream[:, STEPS:]):  # the state carries in both
        np.testing.assert_allclose(np.asarray(theirs(window)), np.asarray(ours(window)),
                                   atol=1e-5)


def test_the_keras_layer_model_drops_where_the_wrappers_drop_and_reloads(tmp_path):
    model = small_model(cell="gru", rnn_layer="keras", keep_prob=0.5)
    dropouts = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert dropouts == ["input_dropout", "dropout_0", "dropout_1"]
    assert model.get_layer("rnn_0").cell.reset_after is False  # TF1's GRUCell
    assert [len(cell.weights) for cell in recurrent_cells(model)] == [3, 3]
    model.save(tmp_path / "model.keras")
    again = keras.models.load_model(tmp_path / "model.keras")
    window = ids(STEPS)
    np.testing.assert_allclose(np.asarray(again(window)), np.asarray(model(window)), atol=1e-6)


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(cell="elman"), "no layer for cell=elman"),
        (dict(keep_prob=0.5, variational_recurrent=True), "variational_recurrent"),
        (dict(forget_bias=0.5), "must be 0 or 1"),
        (dict(rnn_layer="cudnn"), "rnn_layer=cudnn is not one of tfnotes, keras"),
    ],
)
def test_the_keras_layer_model_refuses_what_keras_layers_cannot_do(options, message):
    with pytest.raises(UsageError, match=message):
        small_model(**{"rnn_layer": "keras", **options})

"""FusedRNN: the same outputs, states and gradients as keras.layers.RNN, and TF1's references."""

import keras
import numpy as np
import pytest

from tfnotes.cells import (
    BasicLSTMCell,
    BasicRNNCell,
    DropoutWrapper,
    ElmanCell,
    FusedRNN,
    GRUCell,
    LSTMCell,
    MultiRNNCell,
    dynamic_rnn,
    load_tf1_checkpoint,
)

# Runs again on the JAX backend in `make test` (the cells and layers are backend-neutral).
pytestmark = pytest.mark.jax

BATCH, TIME, DEPTH = 3, 7, 5
TOLERANCE = {"atol": 1e-5, "rtol": 1e-5}

CELLS = {
    "lstm": lambda: LSTMCell(4),
    "lstm_peepholes": lambda: LSTMCell(4, use_peepholes=True, forget_bias=0.3),
    "lstm_cell_clip": lambda: LSTMCell(4, cell_clip=0.2),
    "lstm_projection": lambda: LSTMCell(4, num_proj=3, proj_clip=0.05),
    "lstm_all_options": lambda: LSTMCell(
        4, use_peepholes=True, cell_clip=0.5, num_proj=3, proj_clip=0.1
    ),
    "lstm_concat_state": lambda: LSTMCell(4, num_proj=2, state_is_tuple=False),
    "lstm_relu": lambda: LSTMCell(4, activation="relu"),
    "basic_lstm": lambda: BasicLSTMCell(4),
    "basic_lstm_concat_state": lambda: BasicLSTMCell(4, forget_bias=0.5, state_is_tuple=False),
    "gru": lambda: GRUCell(4),
    "basic_rnn": lambda: BasicRNNCell(4),
}
# Wrappers and stacks run layer after layer; outside training the wrapper drops nothing.
COMPOSED_CELLS = {
    "stack": lambda: MultiRNNCell([LSTMCell(4), GRUCell(3), BasicRNNCell(2)]),
    "stack_concat_state": lambda: MultiRNNCell(
        [BasicLSTMCell(3, state_is_tuple=False), GRUCell(2)], state_is_tuple=False
    ),
    "dropout_wrapper": lambda: DropoutWrapper(LSTMCell(4), input_keep_prob=0.5,
                                              output_keep_prob=0.7),
    "dropout_stack": lambda: MultiRNNCell([
        DropoutWrapper(GRUCell(3), output_keep_prob=0.5, seed=1),
        DropoutWrapper(LSTMCell(4, use_peepholes=True), input_keep_prob=0.6,
                       output_keep_prob=0.5, variational_recurrent=True, input_size=3, seed=2),
    ]),
}


def inputs():
    return np.random.default_rng(0).standard_normal((BATCH, TIME, DEPTH), dtype=np.float32)


def length_mask():
    """Row 0 full, row 1 four steps, row 2 none (the state must pass through)."""
    return np.arange(TIME)[None, :] < np.array([[TIME], [4], [0]])


def initial_state(cell):
    rng = np.random.default_rng(1)
    sizes = cell.flat_state_sizes()
    return [rng.standard_normal((BATCH, size), dtype=np.float32) for size in sizes]


def weighted_sum(outputs):
    """A loss that weighs every element of every output differently."""
    rng = np.random.default_rng(2)
    return sum(
        keras.ops.sum(output * rng.standard_normal(tuple(output.shape), dtype=np.float32))
        for output in outputs
    )


def outputs_and_gradients(layer, x, state, mask):
    """The layer's outputs and the gradients of `weighted_sum` w.r.t. x, state and weights."""
    weights = layer.cell.trainable_weights
    if keras.backend.backend() == "jax":
        import jax

        def loss(values, x, state):
            with keras.StatelessScope(state_mapping=list(zip(weights, values))):
                outputs = layer(x, initial_state=state, mask=mask)
            return weighted_sum(outputs), outputs

        values = [w.value for w in weights]
        grads, outputs = jax.grad(loss, argnums=(0, 1, 2), has_aux=True)(values, x, state)
        grads = [*grads[0], grads[1], *grads[2]]
    else:
        import tensorflow as tf

        x = tf.constant(x)
        state = [tf.constant(s) for s in state]
        with tf.GradientTape() as tape:
            tape.watch([x, *state])
            outputs = layer(x, initial_state=state, mask=mask)
            total = weighted_sum(outputs)
        grads = tape.gradient(total, [*weights, x, *state])
    return [np.asarray(o) for o in outputs], [np.asarray(g) for g in grads]


def both_layers(cell, **kwargs):
    """`keras.layers.RNN` and `FusedRNN` sharing one cell, both built."""
    plain = keras.layers.RNN(cell, return_sequences=True, return_state=True, **kwargs)
    fused = FusedRNN(cell, return_sequences=True, return_state=True, **kwargs)
    plain(inputs())
    return plain, fused


@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forward", "backward"])
@pytest.mark.parametrize("name", sorted(CELLS))
def test_outputs_states_and_gradients_match_plain_rnn(name, go_backwards, masked):
    check_against_plain_rnn(CELLS[name](), go_backwards, masked)


@pytest.mark.parametrize("go_backwards, masked", [(False, True), (True, False)],
                         ids=["forward_mask", "backward_nomask"])
@pytest.mark.parametrize("name", sorted(COMPOSED_CELLS))
def test_wrappers_and_stacks_match_plain_rnn(name, go_backwards, masked):
    check_against_plain_rnn(COMPOSED_CELLS[name](), go_backwards, masked)


def check_against_plain_rnn(cell, go_backwards, masked):
    """FusedRNN's outputs, final states and gradients equal keras.layers.RNN's."""
    plain, fused = both_layers(cell, go_backwards=go_backwards, zero_output_for_mask=True)
    mask = length_mask() if masked else None
    state = initial_state(cell)
    expected_outputs, expected_grads = outputs_and_gradients(plain, inputs(), state, mask)
    got_outputs, got_grads = outputs_and_gradients(fused, inputs(), state, mask)
    assert len(got_outputs) == len(expected_outputs)
    for got, expected in zip(got_outputs, expected_outputs):
        np.testing.assert_allclose(got, expected, **TOLERANCE)
    for index, (got, expected) in enumerate(zip(got_grads, expected_grads)):
        np.testing.assert_allclose(got, expected, err_msg=f"gradient {index}", **TOLERANCE)


@pytest.mark.parametrize("name", ["lstm", "gru", "basic_rnn"])
def test_masked_steps_repeat_the_previous_output_like_keras(name):
    """Keras' TensorFlow loop repeats the last real output at a masked step (zeros before it).

    The expectation is built from unmasked outputs, not from the JAX loop, which repeats
    `states[0]` instead: for a TF1 LSTM that is `c`, not the output `h`.
    """
    plain, fused = both_layers(CELLS[name]())
    real_outputs = np.asarray(plain(inputs())[0])
    lengths = length_mask().sum(axis=1)
    expected = np.zeros_like(real_outputs)
    for row, length in enumerate(lengths):
        expected[row, :length] = real_outputs[row, :length]
        if length:
            expected[row, length:] = real_outputs[row, length - 1]
    got = np.asarray(fused(inputs(), mask=length_mask())[0])
    np.testing.assert_allclose(got, expected, **TOLERANCE)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_last_output_only(go_backwards):
    cell = BasicLSTMCell(4)
    plain = keras.layers.RNN(cell, go_backwards=go_backwards)
    fused = FusedRNN(cell, go_backwards=go_backwards)
    expected = np.asarray(plain(inputs()))
    np.testing.assert_allclose(np.asarray(fused(inputs())), expected, **TOLERANCE)


def test_dynamic_rnn_fused_option_matches_and_falls_back():
    x = inputs()
    lengths = np.array([TIME, 4, 0], "int32")
    cell = LSTMCell(4, use_peepholes=True)
    expected, expected_state = dynamic_rnn(cell, x, sequence_length=lengths, fused=False)
    got, got_state = dynamic_rnn(cell, x, sequence_length=lengths)  # fused by default
    np.testing.assert_allclose(np.asarray(got), np.asarray(expected), **TOLERANCE)
    np.testing.assert_allclose(np.asarray(got_state.h), np.asarray(expected_state.h), **TOLERANCE)
    stack = MultiRNNCell([GRUCell(3), ElmanCell(2)])  # not supported: plain path
    outputs, _ = dynamic_rnn(stack, x, fused=True)
    assert tuple(outputs.shape) == (BATCH, TIME, 2)


def test_unsupported_cell_is_a_clear_error():
    with pytest.raises(ValueError, match="FusedRNN supports .* got ElmanCell"):
        FusedRNN(ElmanCell(3))


def test_keras_file_round_trip(tmp_path):
    sequence = keras.Input((TIME, DEPTH))
    outputs = FusedRNN(LSTMCell(4, use_peepholes=True, num_proj=3), return_sequences=True)(sequence)
    model = keras.Model(sequence, FusedRNN(GRUCell(2), go_backwards=True)(outputs))
    path = tmp_path / "fused.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.layers[1], FusedRNN) and isinstance(loaded.layers[1].cell, LSTMCell)
    assert loaded.layers[2].go_backwards
    np.testing.assert_allclose(
        np.asarray(loaded(inputs())), np.asarray(model(inputs())), **TOLERANCE
    )


def golden_case(name):
    """`(checkpoint prefix, case.json, reference arrays)` of a TF1 golden fixture."""
    import json
    import pathlib

    case_dir = pathlib.Path(__file__).resolve().parents[1] / "golden" / "fixtures" / name
    description = json.loads((case_dir / "case.json").read_text())
    with np.load(case_dir / "reference.npz") as archive:
        reference = dict(archive)
    return str(case_dir / description["checkpoint"]), description, reference


@pytest.mark.parametrize("name", ["lstm_all_options", "basic_lstm", "gru_sequence_length"])
def test_tf1_checkpoint_loads_into_the_fused_path_and_matches_tf1(name):
    path, description, reference = golden_case(name)
    spec = description["cell"]
    cell = {"LSTMCell": LSTMCell, "BasicLSTMCell": BasicLSTMCell, "GRUCell": GRUCell}[
        spec["class"]](**spec["kwargs"])
    load_tf1_checkpoint(cell, path, description["scopes"]["cell"])
    mask = None
    if description["sequence_length"]:
        steps = np.arange(reference["inputs"].shape[1])
        mask = steps[None, :] < reference["sequence_length"][:, None]
    layer = FusedRNN(cell, return_sequences=True, return_state=True, zero_output_for_mask=True)
    outputs, *states = layer(reference["inputs"], mask=mask)
    np.testing.assert_allclose(np.asarray(outputs), reference["outputs"], **TOLERANCE)
    leaves = sorted(key for key in reference if key.startswith("final_state"))
    assert len(leaves) == len(states)
    for key, state in zip(leaves, states):
        np.testing.assert_allclose(np.asarray(state), reference[key], err_msg=key, **TOLERANCE)


@pytest.mark.parametrize("missing", ["the function", "the module"])
def test_missing_private_backend_rnn_fails_loudly_at_import(monkeypatch, missing):
    # fused.py needs the private keras.src.backend.rnn (the loop keras.layers.RNN
    # runs): a Keras without it must stop the import with one line, not fail later.
    import importlib.util
    import sys

    import keras.src.backend

    from tfnotes.cells import fused_programs as fused

    monkeypatch.setattr(keras, "__version__", "3.99.0")
    if missing == "the function":  # renamed or moved in keras.src.backend
        monkeypatch.delattr(keras.src.backend, "rnn")
    else:  # keras.src.backend itself is gone
        monkeypatch.setitem(sys.modules, "keras.src.backend", None)
    # A fresh copy of fused_programs.py, not importlib.reload: a reload that succeeded would
    # register a second FusedRNN class for .keras loading, unlike the other tests' one.
    spec = importlib.util.spec_from_file_location("tfnotes.cells._programs_copy", fused.__file__)
    copy = importlib.util.module_from_spec(spec)
    with pytest.raises(ImportError) as caught:
        spec.loader.exec_module(copy)
    message = str(caught.value)
    assert "\n" not in message
    needs = "tfnotes.cells.fused_programs needs the private Keras code keras.src.backend.rnn"
    assert needs in message
    assert "Keras 3.99.0 does not have" in message
    assert "tested on Keras 3.15.x: pip install 'keras>=3.15,<3.16'" in message
    assert isinstance(caught.value.__cause__, ImportError)  # Keras's own error, chained


def test_state_dropout_keeps_the_plain_loop():
    from tfnotes.cells import recurrent_layer

    wrapped = DropoutWrapper(LSTMCell(4), state_keep_prob=0.5)
    assert not FusedRNN.supports(wrapped)
    assert not FusedRNN.supports(MultiRNNCell([LSTMCell(4), wrapped]))
    assert type(recurrent_layer(wrapped)) is keras.layers.RNN
    assert type(recurrent_layer(LSTMCell(4))) is FusedRNN
    assert type(recurrent_layer(LSTMCell(4), fused=False)) is keras.layers.RNN


def dropped_outputs(wrapper, x, **layer_options):
    """The fused layer's outputs in training, and which of them were dropped (exact zeros)."""
    layer = FusedRNN(wrapper, return_sequences=True, **layer_options)
    outputs = np.asarray(layer(x, training=True))
    return outputs, outputs == 0.0


def test_per_step_output_dropout_drops_each_step_anew_at_the_keep_rate():
    x = np.random.default_rng(3).standard_normal((64, 20, DEPTH), dtype=np.float32)
    _, dropped = dropped_outputs(DropoutWrapper(LSTMCell(16), output_keep_prob=0.6, seed=3), x)
    assert abs(dropped.mean() - 0.4) < 0.03
    assert (dropped[:, 1:] != dropped[:, :-1]).mean() > 0.3  # new masks at every step


def test_variational_dropout_uses_one_mask_per_sequence_at_every_step():
    x = np.random.default_rng(3).standard_normal((64, 20, DEPTH), dtype=np.float32)
    wrapper = DropoutWrapper(GRUCell(16), input_keep_prob=0.8, output_keep_prob=0.6,
                             variational_recurrent=True, input_size=DEPTH, seed=3)
    outputs, dropped = dropped_outputs(wrapper, x)
    assert abs(dropped.mean() - 0.4) < 0.05
    assert (dropped == dropped[:, :1]).all()  # the same units dropped at every step
    kept = outputs[~dropped]
    assert np.isfinite(kept).all() and np.abs(kept).max() <= 1 / 0.6 + 1e-5


def test_training_dropout_reproduces_with_a_seed_and_matches_at_keep_prob_one():
    x = inputs()

    def run(seed, keep):
        cell = DropoutWrapper(LSTMCell(4), input_keep_prob=keep, output_keep_prob=keep,
                              seed=seed)
        keras.utils.set_random_seed(0)  # the same weights each time
        layer = FusedRNN(cell, return_sequences=True)
        layer(x)
        return np.asarray(layer(x, training=True)), layer

    first, _ = run(5, 0.5)
    again, _ = run(5, 0.5)
    other, _ = run(6, 0.5)
    np.testing.assert_array_equal(first, again)
    assert np.abs(first - other).max() > 1e-3
    undropped, layer = run(5, 1.0)
    plain = keras.layers.RNN(layer.cell, return_sequences=True)
    np.testing.assert_allclose(undropped, np.asarray(plain(x, training=True)), **TOLERANCE)


@pytest.mark.parametrize("cell_class", [LSTMCell, GRUCell])
def test_a_compiled_model_of_unknown_length_trains_like_the_plain_loop(cell_class):
    # Batch and time unknown until the data comes: the hand-written gradients' loops
    # must not need a static length (slot filling pads each batch to its own length).
    x = inputs()
    x[1, 4:] = 0.0  # masked by Masking from step 4

    def trained(layer_class):
        keras.utils.set_random_seed(0)
        sequence = keras.Input((None, DEPTH))
        outputs = layer_class(cell_class(4), return_sequences=True)(
            keras.layers.Masking(0.0)(sequence))
        model = keras.Model(sequence, outputs)
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse", jit_compile=True)
        model.train_on_batch(x, np.ones((BATCH, TIME, 4), np.float32))
        return [np.asarray(w) for w in model.weights]

    for got, expected in zip(trained(FusedRNN), trained(keras.layers.RNN)):
        np.testing.assert_allclose(got, expected, **TOLERANCE)

"""A TF1 ptb_word_lm checkpoint (the real 2017 graph, in a subprocess) in the Keras model."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

from tfnotes.language import build_language_model
from tfnotes.language.tf1_port import load_tf1_language_model

HERE = pathlib.Path(__file__).resolve().parent
VOCAB, SIZE, LAYERS, BATCH, STEPS = 13, 8, 2, 3, 4  # as tf1_ptb_graph.py
NAMES = [
    "Model/embedding [13, 8]",
    "Model/RNN/multi_rnn_cell/cell_0/basic_lstm_cell/kernel [16, 32]",
    "Model/RNN/multi_rnn_cell/cell_0/basic_lstm_cell/bias [32]",
    "Model/RNN/multi_rnn_cell/cell_1/basic_lstm_cell/kernel [16, 32]",
    "Model/RNN/multi_rnn_cell/cell_1/basic_lstm_cell/bias [32]",
    "Model/softmax_w [8, 13]",
    "Model/softmax_b [13]",
]


@pytest.fixture(scope="module")
def tf1_run(tmp_path_factory):
    """The folder tf1_ptb_graph.py wrote (checkpoint, reference logits, variable names)."""
    output = tmp_path_factory.mktemp("tf1_ptb")
    subprocess.run(
        [sys.executable, str(HERE / "tf1_ptb_graph.py"), str(output)],
        check=True, capture_output=True, timeout=120,
    )
    return output


def keras_model(**options):
    """The Keras model of tf1_ptb_graph.py's sizes and cells; `options` change it."""
    settings = dict(batch_size=BATCH, num_steps=STEPS, cell="basic_lstm", forget_bias=0.0,
                    num_layers=LAYERS, units=SIZE)
    return build_language_model(VOCAB, **{**settings, **options})


@pytest.mark.slow
def test_the_tutorials_checkpoint_gives_the_same_logits_over_a_stateful_run(tf1_run):
    assert (tf1_run / "variables.txt").read_text().splitlines() == NAMES
    model = keras_model(keep_prob=0.5)  # dropout wrappers add no scope and act only in training
    read = load_tf1_language_model(model, tf1_run / "model.ckpt")
    assert sorted(read) == sorted(name.split()[0] for name in NAMES)
    reference = np.load(tf1_run / "reference.npz")
    for window, expected in zip(reference["inputs"], reference["logits"]):
        np.testing.assert_allclose(np.asarray(model(window)), expected, atol=1e-5)


@pytest.mark.slow
def test_a_mismatched_model_is_refused_before_anything_is_assigned(tf1_run):
    model = keras_model(units=SIZE + 1)
    before = [np.asarray(v).copy() for v in model.weights]
    with pytest.raises(ValueError, match="Model/embedding' has shape \\[13, 8\\]"):
        load_tf1_language_model(model, tf1_run / "model.ckpt")
    assert all(np.array_equal(np.asarray(v), b) for v, b in zip(model.weights, before))
    with pytest.raises(ValueError, match="tie_weights=False"):
        load_tf1_language_model(keras_model(tie_weights=True), tf1_run / "model.ckpt")
    with pytest.raises(ValueError, match="'Other/embedding' not found"):
        load_tf1_language_model(keras_model(), tf1_run / "model.ckpt", scope="Other")

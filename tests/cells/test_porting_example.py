"""The README's porting example, run on a real TF1 checkpoint from the golden fixtures."""

import pathlib

import keras
import numpy as np

import tfnotes  # noqa: F401  (registers the cells for load_model)
from tfnotes.cells import LSTMCell, dynamic_rnn, load_tf1_checkpoint

FIXTURE = pathlib.Path(__file__).resolve().parents[1] / "golden" / "fixtures" / "lstm_all_options"


def test_tf1_checkpoint_ports_to_a_saved_keras_model(tmp_path):
    reference = np.load(FIXTURE / "reference.npz")
    x = reference["inputs"]
    cell = LSTMCell(
        5, use_peepholes=True, cell_clip=0.5, num_proj=3, proj_clip=0.1, forget_bias=0.3
    )
    load_tf1_checkpoint(cell, str(FIXTURE / "model.ckpt"), scope="rnn/lstm_cell")
    outputs, state = dynamic_rnn(cell, x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(outputs), reference["outputs"], atol=1e-5)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(state.h), reference["final_state_1"], atol=1e-5
    )

    inputs = keras.Input((None, x.shape[-1]))
    model = keras.Model(inputs, keras.layers.RNN(cell, return_sequences=True)(inputs))
    model.save(tmp_path / "ported.keras")
    reloaded = keras.models.load_model(tmp_path / "ported.keras")
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), reference["outputs"], atol=1e-5)

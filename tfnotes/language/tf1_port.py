"""`load_tf1_language_model`: a TF1 ``ptb_word_lm`` checkpoint into `build_language_model`.

TensorFlow's PTB tutorial (``tutorials/rnn/ptb/ptb_word_lm.py``, TF 1.x) saves::

    Model/embedding                                          [vocab, size]
    Model/RNN/multi_rnn_cell/cell_<i>/basic_lstm_cell/kernel [input + size, 4 * size]
    Model/RNN/multi_rnn_cell/cell_<i>/basic_lstm_cell/bias   [4 * size]
    Model/softmax_w                                          [size, vocab]
    Model/softmax_b                                          [vocab]

(plus the optimizer's and the learning-rate variables, which are not read). Build the
Keras model with the same sizes, ``cell="basic_lstm"`` and ``forget_bias=0.0`` (the
tutorial's cells; the forget bias is added at run time, it is in no checkpoint), and
the vocabulary read from the same ``ptb.train.txt`` (`tfnotes.language.read_ptb_corpus`
numbers words as the tutorial's reader does), then::

    model = build_language_model(10000, batch_size=20, num_steps=20, cell="basic_lstm",
                                 forget_bias=0.0, num_layers=2, units=200)
    load_tf1_language_model(model, "ptb_small/model.ckpt-12345")
"""

from __future__ import annotations

import numpy as np

from tfnotes.cells import load_tf1_checkpoint
from tfnotes.language.model import EMBEDDING_LAYER, RNN_LAYER, SOFTMAX_LAYER, TiedEmbedding


def load_tf1_language_model(model, checkpoint, scope: str = "Model", rnn_scope: str = "RNN"):
    """Assigns a `build_language_model` model's weights from a TF1 ``ptb_word_lm`` checkpoint.

    Args:
        model: an untied `build_language_model` model (TF1's tutorial ties nothing).
        checkpoint: a checkpoint prefix or directory (`tf.train.load_checkpoint`).
        scope: the tutorial's model scope (``Model``).
        rnn_scope: the scope its time loop runs the cell in (``RNN``).

    Returns:
        The TF1 variable names that were read.

    Raises:
        ValueError: a variable is missing or has another shape (naming it, the expected
            and the found shape), or `model` ties its weights. Nothing is assigned then.
    """
    import tensorflow as tf  # checkpoint I/O only

    if isinstance(model.get_layer(EMBEDDING_LAYER), TiedEmbedding):
        raise ValueError("TF1's ptb_word_lm has separate softmax_w and embedding: build the "
                         "model with tie_weights=False")
    reader = tf.train.load_checkpoint(str(checkpoint))
    shapes = reader.get_variable_to_shape_map()
    softmax = model.get_layer(SOFTMAX_LAYER)
    outer = {
        f"{scope}/embedding": model.get_layer(EMBEDDING_LAYER).embeddings,
        f"{scope}/softmax_w": softmax.kernel,
        f"{scope}/softmax_b": softmax.bias,
    }
    values = {}
    for name, variable in outer.items():
        expected = tuple(int(d) for d in variable.shape)
        if name not in shapes:
            near = sorted(n for n in shapes if n.startswith(f"{scope}/"))[:12]
            raise ValueError(
                f"TF1 checkpoint {str(checkpoint)!r}: variable {name!r} not found (expected "
                f"shape {list(expected)}); variables under {scope!r} include: {near or 'none'}"
            )
        if tuple(shapes[name]) != expected:
            raise ValueError(
                f"TF1 checkpoint {str(checkpoint)!r}: variable {name!r} has shape "
                f"{list(shapes[name])}, the model expects {list(expected)}"
            )
        values[name] = reader.get_tensor(name)
    # The cells check every variable before assigning any; then the outer weights.
    cell_names = load_tf1_checkpoint(
        model.get_layer(RNN_LAYER).cell, str(checkpoint), f"{scope}/{rnn_scope}/multi_rnn_cell"
    )
    for name, variable in outer.items():
        variable.assign(np.asarray(values[name], dtype=variable.dtype))
    return [*outer, *cell_names]

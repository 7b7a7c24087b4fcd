"""The language model: embedding -> stateful `MultiRNNCell` of `DropoutWrapper` cells -> logits.

The shape of TF1's ``ptb_word_lm`` (Zaremba et al. 2014) in Keras 3::

    ids [batch, num_steps] -> Embedding -> RNN(MultiRNNCell([DropoutWrapper(cell_i)]),
        stateful=True, return_sequences=True) -> Dense(vocabulary) -> logits

Dropout is Zaremba's non-recurrent kind: ``keep_prob`` on the embeddings (the first
wrapper's input) and on every layer's output, never on the recurrent state; with
``variational_recurrent=True`` (Gal & Ghahramani 2016) one mask per sequence is used at
every step, on the state too. The RNN is stateful: the final state of a batch is the
initial state of the next, as `tfnotes.language.batching` lays the windows out;
`StatefulResetCallback` zeroes it at each epoch start and before each evaluation.

With ``rnn_layer="keras"`` the same model is built from Keras' own layers instead
(``keras.layers.LSTM`` / ``GRU`` / ``SimpleRNN`` stacked one per layer, each stateful,
with ``keras.layers.Dropout`` in the wrapper's places): the reference the
``language_model_vs_keras`` experiment measures the tfnotes cells against.

The model is a plain functional Keras model of built-in layers and `tfnotes.cells`, so
``keras.models.load_model("model.keras")`` reads it after ``import tfnotes``; with
``tie_weights=True`` its `TiedEmbedding` (registered here) also serves as the output
layer.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from tfnotes.cells import DropoutWrapper, MultiRNNCell, make_cell, recurrent_layer
from tfnotes.errors import UsageError

RNN_LAYER = "rnn"
EMBEDDING_LAYER = "embedding"
SOFTMAX_LAYER = "softmax"
LSTM_CELLS = ("lstm", "basic_lstm")  # the cells that take forget_bias=
RNN_LAYERS = ("tfnotes", "keras")  # MultiRNNCell of tfnotes cells, or Keras' own layers
# The Keras layer computing what each tfnotes cell computes (TF1's GRUCell resets
# before the matrix product: reset_after=False).
KERAS_LAYERS = {
    "lstm": (keras.layers.LSTM, {}),
    "basic_lstm": (keras.layers.LSTM, {}),
    "gru": (keras.layers.GRU, {"reset_after": False}),
    "basic_rnn": (keras.layers.SimpleRNN, {}),
}


@keras.saving.register_keras_serializable(package="tfnotes")
class TiedEmbedding(keras.layers.Layer):
    """An embedding whose transpose is also the output projection (weight tying).

    ``layer(ids)`` looks up ``embeddings[ids]``; ``layer(h, project=True)`` returns the
    logits ``h @ embeddings.T + output_bias`` (Press & Wolf 2017, Inan et al. 2017).

    Args:
        input_dim: vocabulary size.
        output_dim: embedding size (the recurrent output's size, to be tied).
        embeddings_initializer: initializer of the table.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", **kwargs):
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
        )
        self.output_bias = self.add_weight(
            name="output_bias", shape=(self.input_dim,), initializer="zeros"
        )

    def call(self, inputs, project=False):
        if project:
            return ops.matmul(inputs, ops.transpose(self.embeddings)) + self.output_bias
        return ops.take(self.embeddings, ops.cast(inputs, "int32"), axis=0)

    def compute_output_spec(self, inputs, project=False):
        if project:
            return keras.KerasTensor((*inputs.shape[:-1], self.input_dim), self.compute_dtype)
        return keras.KerasTensor((*inputs.shape, self.output_dim), self.compute_dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": keras.initializers.serialize(self.embeddings_initializer),
        }


def build_language_model(
    vocab_size: int,
    *,
    batch_size: int,
    num_steps: int | None = None,
    cell: str = "lstm",
    num_layers: int = 1,
    units: int = 128,
    forget_bias: float | None = None,
    embedding_dim: int = 0,
    keep_prob: float = 1.0,
    variational_recurrent: bool = False,
    tie_weights: bool = False,
    init_scale: float = 0.0,
    seed: int | None = None,
    rnn_layer: str = "tfnotes",
    fused: bool = True,
    name: str = "language_model",
) -> keras.Model:
    """The stateful language model, built for ``[batch_size, num_steps]`` int32 ids.

    Args:
        vocab_size: tokens in the vocabulary (the logits' depth).
        batch_size: the fixed batch a stateful RNN needs (its state variables' rows).
        num_steps: window length, or None for any length (sampling).
        cell, num_layers, units: `tfnotes.cells.make_cell` kind, depth of the stack, units.
        forget_bias: the LSTM cells' forget bias (None: the cell's default, 1.0; TF1's
            tutorial uses 0.0); only for the cells in `LSTM_CELLS`.
        embedding_dim: embedding size (0: `units`).
        keep_prob: Zaremba's keep probability on the embeddings and every layer's output
            (1: no dropout, and no `DropoutWrapper`).
        variational_recurrent: one dropout mask per sequence, on the state as well.
        tie_weights: the output layer is the embedding's transpose (needs
            ``embedding_dim == units``).
        init_scale: > 0: every weight but the cells' biases drawn from
            ``U(-init_scale, init_scale)`` (the TF1 tutorial's initializer); 0: each
            layer's own initializer.
        seed: seed of the dropout masks and of the `init_scale` draw.
        rnn_layer: "tfnotes" (one stateful RNN layer named `RNN_LAYER` over a
            `MultiRNNCell`) or "keras" (`keras_recurrent_stack`: Keras' own layers,
            named ``rnn_0``, ``rnn_1``, ...; no variational dropout).
        fused: run the tfnotes stack on the fast path (`tfnotes.cells.recurrent_layer`:
            `FusedRNN` where the cells allow it); False: the plain `keras.layers.RNN`.
    """
    embedding_dim = embedding_dim or units
    if tie_weights and embedding_dim != units:
        raise UsageError(
            f"tie_weights=True needs embedding_dim == units, got embedding_dim={embedding_dim} "
            f"and units={units}"
        )
    if not 0.0 < keep_prob <= 1.0:
        raise UsageError(f"keep_prob={keep_prob} must be in (0, 1]")
    ids = keras.Input(batch_shape=(batch_size, num_steps), dtype="int32", name="ids")
    if tie_weights:
        embedding = TiedEmbedding(vocab_size, embedding_dim, name=EMBEDDING_LAYER)
    else:
        embedding = keras.layers.Embedding(vocab_size, embedding_dim, name=EMBEDDING_LAYER)
    if forget_bias is not None and cell not in LSTM_CELLS:
        raise UsageError(f"forget_bias= is an option of {', '.join(LSTM_CELLS)}, not {cell}")
    if rnn_layer not in RNN_LAYERS:
        raise UsageError(f"rnn_layer={rnn_layer} is not one of {', '.join(RNN_LAYERS)}")
    if rnn_layer == "keras":
        outputs = keras_recurrent_stack(
            embedding(ids), cell, num_layers, units, forget_bias, keep_prob,
            variational_recurrent, seed,
        )
    else:
        outputs = tfnotes_recurrent_stack(
            embedding(ids), cell, num_layers, units, forget_bias, keep_prob,
            variational_recurrent, seed, fused,
        )
    if tie_weights:
        logits = embedding(outputs, project=True)
    else:
        logits = keras.layers.Dense(vocab_size, name=SOFTMAX_LAYER)(outputs)
    model = keras.Model(ids, logits, name=name)
    if init_scale > 0:
        uniform_init(model, init_scale, seed)
    return model


def tfnotes_recurrent_stack(
    inputs, cell, num_layers, units, forget_bias, keep_prob, variational_recurrent, seed,
    fused=True,
):
    """The outputs of one stateful RNN layer over a `MultiRNNCell` of `cell`s.

    The layer is `FusedRNN` when `fused` and the cells allow it (variational dropout
    on the state keeps the plain loop), else `keras.layers.RNN`.
    """
    options = {} if forget_bias is None else {"forget_bias": forget_bias}
    cells = []
    for layer in range(num_layers):
        inner = make_cell(cell, units, name=f"cell_{layer}", **options)
        if keep_prob < 1.0:
            inner = DropoutWrapper(
                inner,
                input_keep_prob=keep_prob if layer == 0 else 1.0,
                output_keep_prob=keep_prob,
                state_keep_prob=keep_prob if variational_recurrent else 1.0,
                variational_recurrent=variational_recurrent,
                input_size=inputs.shape[-1] if layer == 0 else units,
                seed=None if seed is None else seed + layer,
                name=f"dropout_{layer}",
            )
        cells.append(inner)
    rnn = recurrent_layer(
        MultiRNNCell(cells, name="multi_rnn_cell"),
        fused=fused,
        stateful=True,
        return_sequences=True,
        name=RNN_LAYER,
    )
    return rnn(inputs)


def keras_recurrent_stack(
    inputs, cell, num_layers, units, forget_bias, keep_prob, variational_recurrent, seed
):
    """The same stack from Keras' own stateful layers (`KERAS_LAYERS`), one per cell.

    Dropout sits where the `DropoutWrapper`s of the tfnotes stack put it: on the
    embeddings and on every layer's output. A forget bias of 1.0 (the tfnotes LSTM's
    default) is Keras' ``unit_forget_bias=True``, 0.0 is ``False``.
    """
    if cell not in KERAS_LAYERS:
        raise UsageError(
            f"rnn_layer=keras has no layer for cell={cell}; "
            f"choose one of: {', '.join(KERAS_LAYERS)}"
        )
    if variational_recurrent:
        raise UsageError("rnn_layer=keras has no variational_recurrent=True (a tfnotes option)")
    layer_class, options = KERAS_LAYERS[cell]
    if layer_class is keras.layers.LSTM and forget_bias not in (None, 0.0, 1.0):
        raise UsageError(f"rnn_layer=keras: forget_bias={forget_bias} must be 0 or 1 (Keras' "
                         "unit_forget_bias)")
    if layer_class is keras.layers.LSTM:
        options = {**options, "unit_forget_bias": forget_bias != 0.0}
    outputs = inputs
    for layer in range(num_layers):
        if keep_prob < 1.0 and layer == 0:
            outputs = keras.layers.Dropout(1.0 - keep_prob, seed=seed, name="input_dropout")(
                outputs
            )
        outputs = layer_class(
            units, stateful=True, return_sequences=True, name=f"{RNN_LAYER}_{layer}", **options
        )(outputs)
        if keep_prob < 1.0:
            layer_seed = None if seed is None else seed + layer + 1
            outputs = keras.layers.Dropout(1.0 - keep_prob, seed=layer_seed,
                                           name=f"dropout_{layer}")(outputs)
    return outputs


def recurrent_cells(model: keras.Model) -> list:
    """The cells of the model's stateful layers, unwrapped from their `DropoutWrapper`s."""
    cells = []
    for layer in stateful_layers(model):
        stack = layer.cell.cells if isinstance(layer.cell, MultiRNNCell) else [layer.cell]
        cells += [getattr(cell, "wrapped_cell", cell) for cell in stack]
    return cells


def uniform_init(model: keras.Model, scale: float, seed: int | None = None) -> None:
    """Redraws every trainable weight but the cells' biases from ``U(-scale, scale)``.

    TF1's ``ptb_word_lm`` sets ``tf.random_uniform_initializer(-init_scale, init_scale)``
    on its whole graph; the cells' biases keep their own (zero) initializer there, as
    here. The draw is NumPy's, seeded by `seed`.
    """
    rng = np.random.default_rng(seed)
    biases = {
        id(variable)
        for cell in recurrent_cells(model)
        for variable in cell.weights
        if variable.name.endswith("bias")
    }
    for variable in model.trainable_weights:
        if id(variable) not in biases:
            values = rng.uniform(-scale, scale, size=tuple(variable.shape))
            variable.assign(values.astype(variable.dtype))


def stateful_layers(model: keras.Model) -> list:
    """The model's stateful `keras.layers.RNN` layers."""
    return [
        layer
        for layer in model._flatten_layers(include_self=False)
        if isinstance(layer, keras.layers.RNN) and layer.stateful
    ]


def reset_states(model: keras.Model) -> None:
    """Zeroes the state every stateful RNN of `model` carries (the next batch starts fresh)."""
    for layer in stateful_layers(model):
        layer.reset_state()


def redraw_variational_masks(model: keras.Model) -> None:
    """Makes the next training batch draw new variational dropout masks.

    A `DropoutWrapper` with ``variational_recurrent=True`` carries its masks in the
    cell state, drawn on the first step after a zero "drawn" flag. A stateful RNN keeps
    that state from batch to batch, so without this the masks would last an epoch; TF1
    drew them anew at every ``session.run``, i.e. every batch, which this restores by
    zeroing the flags (and nothing else) of the carried state.
    """
    for layer in stateful_layers(model):
        if not isinstance(layer.cell, MultiRNNCell) or layer.states is None:
            continue
        start = 0
        for cell in layer.cell.cells:
            count = len(cell.flat_state_sizes())
            if isinstance(cell, DropoutWrapper) and cell._mask_sizes:
                flag = start + len(cell.cell.flat_state_sizes()) + len(cell._mask_sizes)
                variable = layer.states[flag]
                variable.assign(ops.zeros_like(variable.value))
            start += count


def has_variational_masks(model: keras.Model) -> bool:
    """Whether any `DropoutWrapper` of the model carries variational masks."""
    return any(
        isinstance(cell, DropoutWrapper) and cell._mask_sizes
        for layer in stateful_layers(model)
        if isinstance(layer.cell, MultiRNNCell)
        for cell in layer.cell.cells
    )


class StatefulResetCallback(keras.callbacks.Callback):
    """Zeroes the carried state at each epoch start and before each evaluation or prediction.

    Training then reads each stream of `tfnotes.language.batching` from its start every
    epoch, and validation starts from a zero state rather than training's last one. With
    variational dropout it also makes every training batch draw new masks
    (`redraw_variational_masks`).
    """

    def on_train_begin(self, logs=None):
        self._variational = has_variational_masks(self.model)

    def on_epoch_begin(self, epoch, logs=None):
        reset_states(self.model)

    def on_test_begin(self, logs=None):
        reset_states(self.model)

    def on_predict_begin(self, logs=None):
        reset_states(self.model)

    def on_train_batch_begin(self, batch, logs=None):
        if batch and getattr(self, "_variational", False):
            redraw_variational_masks(self.model)


def with_batch_shape(model: keras.Model, batch_size: int, num_steps: int | None = None):
    """A copy of the functional `model` for ``[batch_size, num_steps]`` inputs, same weights.

    A stateful RNN's state has a fixed number of rows, so sampling one stream (batch 1)
    or evaluating with another batch needs its own copy; the copy's state starts at zero.
    """
    config = model.get_config()
    for layer in config["layers"]:
        if layer["class_name"] == "InputLayer":
            layer["config"]["batch_shape"] = [batch_size, num_steps]
        # Built from the new input instead: a stateful RNN built for the old shape would
        # keep state variables of the old batch size.
        layer.pop("build_config", None)
    clone = model.__class__.from_config(config)
    copy_weights(model, clone)
    return clone


def copy_weights(source: keras.Model, target: keras.Model) -> None:
    """Assigns `source`'s weights to `target` (same architecture, any batch shape)."""
    for from_variable, to_variable in zip(source.weights, target.weights, strict=True):
        to_variable.assign(from_variable.value)

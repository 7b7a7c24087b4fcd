"""Image encoders (a small CNN, or keras.applications backbones) and the caption decoder.

The captioner is a functional model ``{"image": [B,S,S,3] in 0..255, "caption_in":
[B,T] ids} -> logits [B,T,V]`` made of two named parts that decoding reuses:

* ``encoder``: image -> feature grid ``[B, h, w, D]``;
* ``decoder``: a `CaptionDecoder` over any `tfnotes.cells` cell, run with teacher
  forcing here and one step at a time by `tfnotes.captioning.decoding`.

``decoder=show_tell`` (Vinyals et al. 2015): a linear embedding of the whole grid is
the cell's first input, from the zero state (the image initialises the cell state);
words alone drive the later steps. ``decoder=attend`` (Xu et al. 2015,
Show, Attend and Tell): at every step additive (Bahdanau) attention over the grid,
``alpha = softmax(v . tanh(W_f f_i + W_h h_{t-1}))``, gives a context vector that is
fed to the cell with the word and to the output layer.
"""

from __future__ import annotations

import os

import keras
from keras import ops

from tfnotes import cells as tfcells
from tfnotes.downloads import can_download
from tfnotes.errors import UsageError

CELLS = tfcells.CELL_NAMES
ENCODERS = ("cnn", "mobilenet_v2", "efficientnet_b0", "inception_v3")
DECODERS = ("show_tell", "attend")
# keras.applications constructor, preprocessing, smallest input side.
_APPLICATIONS = {
    "mobilenet_v2": ("MobileNetV2", "tf", 32),
    "efficientnet_b0": ("EfficientNetB0", "none", 32),  # rescales inside the model
    "inception_v3": ("InceptionV3", "tf", 75),
}


def make_cell(kind: str, units: int, num_layers: int = 1):
    """A `tfnotes.cells` cell (a `MultiRNNCell` stack when `num_layers` > 1)."""
    stack = [tfcells.make_cell(kind, units, name=f"{kind}_{index}") for index in range(num_layers)]
    return stack[0] if num_layers == 1 else tfcells.MultiRNNCell(stack, name="stack")


def learned_states(cell) -> list[bool]:
    """Per flat state tensor: may the image initialise it? (Not a clockwork step counter.)"""
    if isinstance(cell, tfcells.MultiRNNCell):
        return [flag for child in cell.cells for flag in learned_states(child)]
    if isinstance(cell, tfcells.ClockworkRNNCell):
        return [True, False]
    return [True] * len(cell.flat_state_sizes())


@keras.saving.register_keras_serializable(package="tfnotes")
class CaptionDecoder(keras.layers.Layer):
    """Word-by-word caption decoder over a `tfnotes.cells` cell, with optional attention.

    Args:
        vocab_size: output classes (the caption vocabulary, reserved ids included).
        cell: a `tfnotes.cells` cell (any; stacks via `MultiRNNCell`).
        embedding_dim: size of the word vectors.
        attention_units: 0 for Show-and-Tell, else the size of the additive attention.
        dropout: drop rate before the output layer.

    ``call(captions [B,T], features [B,h,w,D])`` runs teacher forcing (T static) and
    returns logits ``[B,T,V]``. `start` and `step` are the pieces decoding uses.
    """

    def __init__(self, vocab_size, cell, embedding_dim=64, attention_units=0, dropout=0.0,
                 **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.cell = int(vocab_size), cell
        self.embedding_dim, self.attention_units = int(embedding_dim), int(attention_units)
        self.dropout_rate = float(dropout)
        self.embedding = keras.layers.Embedding(self.vocab_size, self.embedding_dim, name="words")
        if not self.attention_units:
            # Show and Tell: a linear embedding of the whole grid, batch-normalised, is
            # the cell's first input (t = -1) from the zero state. It used to be tanh
            # state layers over a ReLU, layer-normalised vector: that vector is one big
            # component every image shares (the background) plus a small image-specific
            # part, and training grew the shared part until the tanh layers saturated:
            # one starting state for every image, no gradient back to the image.
            # Batch norm centres across images, so the shared part cannot carry the
            # state; `calibrate_image_norm` keeps its inference statistics exact.
            self.image_embedding = keras.layers.Dense(self.embedding_dim, use_bias=False,
                                                      name="image_embedding")
            self.image_norm = keras.layers.BatchNormalization(name="image_norm")
        else:
            self.state_layers = [
                keras.layers.Dense(size, activation="tanh", name=f"init_state_{index}")
                for index, size in enumerate(cell.flat_state_sizes())
            ]
            self.feature_projection = keras.layers.Dense(self.attention_units, use_bias=False,
                                                         name="attend_features")
            self.query_projection = keras.layers.Dense(self.attention_units, name="attend_query")
            self.attention_score = keras.layers.Dense(1, use_bias=False, name="attend_score")
            self.init_query = keras.layers.Dense(cell.output_size, activation="tanh",
                                                 name="init_query")
        self.dropout = keras.layers.Dropout(self.dropout_rate)
        self.logits = keras.layers.Dense(self.vocab_size, name="logits")

    @property
    def attends(self) -> bool:
        """Whether the decoder attends over the feature grid (``decoder=attend``)."""
        return self.attention_units > 0

    def build(self, captions_shape, features_shape):
        depth = features_shape[-1]
        self.embedding.build(captions_shape)
        if self.attends:
            for layer in self.state_layers:
                layer.build((None, depth))
        else:
            self.image_embedding.build((None, features_shape[1] * features_shape[2] * depth))
            self.image_norm.build((None, self.embedding_dim))
        step_input = self.embedding_dim + (depth if self.attends else 0)
        if not self.cell.built:
            self.cell.build((None, step_input))
        if self.attends:
            self.feature_projection.build((None, None, depth))
            self.query_projection.build((None, self.cell.output_size))
            self.attention_score.build((None, None, self.attention_units))
            self.init_query.build((None, depth))
        self.logits.build((None, self.cell.output_size + (depth if self.attends else 0)))
        self.built = True

    def start(self, features, training=None):
        """``(memory, states)`` for a batch of feature grids ``[B,h,w,D]``.

        memory: ``(flat features [B,L,D], projected features [B,L,A] or None)``;
        states: the cell's flat states before the first word. With attention, tanh
        layers over the mean feature (as Xu et al.; plus the previous output, the
        attention query). Without it (Vinyals et al.), the states after one cell step
        from zero whose input is a linear embedding of the whole grid (the CNN's "fc"
        feature, which keeps where things are), the size of a word vector.
        """
        shape = ops.shape(features)
        flat = ops.reshape(features, (shape[0], shape[1] * shape[2], shape[3]))
        if not self.attends:
            image = self.image_norm(self.embed_image(features), training=training)
            zeros = [ops.zeros((shape[0], size), image.dtype)
                     for size in self.cell.flat_state_sizes()]
            _, states = self.cell(image, zeros, training=training)
            return (flat, None), list(states)
        summary = ops.mean(flat, axis=1)
        states = [layer(summary) if learned else ops.zeros((shape[0], size), summary.dtype)
                  for layer, learned, size in zip(self.state_layers, learned_states(self.cell),
                                                  self.cell.flat_state_sizes())]
        return (flat, self.feature_projection(flat)), states + [self.init_query(summary)]

    def embed_image(self, features):
        """Show and Tell: the image embedding ``[B, embedding_dim]`` before `image_norm`."""
        shape = ops.shape(features)
        return self.image_embedding(ops.reshape(features, (shape[0], -1)))

    def step(self, words, states, memory, training=None):
        """One step for word ids ``[B]``: ``(logits [B,V], states, attention [B,L] or None)``."""
        flat, projected = memory
        embedded = self.embedding(words)
        if not self.attends:
            output, new_states = self.cell(embedded, list(states), training=training)
            return self.logits(self.dropout(output, training=training)), list(new_states), None
        cell_states, query = list(states[:-1]), states[-1]
        scores = self.attention_score(
            ops.tanh(projected + ops.expand_dims(self.query_projection(query), 1)))
        attention = ops.softmax(scores[..., 0], axis=-1)
        context = ops.sum(ops.expand_dims(attention, -1) * flat, axis=1)
        output, new_states = self.cell(ops.concatenate([embedded, context], -1), cell_states,
                                       training=training)
        hidden = self.dropout(ops.concatenate([output, context], -1), training=training)
        return self.logits(hidden), list(new_states) + [output], attention

    def call(self, captions, features, training=None):
        import tensorflow as tf  # the time loop is a tf.while_loop (TensorFlow backend)

        steps = captions.shape[1]
        if steps is None:
            raise ValueError("CaptionDecoder needs captions of a fixed length (pad them)")
        memory, states = self.start(features, training)
        words = tf.transpose(captions)  # [T, B]
        outputs = tf.TensorArray(self.compute_dtype, size=steps, element_shape=None)

        def body(t, states, outputs):
            logits, new_states, _ = self.step(words[t], states, memory, training)
            return t + 1, new_states, outputs.write(t, logits)

        _, _, outputs = tf.while_loop(lambda t, *_: t < steps, body, (0, states, outputs),
                                      maximum_iterations=steps)
        return tf.transpose(outputs.stack(), (1, 0, 2))

    def compute_output_shape(self, captions_shape, features_shape):
        return (*captions_shape, self.vocab_size)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "cell": keras.saving.serialize_keras_object(self.cell),
                "embedding_dim": self.embedding_dim, "attention_units": self.attention_units,
                "dropout": self.dropout_rate}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        cell = keras.saving.deserialize_keras_object(config.pop("cell"))
        return cls(cell=cell, **config)


def calibrate_image_norm(model, images, batch_size: int = 64) -> bool:
    """Sets a show_tell decoder's `image_norm` statistics to those of `images` (returns
    whether it did; attending decoders have none).

    Batch normalisation centres the image embedding across images: without it the
    embedding is one large component common to every image plus a small image-specific
    part, and training saturated the cell on the common one (the starting state was
    the same for every image). The norm is invariant to that common part, so it drifts
    as the encoder trains and moving averages lag it; these statistics are exact for
    the current encoder (precise batch norm). `ImageNormCalibration` calls this.
    """
    import numpy as np

    decoder, encoder = model.get_layer("decoder"), model.get_layer("encoder")
    if decoder.attends or not len(images):
        return False
    embedded = np.concatenate([
        keras.ops.convert_to_numpy(decoder.embed_image(encoder(images[i:i + batch_size],
                                                               training=False)))
        for i in range(0, len(images), batch_size)]).astype("float64")
    decoder.image_norm.moving_mean.assign(embedded.mean(axis=0).astype("float32"))
    decoder.image_norm.moving_variance.assign(embedded.var(axis=0).astype("float32"))
    return True


class ImageNormCalibration(keras.callbacks.Callback):
    """`calibrate_image_norm` on `images` before each validation and when training ends."""

    def __init__(self, images):
        super().__init__()
        self.images = images

    def on_test_begin(self, logs=None):
        calibrate_image_norm(self.model, self.images)

    def on_epoch_end(self, epoch, logs=None):
        calibrate_image_norm(self.model, self.images)  # for callbacks after it (samples)

    def on_train_end(self, logs=None):
        calibrate_image_norm(self.model, self.images)


def cnn_encoder(image_size: int, filters=(16, 32, 64)) -> keras.Model:
    """A small CNN trained from scratch, grid = image_size / 2 ** len(filters).

    A strided conv-ReLU block, then conv-ReLU-max-pool blocks, then a 3x3 conv whose
    outputs are the grid features. No batch normalisation: its moving statistics lagged
    the fast-changing encoder and cost most of the test BLEU (decoding uses them, teacher
    forcing did not); measured on shapes, exact captions 32% with BN, 81% with batch stats.
    """
    images = keras.Input((image_size, image_size, 3), name="image")
    x = keras.layers.Rescaling(1.0 / 255.0, name="rescale")(images)
    for index, width in enumerate(filters):
        x = keras.layers.Conv2D(width, 3, strides=2 if index == 0 else 1, padding="same",
                                activation="relu", name=f"conv{index}")(x)
        if index:
            x = keras.layers.MaxPooling2D(2, name=f"pool{index}")(x)
    x = keras.layers.Conv2D(filters[-1], 3, padding="same", activation="relu", name="grid")(x)
    return keras.Model(images, x, name="encoder")


def cached_weights_exist(kind: str) -> bool:
    """Whether any ImageNet weights file for `kind` sits in the keras cache (KERAS_HOME)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    folder = os.path.join(home, "models")
    stem = {"mobilenet_v2": "mobilenet_v2", "efficientnet_b0": "efficientnetb0",
            "inception_v3": "inception_v3"}[kind]
    return os.path.isdir(folder) and any(stem in name for name in os.listdir(folder))


def pretrained_encoder(kind: str, image_size: int, fine_tune: bool = False,
                       weights: str | None = "imagenet") -> keras.Model:
    """A keras.applications backbone (no top) as the encoder; frozen unless `fine_tune`.

    Batch-norm layers always run in inference mode (the usual fine-tuning advice).
    Offline without cached weights, raises one UsageError line naming ``encoder=cnn``.
    `weights=None` builds the same network with random weights (tests).
    """
    constructor, preprocessing, smallest = _APPLICATIONS[kind]
    if image_size < smallest:
        raise UsageError(f"encoder={kind} needs image_size >= {smallest}, got {image_size}")
    offline = (f"encoder={kind}: ImageNet weights are not cached and cannot be downloaded "
               "(no network); use encoder=cnn (trained from scratch)")
    if weights == "imagenet" and not cached_weights_exist(kind) and not can_download():
        raise UsageError(offline)
    try:
        base = getattr(keras.applications, constructor)(
            include_top=False, weights=weights, input_shape=(image_size, image_size, 3))
    except Exception as error:  # keras raises a bare Exception when the fetch fails
        if weights != "imagenet":
            raise
        raise UsageError(f"{offline} [{' '.join(str(error).split())[:100]}]") from None
    base.trainable = bool(fine_tune)
    images = keras.Input((image_size, image_size, 3), name="image")
    x = images
    if preprocessing == "tf":
        x = keras.layers.Rescaling(1.0 / 127.5, offset=-1.0, name="to_minus_one_one")(x)
    return keras.Model(images, base(x, training=False), name="encoder")


def build_captioner(*, vocab_size: int, caption_steps: int, image_size: int, encoder="cnn",
                    decoder="attend", cell="lstm", units=256, num_layers=1, embedding_dim=64,
                    attention_units=128, dropout=0.0, fine_tune=False, cnn_filters=(16, 32, 64),
                    encoder_weights: str | None = "imagenet") -> keras.Model:
    """The captioning model (module docstring); ``caption_steps`` = T, the teacher-forced length."""
    if encoder == "cnn":
        image_encoder = cnn_encoder(image_size, tuple(cnn_filters))
    elif encoder in _APPLICATIONS:
        image_encoder = pretrained_encoder(encoder, image_size, fine_tune, encoder_weights)
    else:
        raise UsageError(f"encoder={encoder} is not allowed; choose one of: {', '.join(ENCODERS)}")
    if decoder not in DECODERS:
        raise UsageError(f"decoder={decoder} is not allowed; choose one of: {', '.join(DECODERS)}")
    caption_decoder = CaptionDecoder(
        vocab_size, make_cell(cell, units, num_layers), embedding_dim=embedding_dim,
        attention_units=attention_units if decoder == "attend" else 0, dropout=dropout,
        name="decoder")
    images = keras.Input((image_size, image_size, 3), name="image")
    captions = keras.Input((caption_steps,), dtype="int32", name="caption_in")
    logits = caption_decoder(captions, image_encoder(images))
    return keras.Model({"image": images, "caption_in": captions}, logits,
                       name=f"captioner_{encoder}_{decoder}_{cell}")

"""Token encoders from the slot-filling notes: 1-of-N, word hashing, characters.

All three take integer ids where 0 is padding, emit one vector per token and
propagate a Keras mask (token id != 0), so recurrent layers after them skip
padding and losses never count it.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tfnotes")
class OneHotTokens(keras.layers.Layer):
    """1-of-N encoding of word ids: `[batch, time] -> [batch, time, num_tokens]`.

    The vocabulary's `<unk>` id plays the notes' "other" dimension for words
    never seen in training.
    """

    def __init__(self, num_tokens, **kwargs):
        super().__init__(**kwargs)
        self.num_tokens = num_tokens

    def call(self, token_ids):
        return ops.one_hot(ops.cast(token_ids, "int32"), self.num_tokens, dtype=self.compute_dtype)

    def compute_mask(self, token_ids, mask=None):
        return ops.not_equal(token_ids, 0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.num_tokens)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens}


@keras.saving.register_keras_serializable(package="tfnotes")
class SummedEmbedding(keras.layers.Layer):
    """Sum of embeddings over the last axis of ids, ignoring id 0.

    With letter-trigram ids `[batch, time, trigrams]` this is word hashing:
    a multi-hot trigram vector times a weight matrix, without building the
    multi-hot vector. Output `[batch, time, output_dim]`.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
        )

    def call(self, ids):
        ids = ops.cast(ids, "int32")
        vectors = ops.take(self.embeddings, ids, axis=0)
        present = ops.cast(ops.not_equal(ids, 0), vectors.dtype)
        return ops.sum(vectors * present[..., None], axis=-2)

    def compute_mask(self, ids, mask=None):
        return ops.any(ops.not_equal(ids, 0), axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.output_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": keras.initializers.serialize(self.embeddings_initializer),
        }


@keras.saving.register_keras_serializable(package="tfnotes")
class CharacterCNN(keras.layers.Layer):
    """Character-level word encoder: embed characters, convolve, max-pool per word.

    `[batch, time, chars] -> [batch, time, filters]`; character id 0 is padding
    and never wins the max-pool.
    """

    def __init__(self, num_chars, char_dim=32, filters=64, kernel_width=3, **kwargs):
        super().__init__(**kwargs)
        self.num_chars = num_chars
        self.char_dim = char_dim
        self.filters = filters
        self.kernel_width = kernel_width
        self.embedding = keras.layers.Embedding(num_chars, char_dim, name="char_embedding")
        self.convolution = keras.layers.Conv1D(
            filters, kernel_width, padding="same", activation="relu", name="char_conv"
        )

    def build(self, input_shape):
        self.embedding.build((None, None))
        self.convolution.build((None, None, self.char_dim))

    def call(self, char_ids):
        char_ids = ops.cast(char_ids, "int32")
        batch, time, chars = ops.shape(char_ids)[0], ops.shape(char_ids)[1], ops.shape(char_ids)[2]
        flat_ids = ops.reshape(char_ids, (-1, chars))
        features = self.convolution(self.embedding(flat_ids))
        present = ops.not_equal(flat_ids, 0)[..., None]
        # ReLU features are >= 0, so 0 is a neutral fill for padded characters.
        features = ops.where(present, features, ops.zeros_like(features))
        pooled = ops.max(features, axis=1)
        return ops.reshape(pooled, (batch, time, self.filters))

    def compute_mask(self, char_ids, mask=None):
        return ops.any(ops.not_equal(char_ids, 0), axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "num_chars": self.num_chars,
            "char_dim": self.char_dim,
            "filters": self.filters,
            "kernel_width": self.kernel_width,
        }

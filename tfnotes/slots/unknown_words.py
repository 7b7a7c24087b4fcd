"""Word-level dropout that trains the unknown-word vector (Lample et al., 2016)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tfnotes")
class RandomUnknownWords(keras.layers.Layer):
    """In training, replace each real word id by the ``<unk>`` id with probability ``rate``.

    A vocabulary built on the whole training split contains every training word,
    so without this the ``<unk>`` embedding is never trained, yet it is what every
    unseen test word looks up (11% of SNIPS test slot words). Padding (id 0) is
    left alone; at inference the ids pass through unchanged. Unlike
    `keras.layers.SpatialDropout1D` on the word vectors, the word's other
    features (its characters) stay, as they do for a real unseen word.
    """

    def __init__(self, rate, unk_id=1, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"RandomUnknownWords rate must be in [0, 1), got {rate}")
        self.rate = rate
        self.unk_id = unk_id
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, word_ids, training=False):
        if not training or self.rate == 0.0:
            return word_ids
        draw = keras.random.uniform(ops.shape(word_ids), seed=self.seed_generator)
        replace = ops.logical_and(draw < self.rate, ops.not_equal(word_ids, 0))
        return ops.where(replace, ops.cast(self.unk_id, word_ids.dtype), word_ids)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "unk_id": self.unk_id, "seed": self.seed}

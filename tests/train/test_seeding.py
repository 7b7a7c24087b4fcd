"""seed_everything makes weights reproducible and leaves XLA usable."""

from __future__ import annotations

import keras
import numpy as np
from tensorflow.python.framework.config import is_op_determinism_enabled

from tfnotes.train import seed_everything


def initial_weights(seed):
    seed_everything(seed)
    layer = keras.layers.Dense(4)
    layer.build((None, 3))
    return layer.kernel.numpy(), np.random.random(), keras.random.uniform((2,)).numpy()


def test_same_seed_same_numbers_different_seed_different_numbers():
    first, again, other = initial_weights(1), initial_weights(1), initial_weights(2)
    for a, b, c in zip(first, again, other):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


def test_default_keeps_op_determinism_off_so_keras_keeps_xla():
    # Keras compiles without XLA whenever op determinism is on (model_supports_jit).
    seed_everything(0)
    assert not is_op_determinism_enabled()

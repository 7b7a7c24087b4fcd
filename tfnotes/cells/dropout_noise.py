"""Dropout noise with a deliberately chosen generator: Philox on TensorFlow.

`keras.random.uniform` lets TensorFlow pick the stateless algorithm
(``auto_select``), which under XLA on the CPU is ThreeFry: 19 ms of a 171 ms
slot-filling training step went to drawing dropout masks, against 0.9 ms with
Philox (docs/cell_benchmark.md). Philox is what TensorFlow's own stateful
generators use. The draw stays stateless: the same seed gives the same noise,
so runs with ``seed=`` reproduce. JAX keeps its default generator.
"""

import keras


def uniform_noise(shape, dtype, seed):
    """U[0, 1) noise of `shape`; `seed` is a `keras.random.SeedGenerator` or a [2] int seed."""
    if keras.backend.backend() != "tensorflow":
        return keras.random.uniform(shape, dtype=dtype, seed=seed)
    import tensorflow as tf

    if isinstance(seed, keras.random.SeedGenerator):
        seed = seed.next()
    return tf.random.stateless_uniform(
        shape, seed=tf.cast(seed, tf.int32), dtype=dtype, alg="philox"
    )


def keep_mask(like, keep_prob, seed):
    """A dropout mask for `like`: 1 / keep_prob where kept, 0 where dropped."""
    noise = uniform_noise(keras.ops.shape(like), like.dtype, seed)
    return keras.ops.cast(noise < keep_prob, like.dtype) / keep_prob

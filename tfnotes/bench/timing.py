"""Wall-clock timing: warm-up excluded, several repeats, the median kept."""

import statistics
import time

import keras
import numpy as np


def median_seconds(function, repeats=5, warmup=2, calls_per_repeat=1):
    """Median wall time of one call of `function()` over `repeats` repeats.

    `function` must block until its result is ready (return host values).
    The first `warmup` calls (compilation, caches) are not timed.
    """
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls_per_repeat):
            function()
        samples.append((time.perf_counter() - start) / calls_per_repeat)
    return statistics.median(samples)


def matmul_peak_gflops(size=2048, repeats=5):
    """The measured float32 matrix-product rate of this machine, GFLOP/s.

    A square `size x size` product through the active Keras backend (the same
    kernels the benchmarked layers call); the median of `repeats` runs.
    """
    rng = np.random.default_rng(0)
    a = keras.ops.convert_to_tensor(rng.standard_normal((size, size), dtype=np.float32))
    b = keras.ops.convert_to_tensor(rng.standard_normal((size, size), dtype=np.float32))

    def product():
        # Reading one element back waits for the whole product (JAX is asynchronous).
        return keras.ops.convert_to_numpy(keras.ops.matmul(a, b)[0, 0])

    seconds = median_seconds(product, repeats=repeats, warmup=2)
    return 2 * size**3 / seconds / 1e9

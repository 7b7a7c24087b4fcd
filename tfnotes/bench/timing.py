"""Wall-clock timing of one step, and the machine's matrix-product rate."""

import time

import keras
import numpy as np


def local_timer(step):
    """``time(calls) -> seconds per call`` of a blocking ``step()`` in this process."""
    def time_calls(calls):
        start = time.perf_counter()
        for _ in range(calls):
            step()
        return (time.perf_counter() - start) / calls

    return time_calls


def matmul_step(size=2048):
    """A blocking ``step()`` of one float32 ``size x size`` matrix product (active backend).

    FLOPs per call: ``2 * size ** 3``. It runs the same kernels the benchmarked layers
    call; timed in the rounds with them, its rate is the peak they are compared to.
    """
    rng = np.random.default_rng(0)
    a = keras.ops.convert_to_tensor(rng.standard_normal((size, size), dtype=np.float32))
    b = keras.ops.convert_to_tensor(rng.standard_normal((size, size), dtype=np.float32))

    def product():
        # Reading one element back waits for the whole product (JAX is asynchronous).
        return keras.ops.convert_to_numpy(keras.ops.matmul(a, b)[0, 0])

    return product

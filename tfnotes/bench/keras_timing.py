"""Times a Keras recurrent layer: a training step (forward, backward, Adam) or inference."""

import keras
import numpy as np

from tfnotes.bench.timing import median_seconds


def random_batch(batch, time, inputs, units, seed=0):
    """Inputs `[batch, time, inputs]` and zero targets `[batch, time, units]`, float32."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, time, inputs), dtype=np.float32)
    return x, np.zeros((batch, time, units), np.float32)


def time_layer(make_layer, size, mode, jit_compile, repeats=5, warmup=2, calls_per_repeat=2):
    """Median seconds of one step of `make_layer()` at `size = (batch, time, inputs, units)`.

    The layer (returning sequences) sits alone in a functional model compiled
    with Adam and mean squared error against zeros; `mode="train"` times
    `train_on_batch`, `mode="infer"` times `predict_on_batch`. Compilation is
    part of the excluded warm-up.
    """
    batch, time, inputs, units = size
    keras.backend.clear_session()
    sequence = keras.Input((time, inputs), batch_size=batch)
    model = keras.Model(sequence, make_layer()(sequence))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", jit_compile=jit_compile)
    x, y = random_batch(batch, time, inputs, units)
    if mode == "train":
        def call():
            return model.train_on_batch(x, y)
    elif mode == "infer":
        def call():
            return model.predict_on_batch(x)
    else:
        raise ValueError(f"mode must be 'train' or 'infer', got {mode!r}")
    return median_seconds(call, repeats=repeats, warmup=warmup, calls_per_repeat=calls_per_repeat)

"""A stand-in generator run: class-mean digits plus a little noise, saved as a gan run would be.

It lets the page be tested in seconds: its digit d is the mean of the rendered
digits d (so the judge can read it), and the noise moves every pixel a little
(so new noise changes the picture).
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np

from tfnotes.digits.rendering import render_synthetic_digits

NOISE_DIM = 100
SYNTHETIC_COUNT = 2000


def mean_digit_generator(conditional: bool = True) -> keras.Model:
    """noise (+ digit) -> the digit's mean rendered image, moved a little by the noise."""
    images, labels = render_synthetic_digits(SYNTHETIC_COUNT, seed=0)
    means = np.stack([images[labels == digit].mean(axis=0) for digit in range(10)]) / 127.5 - 1.0
    logits = np.arctanh(np.clip(means, -0.95, 0.95)).reshape(10, -1)
    noise = keras.Input((NOISE_DIM,), name="noise")
    wobble = keras.layers.Dense(
        28 * 28, use_bias=False, kernel_initializer=keras.initializers.RandomNormal(0.0, 0.05, 0)
    )(noise)
    if conditional:
        digit = keras.Input((), dtype="int32", name="digit")
        base = keras.layers.Embedding(
            10, 28 * 28, embeddings_initializer=keras.initializers.Constant(logits)
        )(digit)
        hidden, inputs = keras.layers.Add()([base, wobble]), [noise, digit]
    else:
        hidden, inputs = wobble, noise
    image = keras.layers.Reshape((28, 28, 1))(keras.layers.Activation("tanh")(hidden))
    return keras.Model(inputs, image)


def write_run(run_dir: Path, conditional: bool = True, noise: str = "uniform") -> Path:
    """A run directory holding the stand-in's generator.keras and a config.json like a gan run's."""
    run_dir.mkdir(parents=True, exist_ok=True)
    mean_digit_generator(conditional).save(run_dir / "generator.keras")
    config = {
        "data": "synthetic",
        "synthetic_count": SYNTHETIC_COUNT,
        "seed": 0,
        "judge_epochs": 4,
        "logdir": str(run_dir.parent),
        "noise": noise,
        "variant": "conditional" if conditional else "dcgan",
    }
    (run_dir / "config.json").write_text(json.dumps(config))
    return run_dir

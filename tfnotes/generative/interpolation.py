"""Walking between two digits' codes: the autoencoder's holes and the VAE's answer.

The notes' example: a left-leaning and a right-leaning 1, whose codes v1 and v2 an
autoencoder maps well, while 0.5 v1 + 0.5 v2 decodes to no upright 1. `slant` finds
such a pair by the digits' second moments, `same_class_pairs` draws many more, and
`interpolation_path` decodes the codes on the straight line between two digits.
"""

import numpy as np


def slant(images) -> np.ndarray:
    """How far each digit leans right (positive) or left: the moment ratio mu11 / mu02.

    `images` `[N, 28, 28(, 1)]`, any scale; rows grow downwards, so a digit whose
    top is further right than its bottom has a negative row-column covariance.
    """
    pixels = np.asarray(images, np.float64).reshape(len(images), 28, 28)
    rows, columns = np.indices((28, 28), dtype=np.float64)
    mass = pixels.sum(axis=(1, 2)) + 1e-9
    mean_row = (pixels * rows).sum(axis=(1, 2)) / mass
    mean_column = (pixels * columns).sum(axis=(1, 2)) / mass
    d_row = rows[None] - mean_row[:, None, None]
    d_column = columns[None] - mean_column[:, None, None]
    mu11 = (pixels * d_row * d_column).sum(axis=(1, 2)) / mass
    mu02 = (pixels * d_row * d_row).sum(axis=(1, 2)) / mass
    return -mu11 / (mu02 + 1e-9)


def leaning_pair(images, labels, digit: int = 1) -> tuple[int, int]:
    """Indices of the most left-leaning and the most right-leaning `digit`."""
    candidates = np.flatnonzero(np.asarray(labels) == digit)
    if len(candidates) < 2:
        raise ValueError(f"need two {digit}s to interpolate between, found {len(candidates)}")
    leaning = slant(np.asarray(images)[candidates])
    return int(candidates[np.argmin(leaning)]), int(candidates[np.argmax(leaning)])


def same_class_pairs(labels, count: int, seed: int = 0) -> np.ndarray:
    """`[count, 2]` indices of two different digits of the same class, classes in turn."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    classes = [np.flatnonzero(labels == digit) for digit in np.unique(labels)]
    classes = [members for members in classes if len(members) >= 2]
    if not classes:
        raise ValueError("no class has two digits to pair")
    return np.array([rng.choice(classes[index % len(classes)], size=2, replace=False)
                     for index in range(count)], dtype=np.int64)


def interpolation_path(model, first, second, steps: int) -> np.ndarray:
    """Decoded pixel probabilities `[steps, 28, 28, 1]` from `first`'s code to `second`'s.

    Codes are the encoder's means; step k decodes ``(1 - t) v1 + t v2`` with
    ``t = k / (steps - 1)``, so the middle step (odd `steps`) is 0.5 v1 + 0.5 v2.
    """
    codes = midpoint_codes(model, first[None], second[None], np.linspace(0.0, 1.0, steps))
    return np.asarray(model.decode_probabilities(codes[:, 0]))


def midpoint_codes(model, first, second, weights) -> np.ndarray:
    """`[len(weights), B, latent]`: ``(1 - t) v1 + t v2`` for each t of `weights`."""
    v1 = np.asarray(model.encoder(first, training=False)[0])
    v2 = np.asarray(model.encoder(second, training=False)[0])
    weights = np.asarray(weights, np.float32)[:, None, None]
    return ((1.0 - weights) * v1[None] + weights * v2[None]).astype(np.float32)

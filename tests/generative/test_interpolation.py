"""Interpolation helpers: slant by hand, pairs, and the straight path between codes."""

import numpy as np
import pytest

from tfnotes.generative.interpolation import leaning_pair, same_class_pairs, slant


def stroke(direction):
    """A 28x28 diagonal stroke: +1 leans right (/), -1 left (\\), 0 upright (|)."""
    image = np.zeros((28, 28), np.float32)
    for row in range(4, 24):
        image[row, 14 + direction * (14 - row) // 2] = 1.0
    return image


def test_slant_signs_by_hand():
    values = slant(np.stack([stroke(1), stroke(-1), stroke(0)]))
    assert values[0] > 0.4 and values[1] < -0.4 and abs(values[2]) < 1e-9


def test_leaning_pair_picks_the_extremes_of_the_digit():
    images = np.stack([stroke(0), stroke(1), stroke(-1), stroke(1)])
    labels = np.array([1, 1, 1, 7])
    assert leaning_pair(images, labels, digit=1) == (2, 1)
    with pytest.raises(ValueError, match="need two 7s"):
        leaning_pair(images, labels, digit=7)


def test_same_class_pairs_pair_different_digits_of_one_class():
    labels = np.array([0, 0, 0, 1, 1, 2])
    pairs = same_class_pairs(labels, 10, seed=0)
    assert pairs.shape == (10, 2)
    assert np.all(labels[pairs[:, 0]] == labels[pairs[:, 1]])
    assert np.all(pairs[:, 0] != pairs[:, 1])
    assert set(labels[pairs[:, 0]]) == {0, 1}  # class 2 has one digit: never paired

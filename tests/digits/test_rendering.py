"""Rendered digits: shape, determinism, balance, and that a classifier can read them."""

from pathlib import Path

import numpy as np
import pytest

from tfnotes.digits.judge import judge_probabilities, train_digit_judge
from tfnotes.digits.loading import load_digits
from tfnotes.digits.rendering import render_synthetic_digits
from tfnotes.generative.scores import label_accuracy

SHARED_MNIST = Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist"


def test_shape_dtype_and_mnist_like_framing():
    images, labels = render_synthetic_digits(50, seed=3)
    assert images.shape == (50, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (50,) and labels.dtype == np.uint8
    assert images.max() == 255
    # White digit on black inside a ~20x20 box: the 3-pixel border stays (almost) empty.
    border = np.ones((28, 28), bool)
    border[3:25, 3:25] = False
    assert images[:, border].mean() < 2.0
    assert images[:, 8:20, 8:20].mean() > 40.0


def test_same_seed_same_digits_other_seed_other_digits():
    first, first_labels = render_synthetic_digits(30, seed=7)
    again, again_labels = render_synthetic_digits(30, seed=7)
    other, _ = render_synthetic_digits(30, seed=8)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first_labels, again_labels)
    assert not np.array_equal(first, other)


def test_labels_are_balanced_in_every_block_of_ten():
    _, labels = render_synthetic_digits(1000, seed=0)
    assert np.bincount(labels, minlength=10).tolist() == [100] * 10
    assert all(sorted(block) == list(range(10)) for block in labels.reshape(-1, 10))


def test_load_digits_synthetic_split_is_deterministic_and_balanced():
    splits = load_digits("synthetic", seed=1, synthetic_count=200)
    again = load_digits("synthetic", seed=1, synthetic_count=200)
    assert splits.train_images.shape == (160, 28, 28) and splits.eval_images.shape == (40, 28, 28)
    assert np.bincount(splits.eval_labels, minlength=10).tolist() == [4] * 10
    np.testing.assert_array_equal(splits.eval_images, again.eval_images)
    assert splits.source == "synthetic" and "160 train / 40 eval" in splits.note


@pytest.mark.slow
def test_judge_trained_on_synthetic_digits_reads_held_out_ones(tmp_path):
    images, labels = render_synthetic_digits(1200, seed=0)
    judge = train_digit_judge(images, labels, tmp_path, epochs=2)
    held_out, held_out_labels = render_synthetic_digits(300, seed=1)
    accuracy = label_accuracy(judge_probabilities(judge, held_out), held_out_labels)
    assert accuracy > 0.8, accuracy
    # The second call loads the cached file instead of training again.
    cached = list(tmp_path.glob("digit_judge_*.keras"))
    assert len(cached) == 1
    again = train_digit_judge(images, labels, tmp_path, epochs=2)
    np.testing.assert_allclose(
        judge_probabilities(again, held_out[:20]),
        judge_probabilities(judge, held_out[:20]),
        atol=1e-6,
    )
    assert list(tmp_path.glob("digit_judge_*.keras")) == cached


@pytest.mark.slow
@pytest.mark.skipif(
    not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").is_file(), reason=f"{SHARED_MNIST} is absent"
)
def test_a_judge_trained_on_real_mnist_reads_synthetic_digits(tmp_path):
    real = load_digits("mnist", data_dir=str(SHARED_MNIST))
    # One epoch on half the training digits keeps the test cheap; the full
    # judge (10 epochs, 8,000 digits) reads ~74% of synthetic digits.
    judge = train_digit_judge(
        real.train_images[:4000], real.train_labels[:4000], tmp_path, epochs=1
    )
    assert label_accuracy(judge_probabilities(judge, real.eval_images), real.eval_labels) > 0.85
    images, labels = render_synthetic_digits(300, seed=2)
    accuracy = label_accuracy(judge_probabilities(judge, images), labels)
    print(f"real-MNIST judge (1 epoch) reads synthetic digits with accuracy {accuracy:.3f}")
    assert accuracy > 0.3, accuracy


def test_the_matplotlib_fonts_add_faces_and_keep_the_classes_balanced():
    from tfnotes.digits.rendering import MATPLOTLIB_FONTS, _glyphs, render_synthetic_digits

    assert [len(variants) for variants in _glyphs("matplotlib")] == [3 * (1 + 20)] * 10
    assert len(MATPLOTLIB_FONTS) == 20
    images, labels = render_synthetic_digits(60, seed=2, fonts="matplotlib")
    again, _ = render_synthetic_digits(60, seed=2, fonts="matplotlib")
    plain, plain_labels = render_synthetic_digits(60, seed=2)
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, plain_labels)  # the same label draws
    assert np.bincount(labels, minlength=10).tolist() == [6] * 10
    assert not np.array_equal(images, plain)
    with pytest.raises(ValueError, match="fonts="):
        render_synthetic_digits(10, fonts="system")

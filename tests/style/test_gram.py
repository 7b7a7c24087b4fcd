"""Gram matrices and loss terms against values worked out by hand."""

import numpy as np
import tensorflow as tf

from tfnotes.style import content_loss, gram_matrix, style_loss, total_variation
from tfnotes.style.objective import StyleObjective


def test_gram_matrix_sums_channel_products_over_positions_and_divides_by_their_count():
    # 2x2 positions, 2 channels: channel a = [1, 2, 3, 4], channel b = [0, 1, 0, 1].
    features = np.array([[[[1, 0], [2, 1]], [[3, 0], [4, 1]]]], dtype=np.float32)
    expected = np.array([[30, 6], [6, 2]], dtype=np.float32) / 4  # a.a = 30, a.b = 6, b.b = 2
    np.testing.assert_allclose(gram_matrix(features)[0], expected, rtol=1e-6)


def test_gram_matrix_keeps_the_batch_apart():
    features = np.stack([np.ones((3, 3, 2)), 2 * np.ones((3, 3, 2))]).astype(np.float32)
    np.testing.assert_allclose(
        gram_matrix(features), [np.ones((2, 2)), 4 * np.ones((2, 2))], rtol=1e-6
    )


def test_content_loss_is_the_mean_squared_difference_averaged_over_layers():
    layer1 = (
        np.zeros((1, 1, 2, 1), np.float32),
        np.array([[[[1.0], [3.0]]]], np.float32),
    )  # mean sq = 5
    layer2 = (np.ones((1, 1, 1, 2), np.float32), np.ones((1, 1, 1, 2), np.float32))  # 0
    loss = content_loss([layer1[0], layer2[0]], [layer1[1], layer2[1]])
    np.testing.assert_allclose(float(loss), 2.5, rtol=1e-6)


def test_style_loss_compares_gram_matrices_and_broadcasts_a_single_target():
    grams = [np.array([[[1.0, 2.0], [2.0, 5.0]], [[1.0, 0.0], [0.0, 1.0]]], np.float32)]
    target = [np.array([[[1.0, 0.0], [0.0, 1.0]]], np.float32)]
    # Item 1 differs by (0, 2, 2, 4): mean sq = (4 + 4 + 16) / 4 = 6; item 2 matches; mean = 3.
    np.testing.assert_allclose(float(style_loss(grams, target)), 3.0, rtol=1e-6)


def test_total_variation_matches_hand_sum_and_tf_image_total_variation():
    image = np.array([[[[0.0], [1.0]], [[3.0], [7.0]]]], dtype=np.float32)  # 2x2, one channel
    # vertical |3-0| + |7-1| = 9, horizontal |1-0| + |7-3| = 5
    np.testing.assert_allclose(total_variation(image), [14.0])
    batch = np.random.default_rng(0).uniform(size=(2, 5, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(
        total_variation(batch), tf.image.total_variation(tf.constant(batch)), rtol=1e-5
    )


def test_objective_weights_each_term_and_sums_them():
    identity = lambda images, training=False: {"a": images}  # noqa: E731  (features = pixels)
    objective = StyleObjective(
        identity, ["a"], ["a"], content_weight=2.0, style_weight=3.0, tv_weight=0.5
    )
    image = np.array([[[[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]]], np.float32)  # 1x2 pixels
    targets = objective.content_targets(np.zeros_like(image))
    grams, weights = objective.style_targets([np.zeros_like(image), image], [3.0, 1.0])
    assert weights == [0.75, 0.25]
    terms = {k: float(v) for k, v in objective.terms(image, targets, grams, weights).items()}
    assert np.isclose(terms["content_loss"], 2.0 * 0.5)  # mean of (1,1,1,0,0,0)^2
    # Gram = 1/2 everywhere: mean sq 0.25 against style 1 (Gram 0), 0 against style 2 (itself).
    assert np.isclose(terms["style_loss"], 3.0 * (0.75 * 0.25 + 0.25 * 0.0))
    assert np.isclose(terms["tv_loss"], 0.5 * 3.0)
    assert np.isclose(
        terms["total_loss"], terms["content_loss"] + terms["style_loss"] + terms["tv_loss"]
    )

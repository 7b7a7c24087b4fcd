"""FID against closed forms, inception score at its extremes, label accuracy by hand."""

import numpy as np
import pytest

from tfnotes.generative.scores import (
    feature_statistics,
    fid,
    frechet_distance,
    inception_score,
    label_accuracy,
)


def test_diagonal_gaussians_match_the_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.0])
    var1, var2 = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    # Diagonal covariances commute: d^2 = |mu1-mu2|^2 + sum (sqrt(v1) - sqrt(v2))^2.
    expected = 5.0 + (1 - 3) ** 2 + (2 - 1) ** 2 + 0.0
    assert frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2)) == pytest.approx(
        expected, rel=1e-12
    )


def test_non_commuting_2x2_covariances_match_the_closed_form():
    sigma1 = np.array([[2.0, 0.9], [0.9, 1.0]])
    sigma2 = np.array([[1.0, -0.4], [-0.4, 3.0]])
    product = sigma1 @ sigma2
    # For a 2x2 matrix with positive eigenvalues, (tr sqrt(M))^2 = tr M + 2 sqrt(det M).
    trace_sqrt = np.sqrt(np.trace(product) + 2 * np.sqrt(np.linalg.det(product)))
    expected = 0.5**2 + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt
    value = frechet_distance([0.0, 0.0], sigma1, [0.5, 0.0], sigma2)
    assert value == pytest.approx(expected, rel=1e-10)
    assert frechet_distance([0.5, 0.0], sigma2, [0.0, 0.0], sigma1) == pytest.approx(
        value, rel=1e-10
    )


def test_identical_distributions_give_zero_even_when_singular():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(20, 50))  # fewer samples than dims: a singular covariance
    assert fid(features, features) == pytest.approx(0.0, abs=1e-8)
    mu, sigma = feature_statistics(features)
    assert np.isfinite(frechet_distance(mu, sigma, mu + 1.0, sigma * 2.0))


def test_sample_fid_approaches_the_gaussians_closed_form():
    rng = np.random.default_rng(1)
    mean_shift, scale = np.array([1.0, -1.0, 0.5, 0.0]), np.array([1.0, 2.0, 0.5, 1.5])
    real = rng.normal(size=(100_000, 4))
    generated = rng.normal(size=(100_000, 4)) * scale + mean_shift
    expected = np.sum(mean_shift**2) + np.sum((1.0 - scale) ** 2)
    assert fid(real, generated) == pytest.approx(expected, abs=0.05)


def test_feature_statistics_are_mean_and_unbiased_covariance():
    features = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0]])
    mu, sigma = feature_statistics(features)
    np.testing.assert_allclose(mu, [3.0, 4.0])
    np.testing.assert_allclose(sigma, [[4.0, 2.0], [2.0, 4.0]])


def test_inception_score_is_one_for_uniform_and_ten_for_confident_even_predictions():
    mean, std = inception_score(np.full((100, 10), 0.1), splits=10)
    assert mean == pytest.approx(1.0) and std == pytest.approx(0.0, abs=1e-12)
    one_hot = np.eye(10)[np.tile(np.arange(10), 10)]
    mean, std = inception_score(one_hot, splits=10)
    assert mean == pytest.approx(10.0) and std == pytest.approx(0.0, abs=1e-9)
    # All confident but always the same class: no diversity, score 1.
    assert inception_score(np.eye(10)[np.zeros(50, int)], splits=5)[0] == pytest.approx(1.0)


def test_inception_score_of_two_confident_classes_is_two():
    probabilities = np.eye(10)[np.tile([3, 7], 20)]
    assert inception_score(probabilities, splits=4)[0] == pytest.approx(2.0)


def test_label_accuracy_counts_argmax_matches():
    probabilities = np.array([[0.9, 0.1, 0.0], [0.2, 0.3, 0.5], [0.1, 0.6, 0.3], [0.5, 0.4, 0.1]])
    assert label_accuracy(probabilities, [0, 2, 1, 1]) == 0.75
    assert label_accuracy(probabilities, np.array([1, 1, 0, 2])) == 0.0
    with pytest.raises(ValueError):
        label_accuracy(probabilities, [0, 1])


def test_within_class_diversity_by_brute_force_and_at_its_extremes():
    from tfnotes.generative.scores import within_class_diversity

    features = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 8.0], [1.0, 1.0], [1.0, 1.0]])
    labels = np.array([0, 0, 0, 1, 1])
    # class 0: pairs 5, 8, 5 -> mean 6; class 1: two equal points -> 0; mean over classes 3
    assert within_class_diversity(features, labels) == pytest.approx(3.0)
    rng = np.random.default_rng(0)
    points, groups = rng.normal(size=(60, 5)), np.arange(60) % 3
    brute = np.mean([
        np.mean([np.linalg.norm(a - b) for i, a in enumerate(points[groups == g])
                 for j, b in enumerate(points[groups == g]) if i != j])
        for g in range(3)
    ])
    assert within_class_diversity(points, groups) == pytest.approx(brute, rel=1e-9)
    with pytest.raises(ValueError, match="at least two"):
        within_class_diversity(points[:1], groups[:1])

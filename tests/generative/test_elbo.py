"""ELBO and importance-weighted bound of a tiny model against direct computations.

The model: 2-d latent z ~ N(0, I), six Bernoulli pixels with logits W z + b.
Its log p(x) is a 2-d integral, computed here by quadrature on a grid.
"""

import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from tfnotes.generative.elbo import (
    bernoulli_log_likelihood,
    elbo,
    gaussian_kl_to_standard_normal,
    gaussian_log_density,
    importance_weighted_bound,
    log_importance_weights,
    standard_normal_log_density,
)

WEIGHTS = np.array([[1.5, -1.0, 0.5, 2.0, -0.5, 0.0], [0.5, 1.0, -1.5, 0.0, 1.0, -2.0]])
BIAS = np.array([0.2, -0.3, 0.0, 0.5, -1.0, 0.4])
X = np.array([[1, 0, 1, 1, 0, 0], [0, 1, 0, 0, 1, 1], [1, 1, 0, 1, 0, 1]], dtype=np.float64)


def numpy_log_likelihood(x, logits):
    return np.sum(x * logits - np.logaddexp(0.0, logits), axis=-1)


def numpy_gaussian(z, mean, log_var):
    return np.sum(-0.5 * (np.log(2 * np.pi) + log_var + (z - mean) ** 2 / np.exp(log_var)), axis=-1)


def posterior_by_quadrature():
    """log p(x) and the posterior mean/variance of each example, on a 2-d grid."""
    axis = np.linspace(-7.0, 7.0, 561)
    grid = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    joint = numpy_log_likelihood(X[:, None, :], grid @ WEIGHTS + BIAS) + numpy_gaussian(
        grid, 0.0, 0.0
    )
    log_px = np.logaddexp.reduce(joint, axis=1) + 2 * np.log(axis[1] - axis[0])
    posterior = np.exp(joint - np.logaddexp.reduce(joint, axis=1, keepdims=True))
    mean = posterior @ grid
    variance = posterior @ grid**2 - mean**2
    return log_px, mean, variance


def as_numpy(tensor):
    return np.asarray(ops.convert_to_numpy(tensor))


def test_log_densities_match_formulas_on_hand_values():
    np.testing.assert_allclose(
        as_numpy(bernoulli_log_likelihood(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]))),
        [2 * np.log(0.5)],
    )
    # Large logits stay finite (log sigmoid(-100) = -100 to float precision).
    np.testing.assert_allclose(
        as_numpy(bernoulli_log_likelihood(np.array([[1.0]]), np.array([[-100.0]]))), [-100.0]
    )
    # Image-shaped input sums over all pixel axes.
    images, logits = np.ones((2, 3, 3, 1)), np.zeros((2, 3, 3, 1))
    np.testing.assert_allclose(
        as_numpy(bernoulli_log_likelihood(images, logits)), [9 * np.log(0.5)] * 2
    )
    z, mean, log_var = (
        np.array([[0.5, -1.0]]),
        np.array([[0.0, 1.0]]),
        np.array([[0.0, np.log(4.0)]]),
    )
    expected = -0.5 * (2 * np.log(2 * np.pi) + np.log(4.0) + 0.25 + 4.0 / 4.0)
    np.testing.assert_allclose(as_numpy(gaussian_log_density(z, mean, log_var)), [expected])
    np.testing.assert_allclose(
        as_numpy(standard_normal_log_density(z)),
        as_numpy(gaussian_log_density(z, np.zeros_like(z), np.zeros_like(z))),
    )


def test_analytic_kl_matches_monte_carlo():
    rng = np.random.default_rng(0)
    mean, log_var = np.array([[0.5, -1.0], [0.0, 0.0]]), np.array([[-1.0, 0.5], [0.0, 0.0]])
    z = mean + np.exp(0.5 * log_var) * rng.normal(size=(200_000, 2, 2))
    monte_carlo = np.mean(numpy_gaussian(z, mean, log_var) - numpy_gaussian(z, 0.0, 0.0), axis=0)
    analytic = as_numpy(gaussian_kl_to_standard_normal(mean, log_var))
    np.testing.assert_allclose(analytic, monte_carlo, atol=0.01)
    assert analytic[1] == pytest.approx(0.0)


def test_elbo_matches_a_direct_monte_carlo_of_the_bound():
    rng = np.random.default_rng(1)
    _, mean, variance = posterior_by_quadrature()
    log_var = np.log(variance * 1.5)  # a deliberately imperfect posterior
    samples = 100_000

    def draw():
        return mean + np.exp(0.5 * log_var) * rng.normal(size=(samples, *mean.shape))

    z = draw()
    direct = np.mean(
        numpy_log_likelihood(X, z @ WEIGHTS + BIAS)
        + numpy_gaussian(z, 0.0, 0.0)
        - numpy_gaussian(z, mean, log_var),
        axis=0,
    )
    z = draw()  # independent samples for the estimator under test
    estimated = as_numpy(elbo(X, z @ WEIGHTS + BIAS, mean, log_var)).mean(axis=0)
    np.testing.assert_allclose(estimated, direct, atol=0.03)


def test_importance_weighted_bound_sits_between_elbo_and_log_px():
    rng = np.random.default_rng(2)
    log_px, mean, variance = posterior_by_quadrature()
    log_var = np.log(variance * 1.5)
    z = mean + np.exp(0.5 * log_var) * rng.normal(size=(20_000, *mean.shape))
    log_weights = as_numpy(log_importance_weights(X, z @ WEIGHTS + BIAS, z, mean, log_var))
    assert log_weights.shape == (20_000, 3)
    sampled_elbo = log_weights.mean(axis=0)
    bound_k5 = as_numpy(importance_weighted_bound(log_weights.reshape(4000, 5, 3), axis=1)).mean(
        axis=0
    )
    bound_all = as_numpy(importance_weighted_bound(log_weights))
    assert np.all(sampled_elbo < bound_k5) and np.all(bound_k5 < bound_all)
    np.testing.assert_allclose(bound_all, log_px, atol=0.01)
    assert np.all(sampled_elbo < log_px - 0.01)


def test_importance_weighted_bound_is_log_mean_of_weights():
    weights = np.array([[1.0, 3.0], [2.0, 6.0], [3.0, 3.0]])  # [k=3, batch=2]
    np.testing.assert_allclose(
        as_numpy(importance_weighted_bound(np.log(weights))), np.log([2.0, 4.0])
    )
    # Tiny weights (exp(-1000)) would underflow as plain exponentials.
    np.testing.assert_allclose(
        as_numpy(importance_weighted_bound(np.log(weights) - 1000.0)), np.log([2.0, 4.0]) - 1000.0
    )
    np.testing.assert_allclose(
        as_numpy(importance_weighted_bound(np.array([[-3.0, -4.0]]))), [-3.0, -4.0]
    )


def test_bounds_compile_with_xla_and_agree_with_eager():
    rng = np.random.default_rng(3)
    x = (rng.uniform(size=(4, 28, 28, 1)) > 0.5).astype("float32")
    logits = rng.normal(size=(4, 28, 28, 1)).astype("float32")
    mean, log_var = rng.normal(size=(2, 4, 8)).astype("float32")
    compiled = tf.function(lambda *args: -ops.mean(elbo(*args)), jit_compile=True)
    np.testing.assert_allclose(
        as_numpy(compiled(x, logits, mean, log_var)),
        -as_numpy(elbo(x, logits, mean, log_var)).mean(),
        rtol=1e-5,
    )

"""Log-densities and lower bounds for the VAE, as pure `keras.ops` functions.

The notes' bound: log p(x) >= E_q[log p(x|z) + log p(z) - log q(z|x)] (the ELBO),
with a Bernoulli decoder p(x|z), a standard normal prior p(z) and a diagonal
Gaussian posterior q(z|x) = N(mean, exp(log_var)). The importance-weighted bound
(Burda et al. 2016) averages k weights inside the log and tightens towards
log p(x) as k grows.

All values are in nats, one per example (summed over pixels or latent dims).
Everything is `keras.ops`, so the functions run eagerly on numpy input and
inside compiled (XLA) train steps alike.
"""

import math

from keras import ops

LOG_2PI = math.log(2.0 * math.pi)


def bernoulli_log_likelihood(x, logits):
    """log p(x|z) for a Bernoulli decoder, summed over the pixels of each example.

    `x`: `[batch, ...pixels]` with values in [0, 1] (binary, or probabilities,
    which gives the cross-entropy); `logits`: the decoder's pre-sigmoid output,
    the same shape or with extra leading sample axes (`[k, batch, ...pixels]`).
    Returns `[batch]` (or `[k, batch]`). Uses x*l - softplus(l), which stays
    finite for large |logits| where log(sigmoid(l)) would not.
    """
    x = ops.cast(x, logits.dtype)
    per_pixel = x * logits - ops.softplus(logits)
    pixel_axes = len(x.shape) - 1
    rank = len(per_pixel.shape)
    return ops.sum(per_pixel, axis=tuple(range(rank - pixel_axes, rank)))


def gaussian_log_density(z, mean, log_var):
    """log N(z; mean, diag(exp(log_var))), summed over the last (latent) axis.

    Shapes broadcast, so `z` may carry leading sample axes (`[k, batch, dims]`
    against `[batch, dims]` parameters).
    """
    squared = ops.square(z - mean) * ops.exp(-log_var)
    return -0.5 * ops.sum(LOG_2PI + log_var + squared, axis=-1)


def standard_normal_log_density(z):
    """log N(z; 0, I), summed over the last (latent) axis."""
    return -0.5 * ops.sum(LOG_2PI + ops.square(z), axis=-1)


def gaussian_kl_to_standard_normal(mean, log_var):
    """KL(N(mean, diag(exp(log_var))) || N(0, I)) in closed form, summed over latent dims."""
    return 0.5 * ops.sum(ops.exp(log_var) + ops.square(mean) - 1.0 - log_var, axis=-1)


def elbo(x, logits, mean, log_var):
    """Single-sample ELBO per example with the analytic KL: log p(x|z) - KL(q || p).

    `logits` are the decoder's output for one z drawn from q(z|x) (the
    reparameterisation trick); the result is `[batch]`, an unbiased estimate
    of the bound. The VAE loss is `-mean(elbo(...))`.
    """
    return bernoulli_log_likelihood(x, logits) - gaussian_kl_to_standard_normal(mean, log_var)


def log_importance_weights(x, logits, z, mean, log_var):
    """log w = log p(x|z) + log p(z) - log q(z|x) for samples z of q(z|x).

    `z`: `[k, batch, dims]`; `logits`: the decoder's output for them,
    `[k, batch, ...pixels]`; `x`, `mean`, `log_var` have no sample axis.
    Returns `[k, batch]`, ready for `importance_weighted_bound`.
    """
    return (
        bernoulli_log_likelihood(x, logits)
        + standard_normal_log_density(z)
        - gaussian_log_density(z, mean, log_var)
    )


def importance_weighted_bound(log_weights, axis=0):
    """log (1/k) sum_i w_i per example, from log weights with the k samples on `axis`.

    Computed with log-sum-exp so weights of order exp(-100) do not underflow.
    `-importance_weighted_bound(...)` is the IWAE estimate of -log p(x) (the
    `test_nll_iw` figure); with k=1 it equals the sampled ELBO.
    """
    count = ops.cast(ops.shape(log_weights)[axis], log_weights.dtype)
    return ops.logsumexp(log_weights, axis=axis) - ops.log(count)

"""Generative models for 28x28 digits: the VAE and the GANs, their bounds and scores.

* `vae`: `VariationalAutoencoder` (its own ELBO train step), encoder/decoder
  builders, fixed binarisation, the importance-weighted NLL estimate.
* `gan`: the DCGAN tutorial's generator/discriminator (and the conditional
  variant), `GenerativeAdversarialNetwork` (two optimizers, its own train step).
* `images`: image grids for TensorBoard and PNG files, an epoch timer.
* `elbo`: log-densities, analytic KL, the ELBO and the importance-weighted bound.
* `scores`: Frechet distance (FID), inception score, label accuracy of samples.

Importing it registers the two models for `keras.models.load_model`.
"""

from tfnotes.generative.gan import (
    GenerativeAdversarialNetwork,
    MinibatchStddev,
    build_discriminator,
    build_generator,
    draw_noise,
)
from tfnotes.generative.images import image_grid, save_png, write_image
from tfnotes.generative.vae import (
    VariationalAutoencoder,
    binarize,
    build_decoder,
    build_encoder,
    importance_weighted_nll,
    to_unit_interval,
)

__all__ = [
    "GenerativeAdversarialNetwork",
    "MinibatchStddev",
    "VariationalAutoencoder",
    "binarize",
    "build_decoder",
    "build_discriminator",
    "build_encoder",
    "build_generator",
    "draw_noise",
    "image_grid",
    "importance_weighted_nll",
    "save_png",
    "to_unit_interval",
    "write_image",
]

"""The variational autoencoder: encoder, decoder and a Keras model with its own train step.

A diagonal Gaussian posterior q(z|x) = N(mean, exp(log_var)) from the encoder,
z = mean + exp(log_var / 2) * eps by the reparameterisation trick, a Bernoulli
decoder p(x|z) (logits per pixel) and a standard normal prior. The loss is the
negative single-sample ELBO with the analytic KL (`tfnotes.generative.elbo`).

Training binarises its inputs anew at every step (dynamic binarisation: each
pixel is 1 with probability equal to its intensity); evaluation expects inputs
binarised once, with a fixed seed (`binarize`), so every epoch and every run
scores the same binary digits.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from tfnotes.generative import elbo as bounds
from tfnotes.train.replicas import (
    draw_for_global_batch,
    jit_compile_under_strategy,
    scale_for_replicas,
)

ARCHITECTURES = ("conv", "mlp")
OBJECTIVES = ("elbo", "autoencoder")
IMAGE_SHAPE = (28, 28, 1)
MLP_UNITS = 200  # hidden units of the mlp encoder and decoder (Burda et al. 2016)


def binarize(images, seed: int = 0) -> np.ndarray:
    """Fixed binarisation: float32 {0, 1} `[N, 28, 28, 1]`, pixel on with probability intensity.

    `images`: uint8 0..255 (or float 0..1) `[N, 28, 28(, 1)]`. The same seed
    always gives the same binary digits (the evaluation set of a run).
    """
    intensities = to_unit_interval(images)
    return (np.random.default_rng(seed).random(intensities.shape) < intensities).astype(np.float32)


def to_unit_interval(images) -> np.ndarray:
    """uint8 0..255 (or float 0..1) digits -> float32 intensities in [0, 1], `[N, 28, 28, 1]`."""
    images = np.asarray(images)
    scaled = (
        images.astype(np.float32) / 255.0 if images.dtype == np.uint8 else images.astype(np.float32)
    )
    return scaled.reshape(-1, *IMAGE_SHAPE)


def build_encoder(arch: str, latent_dim: int) -> keras.Model:
    """x `[28, 28, 1]` -> (mean, log_var), each `[latent_dim]`.

    `conv`: two stride-2 3x3 convolutions (32, 64 channels) and a 256-unit
    dense layer; `mlp`: two 200-unit tanh layers (the one-stochastic-layer
    VAE of Burda et al. 2016, whose MNIST figure is -log p(x) = 86.76 nats
    with latent_dim=50).
    """
    image = keras.Input(IMAGE_SHAPE, name="image")
    if arch == "conv":
        hidden = keras.layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(image)
        hidden = keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(hidden)
        hidden = keras.layers.Flatten()(hidden)
        hidden = keras.layers.Dense(256, activation="relu")(hidden)
    elif arch == "mlp":
        hidden = keras.layers.Flatten()(image)
        hidden = keras.layers.Dense(MLP_UNITS, activation="tanh")(hidden)
        hidden = keras.layers.Dense(MLP_UNITS, activation="tanh")(hidden)
    else:
        raise ValueError(f"arch={arch!r}; choose one of {ARCHITECTURES}")
    mean = keras.layers.Dense(latent_dim, name="mean")(hidden)
    log_var = keras.layers.Dense(latent_dim, name="log_var")(hidden)
    return keras.Model(image, [mean, log_var], name="encoder")


def build_decoder(arch: str, latent_dim: int) -> keras.Model:
    """z `[latent_dim]` -> Bernoulli logits `[28, 28, 1]`.

    `conv`: a dense layer to 7x7x32, then two stride-2 3x3 transposed
    convolutions (16 channels, then the logits), about 1M multiply-adds per
    code: narrow, because the importance-weighted evaluation decodes k=500
    codes per test image (1M decodes for 2,000 images). `mlp`: two 200-unit
    tanh layers, then 784 logits.
    """
    z = keras.Input((latent_dim,), name="z")
    if arch == "conv":
        hidden = keras.layers.Dense(7 * 7 * 32, activation="relu")(z)
        hidden = keras.layers.Reshape((7, 7, 32))(hidden)
        hidden = keras.layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu")(
            hidden
        )
        logits = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same", name="logits")(
            hidden
        )
    elif arch == "mlp":
        hidden = keras.layers.Dense(MLP_UNITS, activation="tanh")(z)
        hidden = keras.layers.Dense(MLP_UNITS, activation="tanh")(hidden)
        hidden = keras.layers.Dense(int(np.prod(IMAGE_SHAPE)), name="logits")(hidden)
        logits = keras.layers.Reshape(IMAGE_SHAPE)(hidden)
    else:
        raise ValueError(f"arch={arch!r}; choose one of {ARCHITECTURES}")
    return keras.Model(z, logits, name="decoder")


@keras.saving.register_keras_serializable(package="tfnotes")
class VariationalAutoencoder(keras.Model):
    """A VAE with a Bernoulli decoder, trained by maximising the ELBO in its own `train_step`.

    Args:
        latent_dim: size of z.
        arch: ``conv`` or ``mlp`` encoder and decoder (see `build_encoder`).
        seed: seeds the model's random draws (binarisation, eps).
        objective: ``elbo`` (the VAE) or ``autoencoder``: the same networks trained as a
            plain autoencoder, z = the encoder's mean with no noise and no KL term, so
            its loss is the reconstruction alone (its ``elbo`` is then minus the
            reconstruction loss, not a bound on log p(x), and ``kl_loss`` is 0).

    `fit` takes batches of float intensities in [0, 1] (`[B, 28, 28, 1]`) and
    binarises them each step; `evaluate` takes batches already binarised (see
    `binarize`). Both report ``loss`` (-ELBO), ``elbo``, ``reconstruction_loss``
    (-log p(x|z)) and ``kl_loss``, in nats per image. Calling the model returns
    the decoder's pixel probabilities for the posterior mean of each input.

    Under a tf.distribute strategy the step differentiates its loss divided by the
    replicas (`tfnotes.train.replicas`), reports the global batch's means, and draws
    its random numbers for the global batch, so two replicas take the step one
    device takes (up to float summation order).
    """

    train_step_reduces_across_replicas = True  # checked by tfnotes.train.fit_model

    def __init__(self, latent_dim: int = 16, arch: str = "conv", seed: int = 0,
                 objective: str = "elbo", **kwargs):
        super().__init__(**kwargs)
        if objective not in OBJECTIVES:
            raise ValueError(f"objective={objective!r}; choose one of {OBJECTIVES}")
        self.latent_dim, self.arch, self.seed, self.objective = latent_dim, arch, seed, objective
        self.encoder = build_encoder(arch, latent_dim)
        self.decoder = build_decoder(arch, latent_dim)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.elbo_tracker = keras.metrics.Mean(name="elbo")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")
        self.build(None)

    def build(self, input_shape=None):
        """Nothing to do: the encoder and decoder are built when constructed."""

    @property
    def metrics(self):
        """The loss trackers, reset by Keras at the start of each epoch and evaluation."""
        return [self.loss_tracker, self.elbo_tracker, self.reconstruction_tracker, self.kl_tracker]

    def call(self, images, training=False):
        """Pixel probabilities `[B, 28, 28, 1]` of the decoder at the posterior mean."""
        mean, _ = self.encoder(images, training=training)
        return ops.sigmoid(self.decoder(mean, training=training))

    def sample_posterior(self, mean, log_var):
        """z = mean + sigma * eps, eps ~ N(0, I): the reparameterisation trick.

        Under tf.distribute, eps is this replica's rows of a draw for the global batch.
        """
        eps = draw_for_global_batch(
            lambda shape: keras.random.normal(shape, seed=self.seed_generator), ops.shape(mean)
        )
        return mean + ops.exp(0.5 * log_var) * eps

    def decode_probabilities(self, z):
        """Pixel probabilities `[B, 28, 28, 1]` for latent codes `z` `[B, latent_dim]`."""
        return ops.sigmoid(self.decoder(z, training=False))

    def _bound_terms(self, binary_images, training):
        mean, log_var = self.encoder(binary_images, training=training)
        if self.objective == "autoencoder":  # deterministic code, no KL
            logits = self.decoder(mean, training=training)
            reconstruction = -bounds.bernoulli_log_likelihood(binary_images, logits)
            return reconstruction, ops.zeros_like(reconstruction)
        logits = self.decoder(self.sample_posterior(mean, log_var), training=training)
        reconstruction = -bounds.bernoulli_log_likelihood(binary_images, logits)
        kl = bounds.gaussian_kl_to_standard_normal(mean, log_var)
        return reconstruction, kl

    def _update_trackers(self, reconstruction, kl):
        elbo = -(reconstruction + kl)
        self.loss_tracker.update_state(-elbo)
        self.elbo_tracker.update_state(elbo)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return {metric.name: metric.result() for metric in self.metrics}

    def train_step(self, data):
        """One gradient step on -ELBO for a batch of intensities, binarised afresh.

        Differentiates the batch mean divided by the replicas in sync (1 on one device).
        """
        import tensorflow as tf  # the step is TensorFlow-specific (GradientTape)

        images = data[0] if isinstance(data, (tuple, list)) else data
        noise = draw_for_global_batch(
            lambda shape: keras.random.uniform(shape, seed=self.seed_generator), ops.shape(images)
        )
        binary_images = ops.cast(noise < images, images.dtype)
        with tf.GradientTape() as tape:
            reconstruction, kl = self._bound_terms(binary_images, training=True)
            loss = scale_for_replicas(ops.mean(reconstruction + kl))
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        return self._update_trackers(reconstruction, kl)

    def test_step(self, data):
        """The ELBO terms for a batch of already-binarised images."""
        images = data[0] if isinstance(data, (tuple, list)) else data
        return self._update_trackers(*self._bound_terms(images, training=False))

    def log_importance_weights(self, binary_images, samples: int):
        """log w `[samples, B]` for `samples` draws z ~ q(z|x) per image (Burda et al. 2016)."""
        mean, log_var = self.encoder(binary_images, training=False)
        batch = ops.shape(mean)[0]
        eps = keras.random.normal((samples, batch, self.latent_dim), seed=self.seed_generator)
        z = mean[None] + ops.exp(0.5 * log_var)[None] * eps
        logits = self.decoder(ops.reshape(z, (samples * batch, self.latent_dim)), training=False)
        logits = ops.reshape(logits, (samples, batch, *IMAGE_SHAPE))
        return bounds.log_importance_weights(binary_images, logits, z, mean, log_var)

    def get_config(self):
        """The constructor arguments; weights are saved separately by Keras."""
        return {
            **super().get_config(),
            "latent_dim": self.latent_dim,
            "arch": self.arch,
            "seed": self.seed,
            "objective": self.objective,
        }


def importance_weighted_nll(
    model: VariationalAutoencoder,
    binary_images,
    samples: int = 500,
    decodes_per_call: int = 2000,
    jit_compile: bool = True,
) -> float:
    """-log p(x) estimated with `samples` importance samples, averaged over images (nats).

    Images go through in groups of ``max(1, decodes_per_call // samples)``, so
    one call decodes about `decodes_per_call` latent codes and memory stays
    small whatever `samples` is. The estimate is an upper bound on the true
    negative log-likelihood that tightens as `samples` grows; with samples=1 it
    is the (sampled) -ELBO. Inside a tf.distribute strategy's scope it runs on one
    device without XLA (`jit_compile_under_strategy`).
    """
    import tensorflow as tf

    binary_images = np.asarray(binary_images, np.float32).reshape(-1, *IMAGE_SHAPE)
    group = max(1, decodes_per_call // samples)

    @tf.function(jit_compile=jit_compile_under_strategy(jit_compile), reduce_retracing=True)
    def group_bound(images):
        return bounds.importance_weighted_bound(model.log_importance_weights(images, samples))

    total = 0.0
    for start in range(0, len(binary_images), group):
        chunk = binary_images[start : start + group]
        if len(chunk) < group:  # keep one compiled shape: pad, then drop the padding
            padded = np.concatenate(
                [chunk, np.zeros((group - len(chunk), *IMAGE_SHAPE), np.float32)]
            )
            total += float(np.sum(group_bound(padded).numpy()[: len(chunk)]))
        else:
            total += float(np.sum(group_bound(chunk).numpy()))
    return -total / len(binary_images)

"""VAE: a variational autoencoder on binarized MNIST, scored by ELBO and importance-weighted NLL.

The notes' bound, log p(x) >= E_q[log p(x|z) + log p(z) - log q(z|x)], is the
training objective (single sample, reparameterisation trick, analytic KL) of
a Bernoulli decoder over digits binarised afresh each step. The evaluation
digits are binarised once with a fixed seed; on them the run reports
`test_elbo` (nats per image, negative) and `test_nll_iw`, the k-sample
importance-weighted estimate of -log p(x) (Burda et al. 2016), which is
tighter than -ELBO. TensorBoard (``images/``) shows reconstructions next to
their inputs, samples from the prior and, for latent_dim=2, the latent manifold.

Run it:

    make experiment NAME=vae                                     # MNIST through tfds
    make experiment NAME=vae ARGS="config=mnist"                 # the figures, docs/vae_gan.md
    make experiment NAME=vae ARGS="config=mnist latent_dim=2 epochs=10"
    make experiment NAME=vae ARGS="data=synthetic arch=mlp"      # offline, rendered digits
    make experiment NAME=vae ARGS="config=mnist objective=autoencoder"   # a plain autoencoder

Load the trained model (pixel probabilities of the reconstruction of `images`):

    .venv/bin/python -c "import tfnotes, keras; keras.models.load_model('RUN_DIR/model.keras')"
"""

import dataclasses
import time
from statistics import NormalDist
from typing import Annotated, Literal

import keras
import numpy as np

from tfnotes.digits.loading import load_digits_for_run
from tfnotes.generative import (
    VariationalAutoencoder,
    binarize,
    image_grid,
    importance_weighted_nll,
    save_png,
    to_unit_interval,
    write_image,
)
from tfnotes.train import (
    ALL_STRATEGIES,
    CommonConfig,
    EpochTimer,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    Range,
    fit_model,
    write_scalars,
)

# strategy=: all; fit_model distributes, and VariationalAutoencoder.train_step scales
# its loss and draws its noise for the replicas (tfnotes.train.replicas).
STRATEGIES = ALL_STRATEGIES

# The evaluation digits are binarised with this seed in every run, so test
# figures compare across runs (and across `seed=`).
EVAL_BINARIZATION_SEED = 0


@dataclasses.dataclass
class Config(CommonConfig):
    """VAE settings; every field can be set as `key=value` on the command line."""

    # MNIST through tfds, or rendered digits; data_dir=DIR reads idx files instead
    data: Literal["mnist", "synthetic"] = "mnist"
    epochs: PositiveInt = 20  # passes over the training split
    batch_size: PositiveInt = 32  # digits per step
    learning_rate: PositiveFloat = 1e-3  # Adam step size
    # encoder/decoder: convolutional, or two 200-unit tanh layers (Burda et al.)
    arch: Literal["conv", "mlp"] = "conv"
    latent_dim: PositiveInt = 16  # size of z (2 draws the latent manifold)
    # elbo: the VAE; autoencoder: the same networks as a plain autoencoder (no noise, no KL)
    objective: Literal["elbo", "autoencoder"] = "elbo"
    iw_samples: PositiveInt = 500  # k of the importance-weighted test_nll_iw (Burda et al. 2016)
    # latent codes decoded per compiled call of the IW estimate (memory)
    iw_decodes_per_call: PositiveInt = 2000
    iw_every: NonNegativeInt = 0  # also log the IW estimate every N epochs (0: only at the end)
    max_train_images: NonNegativeInt = 0  # use only the first N training digits (0: all)
    max_eval_images: NonNegativeInt = 0  # use only the first N evaluation digits (0: all)
    # data=synthetic: digits rendered (train + eval; at least 20, ten of them for eval)
    synthetic_count: Annotated[int, Range("[20, inf)")] = 10000
    images_to_show: PositiveInt = 16  # eval digits shown with their reconstructions each epoch
    manifold_size: PositiveInt = 15  # latent_dim=2: the manifold picture is N x N decoded codes


# The configuration `smoke=True` applies (seconds, for tests).
SMOKE = dict(
    epochs=1,
    batch_size=16,
    iw_samples=8,
    iw_decodes_per_call=64,
    max_train_images=64,
    max_eval_images=24,
    synthetic_count=120,
    images_to_show=8,
    manifold_size=4,
)


def load_splits(config):
    """(train intensities [N,28,28,1] in [0,1], fixed-binarised eval digits, the DigitSplits)."""
    splits = load_digits_for_run(config, max_eval_images=config.max_eval_images)
    return (
        to_unit_interval(splits.train_images),
        binarize(splits.eval_images, seed=EVAL_BINARIZATION_SEED),
        splits,
    )


def make_datasets(train_images, eval_binary, config):
    """tf.data pipelines: shuffled training intensities (full batches) and the fixed eval digits."""
    import tensorflow as tf

    batch_size = min(config.batch_size, len(train_images))
    train = (
        tf.data.Dataset.from_tensor_slices(train_images)
        .shuffle(len(train_images), seed=config.seed, reshuffle_each_iteration=True)
        .batch(batch_size, drop_remainder=True)
        .prefetch(2)
    )
    evaluation = (
        tf.data.Dataset.from_tensor_slices(eval_binary).batch(config.batch_size).prefetch(2)
    )
    return train, evaluation


def manifold_codes(size):
    """`[size*size, 2]` latent codes on a grid of standard-normal quantiles (rows: z2 falling)."""
    quantiles = [NormalDist().inv_cdf(p) for p in np.linspace(0.05, 0.95, size)]
    return np.array([[z1, z2] for z2 in reversed(quantiles) for z1 in quantiles], np.float32)


class VaeImages(keras.callbacks.Callback):
    """Each epoch: reconstructions under their inputs, prior samples, and the 2-D manifold.

    Written as image summaries under ``run_dir/images``; the last epoch's prior
    samples (and manifold) are also saved as PNG files in the run directory.
    """

    def __init__(self, run_dir, eval_binary, config):
        super().__init__()
        self.run_dir, self.config = run_dir, config
        shown = min(config.images_to_show, len(eval_binary)) // 8 * 8 or min(8, len(eval_binary))
        self.inputs = eval_binary[:shown]
        self.prior_codes = (
            np.random.default_rng(config.seed)
            .standard_normal((64, config.latent_dim))
            .astype(np.float32)
        )

    def grids(self):
        """The current {tag: grid} pictures."""
        columns = min(8, len(self.inputs))
        reconstructions = np.asarray(self.model(self.inputs))
        pairs = []
        for start in range(
            0, len(self.inputs), columns
        ):  # an input row, then its reconstruction row
            pairs += [
                self.inputs[start : start + columns],
                reconstructions[start : start + columns],
            ]
        rows = len(pairs)
        grids = {
            "reconstructions": image_grid(np.concatenate(pairs), rows, columns),
            "prior_samples": image_grid(
                np.asarray(self.model.decode_probabilities(self.prior_codes)), 8, 8
            ),
        }
        if self.config.latent_dim == 2:
            size = self.config.manifold_size
            decoded = np.asarray(self.model.decode_probabilities(manifold_codes(size)))
            grids["latent_manifold"] = image_grid(decoded, size, size)
        return grids

    def on_epoch_end(self, epoch, logs=None):
        for tag, grid in self.grids().items():
            write_image(self.run_dir, "images", tag, grid, step=epoch)

    def on_train_end(self, logs=None):
        for tag, grid in self.grids().items():
            if tag != "reconstructions":
                save_png(self.run_dir.path / f"{tag}.png", grid)


class ImportanceWeightedEvaluation(keras.callbacks.Callback):
    """Every `iw_every` epochs, logs the IW estimate of -log p(x) as ``validation/nll_iw``."""

    def __init__(self, run_dir, eval_binary, config):
        super().__init__()
        self.run_dir, self.eval_binary, self.config = run_dir, eval_binary, config
        self.history = {}  # epoch (1-based) -> nll_iw
        self.seconds = 0.0  # wall time of the last estimate

    def estimate(self):
        """The IW estimate of -log p(x) on the eval digits now (nats per image)."""
        start = time.perf_counter()
        nll = importance_weighted_nll(
            self.model,
            self.eval_binary,
            self.config.iw_samples,
            self.config.iw_decodes_per_call,
            self.config.jit_compile,
        )
        self.seconds = time.perf_counter() - start
        return nll

    def on_epoch_end(self, epoch, logs=None):
        every = self.config.iw_every if self.config.objective == "elbo" else 0
        if every and (epoch + 1) % every == 0:
            nll = self.estimate()
            self.history[epoch + 1] = nll
            write_scalars(self.run_dir, "validation", {"nll_iw": nll}, step=epoch)
            print(
                f"epoch {epoch + 1}: eval elbo {logs.get('val_elbo', float('nan')):.2f}, "
                f"nll_iw (k={self.config.iw_samples}) {nll:.2f} nats",
                flush=True,
            )


def run(config, run_dir):
    """Train the VAE and evaluate it on the eval split; returns the final metrics."""
    train_images, eval_binary, _ = load_splits(config)
    train_data, eval_data = make_datasets(train_images, eval_binary, config)

    model = VariationalAutoencoder(latent_dim=config.latent_dim, arch=config.arch, seed=config.seed,
                                   objective=config.objective)
    timer = EpochTimer()  # first, so the image and IW callbacks are not timed
    iw_callback = ImportanceWeightedEvaluation(run_dir, eval_binary, config)
    fit_model(
        model,
        train_data,
        eval_data,
        config=config,
        run_dir=run_dir,
        loss=None,
        callbacks=[timer, VaeImages(run_dir, eval_binary, config), iw_callback],
    )

    scores = model.evaluate(eval_data, return_dict=True, verbose=0)
    metrics = {"test_reconstruction_loss": scores["reconstruction_loss"]}
    if config.objective == "elbo":  # an autoencoder has no bound on log p(x) to report
        nll_iw = (
            iw_callback.history.get(config.epochs) or iw_callback.estimate()
        )  # already done at the last epoch?
        metrics.update(test_elbo=scores["elbo"], test_nll_iw=nll_iw, test_kl=scores["kl_loss"],
                       seconds_iw=iw_callback.seconds)
    for epoch, value in sorted(iw_callback.history.items()):
        metrics[f"nll_iw_epoch_{epoch}"] = value
    metrics.update(timer.timing_metrics())
    metrics = {name: float(value) for name, value in metrics.items()}
    write_scalars(run_dir, "test", metrics, step=config.epochs)
    return metrics

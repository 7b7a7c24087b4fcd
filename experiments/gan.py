"""GAN: the DCGAN tutorial's digit generator, and the conditional GAN that draws a chosen digit.

A generator turns 100-d noise into imitation digits, a discriminator tells them
from real ones, and the two train against each other (two optimizers, one
custom train step, XLA-compiled). `variant=conditional` also feeds the digit
to both networks, so the generator draws the digit it is asked for.

The judge (`tfnotes.digits.judge`, a small CNN trained once on the
training split and cached under LOGDIR/_cache) scores the samples: `fid`
between the evaluation digits and `fid_samples` generated ones (lower is
better), their `inception_score` next to the evaluation split's own
(`real_inception_score`, the ceiling), and for the conditional GAN
`label_accuracy`, the fraction of samples the judge reads as the digit asked
for. TensorBoard shows a fixed-noise grid each epoch (``images/``, one row per
digit when conditional) and, every epoch, the metrics on `epoch_samples` samples.

Run it:

    make experiment NAME=gan                                   # MNIST through tfds
    make experiment NAME=gan ARGS="config=conditional"         # the figures, docs/vae_gan.md
    make experiment NAME=gan ARGS="config=dcgan"
    make experiment NAME=gan ARGS="data=synthetic"             # offline, rendered digits

The run directory holds `generator.keras`, a plain Keras model (no tfnotes
needed). Draw eight 7s from a conditional run into sevens.png:

    .venv/bin/python -c "import keras, numpy as np
    g = keras.models.load_model('RUN_DIR/generator.keras')
    sevens = g.predict([np.random.normal(size=(8, 100)), np.full(8, 7)])
    keras.utils.save_img('sevens.png', np.hstack(sevens))"

(a dcgan generator takes the noise alone: ``g.predict(np.random.normal(size=(8, 100)))``).
"""

import dataclasses
import time
from pathlib import Path
from typing import Annotated, Literal

import keras
import numpy as np

from tfnotes.digits.judge import judge_features, judge_probabilities, train_digit_judge
from tfnotes.digits.loading import load_digits_for_run
from tfnotes.generative import (
    GenerativeAdversarialNetwork,
    image_grid,
    save_png,
    write_image,
)
from tfnotes.generative.scores import fid, inception_score, label_accuracy
from tfnotes.train import (
    ALL_STRATEGIES,
    CommonConfig,
    EpochTimer,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    Range,
    fit_model,
    seed_everything,
    write_scalars,
)

# strategy=: all; fit_model distributes, and GenerativeAdversarialNetwork.train_step
# scales both losses and draws its noise for the replicas (tfnotes.train.replicas).
STRATEGIES = ALL_STRATEGIES


@dataclasses.dataclass
class Config(CommonConfig):
    """GAN settings; every field can be set as `key=value` on the command line."""

    # MNIST through tfds, or rendered digits; data_dir=DIR reads idx files instead
    data: Literal["mnist", "synthetic"] = "mnist"
    # unconditional DCGAN, or noise + digit -> that digit
    variant: Literal["dcgan", "conditional"] = "conditional"
    # passes over the training split (conditional label accuracy peaks near epoch 4 at width 16;
    # dcgan keeps improving to 15)
    epochs: PositiveInt = 4
    batch_size: PositiveInt = 64  # real digits per step
    learning_rate: PositiveFloat = 1e-4  # Adam step size of both networks (the tutorial's)
    # Adam's first-moment decay of both networks (DCGAN paper)
    beta_1: Annotated[float, Range("[0, 1)")] = 0.5
    # conditional: weight of the discriminator's digit-classifier loss (AC-GAN) in both losses
    class_loss_weight: NonNegativeFloat = 3.0
    # conditional: weight of the generator's mode-seeking term (MSGAN), against one sample per digit
    mode_seeking_weight: NonNegativeFloat = 0.05
    noise_dim: PositiveInt = 100  # size of the generator's noise vector
    # channel scale: generator 4w/2w/w, discriminator w/2w channels (the tutorial's is 64; 16 is
    # ~15x cheaper)
    width: PositiveInt = 16
    # generated digits behind the final fid / inception_score / label_accuracy (FID needs 2)
    fid_samples: Annotated[int, Range("[2, inf)")] = 10000
    # generated digits scored after each epoch for TensorBoard (0: none; else at least 2)
    epoch_samples: NonNegativeInt = 1000
    judge_epochs: PositiveInt = 10  # training epochs of the cached digit judge
    max_train_images: NonNegativeInt = 0  # use only the first N training digits (0: all)
    # data=synthetic: digits rendered (train + eval; at least 20, ten of them for eval)
    synthetic_count: Annotated[int, Range("[20, inf)")] = 10000
    grid_columns: PositiveInt = 10  # samples per row of the TensorBoard grid (10 rows)

    def __post_init__(self):
        # A ValueError here reaches the user as a one-line usage error (status 2)
        # before the runner makes a run directory.
        if self.epoch_samples == 1:
            raise ValueError(
                "epoch_samples=1: the FID of the epoch's samples needs at least 2 (0 turns it off)"
            )


# The shrunken configuration `smoke=True` applies (seconds, for tests).
SMOKE = dict(
    epochs=1,
    batch_size=16,
    width=4,
    fid_samples=60,
    epoch_samples=30,
    judge_epochs=1,
    max_train_images=64,
    synthetic_count=120,
    grid_columns=4,
)


def load_splits(config):
    """The DigitSplits, the training digits cut to `max_train_images`; prints the loader's note."""
    return load_digits_for_run(config)


def training_dataset(splits, config):
    """Shuffled full batches of (images in [-1, 1] `[B, 28, 28, 1]`, int32 digits)."""
    import tensorflow as tf

    images = splits.train_images.astype(np.float32).reshape(-1, 28, 28, 1) / 127.5 - 1.0
    digits = splits.train_labels.astype(np.int32)
    return (
        tf.data.Dataset.from_tensor_slices((images, digits))
        .shuffle(len(digits), seed=config.seed, reshuffle_each_iteration=True)
        .batch(min(config.batch_size, len(digits)), drop_remainder=True)
        .prefetch(2)
    )


def generate(generator, noise, digits, conditional):
    """Generated digits in [0, 1], `[N, 28, 28, 1]`."""
    inputs = [noise, digits] if conditional else noise
    return (generator.predict(inputs, batch_size=500, verbose=0) + 1.0) / 2.0


class SampleScores:
    """Scores generated digits with the judge: FID, inception score, label accuracy."""

    def __init__(self, judge, eval_images, conditional, seed):
        self.judge, self.conditional, self.seed = judge, conditional, seed
        self.real_features = judge_features(judge, eval_images)

    def __call__(self, generator, count, splits=10):
        """The metrics for `count` samples (digits 0..9 in turn when conditional)."""
        rng = np.random.default_rng(self.seed + 1)
        noise = rng.standard_normal((count, generator.inputs[0].shape[-1])).astype(np.float32)
        digits = (np.arange(count) % 10).astype(np.int32)
        images = generate(generator, noise, digits, self.conditional)
        probabilities = judge_probabilities(self.judge, images)
        scores = {"fid": fid(self.real_features, judge_features(self.judge, images))}
        scores["inception_score"], scores["inception_score_std"] = inception_score(
            probabilities, min(splits, count)
        )
        if self.conditional:
            scores["label_accuracy"] = label_accuracy(probabilities, digits)
        return scores


class SampleGrid(keras.callbacks.Callback):
    """Each epoch: the fixed-noise sample grid (``images/samples``) and, optionally, sample scores.

    For the conditional GAN, row d of the grid asks for digit d (d = 0..9),
    with the same noise down each column; for the DCGAN every tile has its own noise.
    """

    def __init__(self, run_dir, config, scores=None):
        super().__init__()
        self.run_dir, self.config, self.scores = run_dir, config, scores
        columns, rng = config.grid_columns, np.random.default_rng(config.seed)
        if config.variant == "conditional":  # the same noise down each column
            self.noise = np.tile(
                rng.standard_normal((columns, config.noise_dim)).astype(np.float32), (10, 1)
            )
        else:
            self.noise = rng.standard_normal((10 * columns, config.noise_dim)).astype(np.float32)
        self.digits = np.repeat(np.arange(10, dtype=np.int32), columns)
        self.history = {}  # epoch (1-based) -> scores

    def grid(self):
        """The current grid: 10 rows of `grid_columns` samples, values in [0, 1]."""
        images = generate(self.model.generator, self.noise, self.digits, self.model.conditional)
        return image_grid(images, 10, self.config.grid_columns)

    def on_epoch_end(self, epoch, logs=None):
        write_image(self.run_dir, "images", "samples", self.grid(), step=epoch)
        if self.scores is not None and self.config.epoch_samples:
            scores = self.scores(self.model.generator, self.config.epoch_samples)
            self.history[epoch + 1] = scores
            write_scalars(self.run_dir, "validation", scores, step=epoch)
            print(
                f"epoch {epoch + 1}: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()),
                flush=True,
            )


def judge_for(splits, config):
    """The digit judge trained on the training split, cached under LOGDIR/_cache."""
    start = time.perf_counter()
    judge = train_digit_judge(
        splits.train_images,
        splits.train_labels,
        Path(config.logdir) / "_cache",
        seed=config.seed,
        epochs=config.judge_epochs,
    )
    print(
        f"judge: ready in {time.perf_counter() - start:.1f} s "
        f"(cached under {Path(config.logdir) / '_cache'})",
        flush=True,
    )
    return judge


def run(config, run_dir):
    """Train the GAN, export its generator and score its samples; returns the final metrics."""
    splits = load_splits(config)
    conditional = config.variant == "conditional"
    scores = SampleScores(judge_for(splits, config), splits.eval_images, conditional, config.seed)
    # The judge reseeds while it trains (not when it is cached): seed again, so that
    # the GAN draws the same numbers either way.
    seed_everything(config.seed)

    model = GenerativeAdversarialNetwork(
        config.variant,
        config.noise_dim,
        config.width,
        seed=config.seed,
        class_loss_weight=config.class_loss_weight,
        mode_seeking_weight=config.mode_seeking_weight,
    )
    optimizers = {
        part: keras.optimizers.Adam(
            config.learning_rate,
            beta_1=config.beta_1,
            clipnorm=config.clipnorm,
            name=f"{part}_adam",
        )
        for part in ("generator", "discriminator")
    }
    timer = EpochTimer()  # first, so sample grids and scores are not timed
    grid = SampleGrid(run_dir, config, scores)
    history = fit_model(
        model,
        training_dataset(splits, config),
        None,
        config=config,
        run_dir=run_dir,
        loss=None,
        optimizer=optimizers,
        callbacks=[timer, grid],
    )
    model.generator.save(run_dir.path / "generator.keras")
    save_png(run_dir.path / "samples.png", grid.grid())

    start = time.perf_counter()
    metrics = scores(model.generator, config.fid_samples)
    metrics["seconds_scoring"] = time.perf_counter() - start
    real_probabilities = judge_probabilities(scores.judge, splits.eval_images)
    metrics["real_inception_score"], _ = inception_score(
        real_probabilities, min(10, len(real_probabilities))
    )
    for name in (metric.name for metric in model.metrics):
        if history.history.get(name):
            metrics[name] = history.history[name][-1]
    metrics.update(timer.timing_metrics())
    metrics = {name: float(value) for name, value in metrics.items()}
    write_scalars(run_dir, "test", metrics, step=config.epochs)
    return metrics

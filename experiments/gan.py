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
for, and `diversity_ratio`, the variety within a digit (mean pairwise distance
of the judge's features among one digit's samples) over the real digits' own.
TensorBoard shows a fixed-noise grid each epoch (``images/``, one row per
digit when conditional) and, every epoch, the metrics on `epoch_samples` samples.

Run it:

    make experiment NAME=gan                                   # MNIST through tfds
    make experiment NAME=gan ARGS="config=conditional"         # the figures, docs/gan_page.md
    make serve-gan RUN=RUN_DIR                                 # its generator in a web page
    make experiment NAME=gan ARGS="config=dcgan"
    make experiment NAME=gan ARGS="data=synthetic"             # offline, rendered digits

The run directory holds `generator.keras`, a plain Keras model (no tfnotes
needed). Draw eight 7s from a conditional run into sevens.png:

    .venv/bin/python -c "import keras, numpy as np
    g = keras.models.load_model('RUN_DIR/generator.keras')
    sevens = g.predict([np.random.uniform(-1, 1, size=(8, 100)), np.full(8, 7)])
    keras.utils.save_img('sevens.png', np.hstack(sevens))"

(noise as the run was trained: uniform in [-1, 1] by default, `noise=normal` and config=dcgan
use normal noise; a dcgan generator takes the noise alone: ``g.predict(noise)``).
"""

import dataclasses
import time
from pathlib import Path
from typing import Annotated, Literal

import keras
import numpy as np

from tfnotes.digits.judge import judge_features, judge_of_run, judge_probabilities
from tfnotes.digits.loading import load_digits_for_run
from tfnotes.generative import (
    GenerativeAdversarialNetwork,
    draw_noise,
    image_grid,
    save_png,
    write_image,
)
from tfnotes.generative.curves import plot_training_curves
from tfnotes.generative.scores import (
    fid,
    inception_score,
    label_accuracy,
    within_class_diversity,
)
from tfnotes.train import (
    ALL_STRATEGIES,
    CommonConfig,
    EpochTimer,
    Fraction,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    Range,
    fit_model,
    seed_everything,
    write_scalars,
)
from tfnotes.train.schedules import LinearDecayToZero

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
    # passes over the training split (on tfds' 60,000 digits, 4 epochs are as many steps as
    # config=conditional's 30 on 8,000)
    epochs: PositiveInt = 4
    batch_size: PositiveInt = 16  # real digits per step (the DCGAN tutorial's: 64)
    learning_rate: PositiveFloat = 2e-4  # Adam step size of the generator (the tutorial's: 1e-4)
    # the discriminator's Adam step size (0: learning_rate; above it: two time scales, TTUR)
    discriminator_learning_rate: NonNegativeFloat = 4e-4
    # Adam's first-moment decay of both networks (SNGAN, BigGAN: 0; the DCGAN tutorial's: 0.5)
    beta_1: Annotated[float, Range("[0, 1)")] = 0.0
    # Adam's second-moment decay of both (SNGAN: 0.9; the tutorial's: 0.999)
    beta_2: Annotated[float, Range("[0, 1)")] = 0.9
    # both step sizes: constant, or held, then decayed linearly to 0 at the run's last step
    lr_decay: Literal["none", "linear"] = "linear"
    # lr_decay=linear: the share of the run's steps at the full step size before the decay
    # (0: SNGAN's decay over the whole run; 0.5: pix2pix's, so the digits are learnt at full speed)
    lr_decay_start: Fraction = 0.5
    # the adversarial loss: hinge (SNGAN, BigGAN), or the DCGAN tutorial's cross-entropy
    loss: Literal["nonsaturating", "hinge"] = "hinge"
    spectral_norm: bool = True  # spectrally normalise the discriminator's layers
    # moving average of the generator's variables kept for samples, scores and export (0: off)
    ema_decay: Annotated[float, Range("[0, 1)")] = 0.99
    # conditional: weight of the discriminator's digit-classifier loss (AC-GAN) in both losses
    class_loss_weight: NonNegativeFloat = 3.0
    # conditional: the discriminator's digit classifier also learns the generated digits (AC-GAN)
    classify_fakes: bool = False
    # conditional: weight of the generator's mode-seeking term (MSGAN), against one sample per digit
    mode_seeking_weight: NonNegativeFloat = 0.05
    noise_dim: PositiveInt = 100  # size of the generator's noise vector
    # the noise's distribution: standard normal, or uniform in [-1, 1] (the course notes' page)
    noise: Literal["normal", "uniform"] = "uniform"
    # channel scale: generator 4w/2w/w, discriminator w/2w channels (the tutorial's is 64; 16 is
    # ~15x cheaper)
    width: PositiveInt = 16
    # the discriminator's own channel scale (0: width); its digit classifier needs the capacity
    discriminator_width: NonNegativeInt = 64
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


# The first epoch from which the conditional GAN should keep its label accuracy (the 4).
HOLD_FROM_EPOCH = 4

# The shrunken configuration `smoke=True` applies (seconds, for tests).
SMOKE = dict(
    epochs=1,
    batch_size=16,
    width=4,
    discriminator_width=4,
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

    def __init__(self, judge, eval_images, eval_labels, conditional, seed, noise="normal"):
        self.judge, self.conditional, self.seed, self.noise = judge, conditional, seed, noise
        self.real_features = judge_features(judge, eval_images)
        if conditional:
            self.real_diversity = within_class_diversity(self.real_features, eval_labels)

    def __call__(self, generator, count, splits=10):
        """The metrics for `count` samples (digits 0..9 in turn when conditional)."""
        rng = np.random.default_rng(self.seed + 1)
        noise = draw_noise(rng, (count, generator.inputs[0].shape[-1]), self.noise)
        digits = (np.arange(count) % 10).astype(np.int32)
        images = generate(generator, noise, digits, self.conditional)
        probabilities = judge_probabilities(self.judge, images)
        features = judge_features(self.judge, images)
        scores = {"fid": fid(self.real_features, features)}
        scores["inception_score"], scores["inception_score_std"] = inception_score(
            probabilities, min(splits, count)
        )
        if self.conditional:
            scores["label_accuracy"] = label_accuracy(probabilities, digits)
            scores["diversity_ratio"] = (
                within_class_diversity(features, digits) / self.real_diversity
            )
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
            column_noise = draw_noise(rng, (columns, config.noise_dim), config.noise)
            self.noise = np.tile(column_noise, (10, 1))
        else:
            self.noise = draw_noise(rng, (10 * columns, config.noise_dim), config.noise)
        self.digits = np.repeat(np.arange(10, dtype=np.int32), columns)
        self.history = {}  # epoch (1-based) -> scores

    def grid(self):
        """The current grid: 10 rows of `grid_columns` samples, values in [0, 1]."""
        images = generate(self.model.sampler, self.noise, self.digits, self.model.conditional)
        return image_grid(images, 10, self.config.grid_columns)

    def on_epoch_end(self, epoch, logs=None):
        write_image(self.run_dir, "images", "samples", self.grid(), step=epoch)
        if self.scores is not None and self.config.epoch_samples:
            scores = self.scores(self.model.sampler, self.config.epoch_samples)
            self.history[epoch + 1] = scores
            write_scalars(self.run_dir, "validation", scores, step=epoch)
            print(
                f"epoch {epoch + 1}: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()),
                flush=True,
            )


def beside_real_digits(samples, splits, columns=10):
    """The conditional sample grid, a gap, then `columns` real evaluation digits d in row d."""
    labels = np.asarray(splits.eval_labels)
    real = np.zeros((10 * columns, 28, 28), np.float32)  # black where a digit has too few
    for digit in range(10):
        chosen = splits.eval_images[labels == digit][:columns].astype(np.float32) / 255.0
        real[digit * columns : digit * columns + len(chosen)] = chosen.reshape(-1, 28, 28)
    real_grid = image_grid(real, 10, columns)
    gap = np.full((samples.shape[0], 8), 0.5, np.float32)
    rows = min(samples.shape[0], real_grid.shape[0])
    return np.concatenate([samples[:rows], gap[:rows], real_grid[:rows]], axis=1)


def history_summary(history, from_epoch=HOLD_FROM_EPOCH):
    """From the per-epoch scores: the lowest label accuracy from `from_epoch` on, and FID there.

    The conditional GAN should hold its label accuracy once it has learnt the
    digits (docs/gan_page.md): ``lowest_label_accuracy_from_epoch_4`` and
    ``fid_epoch_4`` say whether it did.
    """
    held = {epoch: scores for epoch, scores in history.items() if epoch >= from_epoch}
    summary = {}
    if held and "label_accuracy" in next(iter(held.values())):
        summary[f"lowest_label_accuracy_from_epoch_{from_epoch}"] = min(
            scores["label_accuracy"] for scores in held.values()
        )
    if from_epoch in history:
        summary[f"fid_epoch_{from_epoch}"] = history[from_epoch]["fid"]
    return summary


def step_sizes(learning_rate, config, total_steps):
    """The Adam step size: `learning_rate`, or held then decayed linearly to 0 at `total_steps`."""
    if config.lr_decay == "none":
        return learning_rate
    hold_steps = round(config.lr_decay_start * total_steps)
    return LinearDecayToZero(learning_rate, total_steps, hold_steps)


def judge_for(splits, config):
    """The digit judge trained on the training split, cached under LOGDIR/_cache."""
    start = time.perf_counter()
    judge = judge_of_run(splits, config)
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
    scores = SampleScores(
        judge_for(splits, config),
        splits.eval_images,
        splits.eval_labels,
        conditional,
        config.seed,
        config.noise,
    )
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
        loss=config.loss,
        spectral_norm=config.spectral_norm,
        ema_decay=config.ema_decay,
        noise=config.noise,
        classify_fakes=config.classify_fakes,
        discriminator_width=config.discriminator_width,
    )
    learning_rates = {
        "generator": config.learning_rate,
        "discriminator": config.discriminator_learning_rate or config.learning_rate,
    }
    dataset = training_dataset(splits, config)
    total_steps = config.epochs * int(dataset.cardinality())
    optimizers = {
        part: keras.optimizers.Adam(
            step_sizes(learning_rate, config, total_steps),
            beta_1=config.beta_1,
            beta_2=config.beta_2,
            clipnorm=config.clipnorm,
            name=f"{part}_adam",
        )
        for part, learning_rate in learning_rates.items()
    }
    timer = EpochTimer()  # first, so sample grids and scores are not timed
    grid = SampleGrid(run_dir, config, scores)
    history = fit_model(
        model,
        dataset,
        None,
        config=config,
        run_dir=run_dir,
        loss=None,
        optimizer=optimizers,
        callbacks=[timer, grid],
    )
    model.sampler.save(run_dir.path / "generator.keras")
    save_png(run_dir.path / "samples.png", grid.grid())
    if conditional:
        beside = beside_real_digits(grid.grid(), splits, config.grid_columns)
        save_png(run_dir.path / "samples_and_real.png", beside)
        if grid.history:
            plot_training_curves([run_dir.path], run_dir.path / "curves.png", labels=["this run"])

    start = time.perf_counter()
    metrics = scores(model.sampler, config.fid_samples)
    metrics["seconds_scoring"] = time.perf_counter() - start
    real_probabilities = judge_probabilities(scores.judge, splits.eval_images)
    metrics["real_inception_score"], _ = inception_score(
        real_probabilities, min(10, len(real_probabilities))
    )
    for name in (metric.name for metric in model.metrics):
        if history.history.get(name):
            metrics[name] = history.history[name][-1]
    metrics.update(history_summary(grid.history))
    metrics.update(timer.timing_metrics())
    metrics = {name: float(value) for name, value in metrics.items()}
    write_scalars(run_dir, "test", metrics, step=config.epochs)
    return metrics

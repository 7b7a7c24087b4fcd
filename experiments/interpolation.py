"""Autoencoder vs VAE: decode the straight path between two digits' codes, side by side.

Trains the `vae` experiment twice with the same networks, once as a plain
autoencoder (``objective=autoencoder``) and once as the VAE (``objective=elbo``),
each in a child run directory, then encodes pairs of evaluation digits of the same
class and decodes ``(1 - t) v1 + t v2`` for t from 0 to 1. The picture (TensorBoard
``images/interpolation``, ``interpolation.png``): one row per pair, the
autoencoder's path on the left, the VAE's on the right; the first row is the notes'
example, the most left-leaning and the most right-leaning 1.

How digit-like the midpoints are: the digit judge (`tfnotes.digits.judge`, trained on
the real training digits) reads each midpoint (t = 0.5) of `pairs` same-class pairs;
metrics.json has, per model, ``<model>_midpoint_class_probability`` (its probability of
the pair's class, mean over pairs), ``<model>_midpoint_read_as_class`` (the fraction
it reads as that class) and the same at the endpoints (``..._endpoint_...``, the
reconstructions) for comparison.

Run it:

    make experiment NAME=interpolation ARGS="config=mnist"
"""

import dataclasses
from typing import Annotated

import keras
import numpy as np

from experiments import vae
from tfnotes.digits.judge import judge_of_run, judge_probabilities
from tfnotes.errors import UsageError
from tfnotes.generative import image_grid, save_png, write_image
from tfnotes.generative.interpolation import (
    interpolation_path,
    leaning_pair,
    midpoint_codes,
    same_class_pairs,
)
from tfnotes.train import PositiveInt, Range, narrowed_config
from tfnotes.train.runner import child_run

STRATEGIES = vae.STRATEGIES
MODELS = {"autoencoder": "autoencoder", "vae": "elbo"}  # child run -> vae objective=


@dataclasses.dataclass
class Config(vae.Config):
    """vae's keys (they apply to both models), plus the pairs to interpolate."""

    pairs: PositiveInt = 500  # same-class eval pairs whose midpoints the judge reads
    rows_shown: PositiveInt = 8  # pairs drawn in the picture (the first: the leaning 1s)
    # decoded steps per path, both ends included (odd: t=0.5 is one of them)
    path_steps: Annotated[int, Range("[3, 21]")] = 9
    judge_epochs: PositiveInt = 10  # training epochs of the cached digit judge

    def __post_init__(self):
        if self.objective != "elbo":
            raise UsageError("interpolation trains both objectives (autoencoder and elbo): "
                             "objective= is not one of its keys")


# The configuration `smoke=True` applies: vae's, a few pairs, a one-epoch judge.
SMOKE = dict(vae.SMOKE, pairs=6, rows_shown=2, path_steps=3, judge_epochs=1)


def read_as_class(judge, images, labels):
    """(mean probability of `labels`, fraction read as `labels`) of the judge on `images`."""
    probabilities = judge_probabilities(judge, images)
    picked = probabilities[np.arange(len(labels)), labels]
    return float(np.mean(picked)), float(np.mean(np.argmax(probabilities, axis=-1) == labels))


def midpoint_scores(model, judge, images, labels, pairs):
    """The judge on the midpoints and on the endpoints' reconstructions of `pairs`."""
    first, second = images[pairs[:, 0]], images[pairs[:, 1]]
    classes = labels[pairs[:, 0]].astype(np.int64)
    middle = np.asarray(model.decode_probabilities(midpoint_codes(model, first, second, [0.5])[0]))
    ends = np.concatenate([np.asarray(model(first)), np.asarray(model(second))])
    scores = {}
    for name, decoded, truth in (("midpoint", middle, classes),
                                 ("endpoint", ends, np.concatenate([classes, classes]))):
        probability, fraction = read_as_class(judge, decoded, truth)
        scores[f"{name}_class_probability"] = probability
        scores[f"{name}_read_as_class"] = fraction
    return scores


def picture(models, images, shown_pairs, steps):
    """One row per pair: the autoencoder's path, a blank, the VAE's path."""
    rows = []
    for first, second in shown_pairs:
        paths = [interpolation_path(models[name], images[first], images[second], steps)
                 for name in MODELS]
        rows.append(np.concatenate([paths[0], np.zeros_like(paths[0][:1]), paths[1]]))
    return image_grid(np.concatenate(rows), len(rows), 2 * steps + 1)


def run(config, run_dir):
    """Trains both models, draws the paths, scores the midpoints; returns the metrics."""
    models, metrics = {}, {}
    for name, objective in MODELS.items():
        child = narrowed_config(vae.Config, config, objective=objective)
        scores = child_run(vae.run, child, run_dir.path / name)
        metrics[f"{name}_test_reconstruction_loss"] = scores["test_reconstruction_loss"]
        models[name] = keras.models.load_model(run_dir.path / name / "model.keras")
    train_images, eval_binary, splits = vae.load_splits(config)
    judge = judge_of_run(splits, config)
    labels = np.asarray(splits.eval_labels, np.int64)
    pairs = same_class_pairs(labels, config.pairs, seed=config.seed)
    for name, model in models.items():
        for key, value in midpoint_scores(model, judge, eval_binary, labels, pairs).items():
            metrics[f"{name}_{key}"] = value
    shown = [leaning_pair(eval_binary, labels, digit=1)] if np.sum(labels == 1) >= 2 else []
    shown += [tuple(pair) for pair in pairs[:max(config.rows_shown - len(shown), 0)]]
    grid = picture(models, eval_binary, shown, config.path_steps)
    write_image(run_dir, "images", "interpolation", grid, step=0)
    save_png(run_dir.path / "interpolation.png", grid)
    for name in MODELS:
        print(f"{name}: the judge reads {100 * metrics[f'{name}_midpoint_read_as_class']:.1f}% "
              "of the midpoints as the pair's digit (mean probability "
              f"{metrics[f'{name}_midpoint_class_probability']:.3f}; endpoints "
              f"{100 * metrics[f'{name}_endpoint_read_as_class']:.1f}%)", flush=True)
    return metrics

"""Transfer learning: rendered digits (domain A) to real MNIST (domain B), six ways.

A CNN digit classifier (`tfnotes.transfer.networks`, Ganin & Lempitsky's MNIST net)
learns from plentiful labelled A and adapts to B, of which only `n_target_labels`
training digits are labelled (class-balanced, the same digits in every method):

* ``source_only``: train on A, use on B as it is;
* ``target_only``: train on B's labelled digits alone;
* ``fine_tune_all``: train on A, then copy every layer and fine-tune all on B's labels;
* ``freeze_first_k``: the same, with the first `frozen_layers` layers frozen;
* ``dann``: domain-adversarial training (`tfnotes.transfer.dann`): A's labels and B's
  unlabelled training digits, through a gradient reversal layer;
* ``dann_fine_tune``: ``dann``, then fine-tune all layers on B's labels.

`initial_model=RUN_DIR/model.keras` skips the first phase (training on A, or DANN) and
starts from that run's classifier. metrics.json: ``target_accuracy`` and
``source_accuracy`` (the held-out eval splits), ``target_accuracy_before`` (before
the fine-tuning phase), ``seconds``. TensorBoard: accuracy on both domains per epoch
(``<phase>/train``), the PCA picture of both domains' features before and after the
adaptation (``images/``), and the embedding projector (``projector/``).

Run it (the table over methods and labels is `transfer_grid`'s):

    make experiment NAME=transfer ARGS="config=mnist method=dann"
    make experiment NAME=transfer ARGS="config=mnist method=fine_tune_all n_target_labels=100"
    make experiment NAME=transfer ARGS="config=mnist method=freeze_first_k frozen_layers=2 \
n_target_labels=100"
"""

import dataclasses
import time
from pathlib import Path
from typing import Literal

import keras
import numpy as np

from tfnotes.errors import UsageError
from tfnotes.generative import write_image
from tfnotes.layers import GradientReversalSchedule
from tfnotes.train import (
    CommonConfig,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    RunDirectory,
    fit_model,
)
from tfnotes.transfer.dann import AnnealedLearningRate, DomainAdversarialModel
from tfnotes.transfer.domains import labelled_subset, load_domains
from tfnotes.transfer.features import pca_picture, save_picture, write_projector
from tfnotes.transfer.networks import (
    WEIGHT_LAYERS,
    build_classifier,
    feature_extractor_of,
    freeze_first,
)

# strategy=: one device; the domain-adversarial step does not scale its loss for replicas.
STRATEGIES = ("none",)
STRATEGY_NOTE = "its domain-adversarial train step is written for one device"
METHODS = ("source_only", "target_only", "fine_tune_all", "freeze_first_k", "dann",
           "dann_fine_tune")
LABEL_METHODS = ("target_only", "fine_tune_all", "freeze_first_k", "dann_fine_tune")
FIRST_PHASE = {"source_only": "source", "fine_tune_all": "source", "freeze_first_k": "source",
               "dann": "dann", "dann_fine_tune": "dann", "target_only": None}


@dataclasses.dataclass
class Config(CommonConfig):
    """Transfer settings; every field can be set as `key=value` on the command line."""

    method: Literal[METHODS] = "dann"  # how to use domain A for domain B (module docstring)
    n_target_labels: NonNegativeInt = 0  # labelled target (MNIST) training digits
    frozen_layers: NonNegativeInt = 2  # freeze_first_k: how many of conv1, conv2, dense1, dense2
    data: Literal["mnist"] = "mnist"  # the target through tfds; data_dir=DIR (idx files) wins
    source_count: PositiveInt = 10000  # rendered source digits (8,000 train / 2,000 eval)
    # the source's fonts: pillow (Pillow's default font alone) or matplotlib (21 fonts)
    source_fonts: Literal["pillow", "matplotlib"] = "pillow"
    epochs: PositiveInt = 10  # epochs of the first phase (training on A, DANN, target_only)
    fine_tune_epochs: PositiveInt = 5  # epochs of fine-tuning on the target labels
    steps_per_epoch: PositiveInt = 125  # batches per epoch, every phase (125 x 64 = 8,000)
    batch_size: PositiveInt = 64  # digits per batch (DANN: this many of each domain)
    learning_rate: PositiveFloat = 1e-3  # Adam, first phase
    fine_tune_learning_rate: PositiveFloat = 3e-4  # Adam, fine-tuning phase
    reversal_gamma: PositiveFloat = 10.0  # DANN: steepness of the reversal's 0 -> 1 schedule
    reversal_max: PositiveFloat = 1.0  # DANN: the strength the schedule rises to
    domain_units: tuple = (100,)  # DANN: the domain classifier's hidden layer widths
    # DANN: sgd (momentum 0.9, the paper's annealed step size from dann_learning_rate)
    # or adam (learning_rate, constant)
    dann_optimizer: Literal["sgd", "adam"] = "sgd"
    dann_learning_rate: PositiveFloat = 0.01  # DANN with sgd: the step size at the start
    # DANN: weight of the entropy of the label predictor on target digits (0: the paper's
    # DANN; > 0 pushes target features away from the class boundaries, as in VADA)
    target_entropy_weight: NonNegativeFloat = 0.0
    # DANN: the domain classifier sees the features (none: the paper's DANN) or their
    # outer product with the class probabilities (predictions: CDAN, Long et al. 2018)
    conditioning: Literal["none", "predictions"] = "none"
    initial_model: str = ""  # start from this model.keras instead of the first phase
    max_eval_images: NonNegativeInt = 0  # evaluate on the first N digits of each eval split
    feature_points: PositiveInt = 500  # digits per domain in the PCA picture and projector

    def __post_init__(self):
        # Its UsageError reaches the user as one line (status 2) before the runner
        # makes a run directory.
        check_settings(self)


# The configuration `smoke=True` applies (seconds, for tests).
SMOKE = dict(source_count=200, epochs=1, fine_tune_epochs=1, steps_per_epoch=2, batch_size=8,
             max_eval_images=40, feature_points=20)


def check_settings(config):
    """UsageError for a method, label count, depth or initial model that cannot work."""
    depth = len(WEIGHT_LAYERS)
    if any(int(width) != width or width < 1 for width in config.domain_units):
        raise UsageError(f"domain_units={config.domain_units!r}: expected layer widths >= 1, "
                         "e.g. (100,)")
    # A grid (which runs freeze_first_k whatever method= says) checks the depth too.
    freezes = config.method == "freeze_first_k" or hasattr(config, "labels")
    if freezes and not 1 <= config.frozen_layers < depth:
        raise UsageError(
            f"frozen_layers={config.frozen_layers} is beyond what can be frozen: the network "
            f"has {depth} weight layers ({', '.join(WEIGHT_LAYERS)}); freeze 1 to {depth - 1} "
            "so that a layer still trains (frozen_layers=0 is method=fine_tune_all)")
    if config.method in LABEL_METHODS and config.n_target_labels == 0:
        raise UsageError(f"method={config.method} trains on target labels: set "
                         "n_target_labels=N (e.g. 100); with none, use source_only or dann")
    if config.initial_model and not Path(config.initial_model).is_file():
        raise UsageError(f"initial_model={config.initial_model!r}: no such file (give a "
                         "transfer run's RUN_DIR/model.keras)")
    if config.initial_model and FIRST_PHASE[config.method] is None:
        raise UsageError("initial_model= skips the first phase; method=target_only has none")


def shuffled_batches(arrays, config, seed):
    """A tf.data pipeline of `steps_per_epoch` shuffled batches per pass, drawn with repeats."""
    import tensorflow as tf

    return (tf.data.Dataset.from_tensor_slices(arrays)
            .shuffle(len(arrays[0] if isinstance(arrays, tuple) else arrays), seed=seed)
            .repeat().batch(config.batch_size, drop_remainder=True)
            .take(config.steps_per_epoch).prefetch(2))


def accuracy(classifier, split):
    """Digit accuracy of `classifier` on `(images, labels)`."""
    images, labels = split
    logits = classifier.predict(images, batch_size=500, verbose=0)
    return float(np.mean(np.argmax(logits, axis=-1) == labels))


class DomainAccuracies(keras.callbacks.Callback):
    """Adds ``source_accuracy`` and ``target_accuracy`` (eval splits) to each epoch's logs."""

    def __init__(self, classifier, domains):
        super().__init__()
        self.classifier, self.domains = classifier, domains

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["source_accuracy"] = accuracy(self.classifier, self.domains.source_eval)
            logs["target_accuracy"] = accuracy(self.classifier, self.domains.target_eval)


def phase_directory(run_dir, phase):
    """The sub-directory of one training phase (its own event files, backup and model)."""
    directory = RunDirectory(run_dir.path / phase)
    directory.path.mkdir(parents=True, exist_ok=True)
    return directory


def train_classifier(classifier, data, phase_config, run_dir, domains, callbacks=()):
    """`fit_model` for a plain classifier (cross-entropy on logits) in a phase directory."""
    fit_model(classifier, data, None, config=phase_config, run_dir=run_dir,
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"], callbacks=[DomainAccuracies(classifier, domains),
                                               *callbacks])
    return classifier


def train_dann(config, domains, run_dir):
    """Domain-adversarial training on A's labels and B's unlabelled digits; the classifier."""
    import tensorflow as tf

    model = DomainAdversarialModel(domain_units=config.domain_units,
                                   target_entropy_weight=config.target_entropy_weight,
                                   conditioning=config.conditioning)
    data = tf.data.Dataset.zip((shuffled_batches(domains.source_train, config, config.seed),
                                shuffled_batches(domains.target_train[0], config,
                                                 config.seed + 1)))
    schedule = GradientReversalSchedule(model.reversal, config.epochs * config.steps_per_epoch,
                                        config.reversal_gamma, config.reversal_max)
    total_steps = config.epochs * config.steps_per_epoch
    if config.dann_optimizer == "adam":
        optimizer = keras.optimizers.Adam(config.learning_rate, clipnorm=config.clipnorm)
    else:
        optimizer = keras.optimizers.SGD(
            AnnealedLearningRate(config.dann_learning_rate, total_steps), momentum=0.9,
            clipnorm=config.clipnorm)
    fit_model(model, data, None, config=config, run_dir=run_dir, loss=None, optimizer=optimizer,
              callbacks=[schedule, DomainAccuracies(model.classifier, domains)])
    return model.classifier


def first_phase(config, domains, run_dir):
    """The classifier the adaptation starts from: trained on A, by DANN, loaded, or fresh."""
    phase = FIRST_PHASE[config.method]
    if phase is None:
        return build_classifier()
    if config.initial_model:
        return keras.models.load_model(config.initial_model)
    phase_dir = phase_directory(run_dir, phase)
    if phase == "dann":
        return train_dann(config, domains, phase_dir)
    data = shuffled_batches(domains.source_train, config, config.seed)
    return train_classifier(build_classifier(), data, config, phase_dir, domains)


def fine_tune(classifier, config, domains, labelled, run_dir):
    """Trains on the labelled target digits (the first `frozen_layers` frozen, if asked)."""
    freeze_first(classifier, config.frozen_layers if config.method == "freeze_first_k" else 0)
    images, labels = domains.target_train
    data = shuffled_batches((images[labelled], labels[labelled]), config, config.seed)
    phase_config = config
    if config.method != "target_only":  # target_only's one phase is its first
        phase_config = dataclasses.replace(config, epochs=config.fine_tune_epochs,
                                           learning_rate=config.fine_tune_learning_rate)
    phase = "target" if config.method == "target_only" else "fine_tune"
    return train_classifier(classifier, data, phase_config, phase_directory(run_dir, phase),
                            domains)


def domain_features(classifier, domains, points):
    """Features of the first `points` eval digits of each domain: (source, target)."""
    extractor = feature_extractor_of(classifier)
    return tuple(extractor.predict(split[0][:points], batch_size=500, verbose=0)
                 for split in (domains.source_eval, domains.target_eval))


def draw_features(classifier, domains, config, run_dir, tag, title):
    """The PCA picture of both domains' features: TensorBoard image and PNG."""
    source, target = domain_features(classifier, domains, config.feature_points)
    picture = pca_picture(source, target, title)
    write_image(run_dir, "images", tag, picture, step=0)
    save_picture(run_dir.path / f"{tag}.png", picture)
    return source, target


def run(config, run_dir):
    """Trains the method, evaluates both domains, draws the features; returns the metrics."""
    start = time.perf_counter()
    domains = load_domains(config.data, config.data_dir, config.source_count,
                           config.max_eval_images, config.source_fonts)
    labelled = labelled_subset(domains.target_train[1], config.n_target_labels, config.seed)
    print(f"data: source: {len(domains.source_train[1])} rendered train digits; target "
          f"({domains.target_source}): {len(domains.target_train[1])} train digits, "
          f"{len(labelled)} of them labelled", flush=True)
    classifier = first_phase(config, domains, run_dir)
    metrics = {}
    if config.method in LABEL_METHODS:
        if config.method != "target_only":
            metrics["target_accuracy_before"] = accuracy(classifier, domains.target_eval)
            draw_features(classifier, domains, config, run_dir, "features_before",
                          "before fine-tuning")
        classifier = fine_tune(classifier, config, domains, labelled, run_dir)
    source, target = draw_features(classifier, domains, config, run_dir, "features",
                                   f"{config.method}, {config.n_target_labels} target labels")
    write_projector(run_dir.path / "projector", np.concatenate([source, target]),
                    np.repeat([0, 1], [len(source), len(target)]),
                    np.concatenate([domains.source_eval[1][:len(source)],
                                    domains.target_eval[1][:len(target)]]))
    classifier.save(run_dir.model_path)
    metrics.update(target_accuracy=accuracy(classifier, domains.target_eval),
                   source_accuracy=accuracy(classifier, domains.source_eval),
                   n_target_labels=float(len(labelled)), seconds=time.perf_counter() - start)
    print(f"{config.method}, {len(labelled)} target labels: target accuracy "
          f"{metrics['target_accuracy']:.4f}, source accuracy {metrics['source_accuracy']:.4f}",
          flush=True)
    return metrics

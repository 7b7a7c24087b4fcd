"""Domain-adversarial training (Ganin & Lempitsky 2015) as a Keras model with its own step.

One step takes a batch of labelled source digits and a batch of unlabelled target
digits. The label predictor learns the source labels from the shared features; the
domain classifier learns to tell source features (0) from target features (1) through
a `GradientReversal` layer, so the feature extractor receives the reversed domain
gradient and learns features whose domain the classifier cannot tell. Calling the
model returns digit logits (the classifier alone), which is what evaluation uses.
"""

import keras
from keras import ops

from tfnotes.layers import GradientReversal
from tfnotes.transfer.networks import (
    FEATURES,
    build_classifier,
    build_domain_classifier,
    feature_extractor_of,
)

# How the domain classifier sees a digit: its features alone (DANN), or their outer
# product with the label predictor's class probabilities (CDAN, Long et al. 2018).
CONDITIONINGS = ("none", "predictions")
DIGITS = 10


@keras.saving.register_keras_serializable(package="tfnotes")
class AnnealedLearningRate(keras.optimizers.schedules.LearningRateSchedule):
    """The paper's step size: ``initial / (1 + alpha * p) ** beta`` at progress ``p``.

    Args:
        initial: the step size at the start (0.01 in the paper, with momentum 0.9).
        total_steps: steps over which `p` goes from 0 to 1.
        alpha, beta: 10 and 0.75 in the paper.
    """

    def __init__(self, initial, total_steps, alpha=10.0, beta=0.75):
        self.initial, self.total_steps = float(initial), int(total_steps)
        self.alpha, self.beta = float(alpha), float(beta)

    def __call__(self, step):
        progress = ops.minimum(ops.cast(step, "float32") / max(self.total_steps, 1), 1.0)
        return self.initial / (1.0 + self.alpha * progress) ** self.beta

    def get_config(self):
        """The constructor's arguments."""
        return {"initial": self.initial, "total_steps": self.total_steps,
                "alpha": self.alpha, "beta": self.beta}


def conditioned_features(features, logits):
    """CDAN's domain-classifier input: the outer product of features and class probabilities.

    `[B, F]` features and `[B, C]` logits -> `[B, F * C]`. The probabilities are held
    constant (no gradient through them), as in Long et al.'s code; the features keep
    theirs, so the reversed domain gradient still reaches the extractor.
    """
    probabilities = ops.stop_gradient(ops.softmax(logits))
    outer = features[:, :, None] * probabilities[:, None, :]
    return ops.reshape(outer, (-1, features.shape[-1] * probabilities.shape[-1]))


@keras.saving.register_keras_serializable(package="tfnotes")
class DomainAdversarialModel(keras.Model):
    """Classifier + gradient reversal + domain classifier; `fit` on ((xs, ys), xt) batches.

    Args:
        domain_units: the domain classifier's hidden layer widths ((100,) in the paper's
            MNIST experiments; (1024, 1024) in its larger ones).

    `fit` batches are ``((source_images, source_labels), target_images)``; `evaluate`
    batches are ``(images, labels)`` of one domain and report its ``accuracy``.
    Training reports ``loss`` (label + domain), ``label_loss``, ``domain_loss``,
    ``label_accuracy`` (source) and ``domain_accuracy`` (0.5: the domains are not told
    apart).
    """

    def __init__(self, domain_units=(100,), target_entropy_weight=0.0, conditioning="none",
                 **kwargs):
        super().__init__(**kwargs)
        if conditioning not in CONDITIONINGS:
            raise ValueError(f"conditioning={conditioning!r}; choose one of {CONDITIONINGS}")
        self.domain_units = tuple(int(width) for width in domain_units)
        self.target_entropy_weight = float(target_entropy_weight)
        self.conditioning = conditioning
        self.classifier = build_classifier()
        self.reversal = GradientReversal(0.0, name="gradient_reversal")
        width = FEATURES * (DIGITS if conditioning == "predictions" else 1)
        self.domain_classifier = build_domain_classifier(self.domain_units, width)
        self.reversal.build((None, self.domain_classifier.input_shape[-1]))
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name in ("loss", "label_loss", "domain_loss", "target_entropy")}
        self.label_accuracy = keras.metrics.SparseCategoricalAccuracy(name="label_accuracy")
        self.domain_accuracy = keras.metrics.BinaryAccuracy(name="domain_accuracy",
                                                            threshold=0.0)
        self.accuracy = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
        self.build(None)

    def build(self, input_shape=None):
        """Nothing to do: the networks are built when constructed."""

    @property
    def metrics(self):
        """The trackers Keras resets each epoch and each evaluation."""
        return [*self.trackers.values(), self.label_accuracy, self.domain_accuracy,
                self.accuracy]

    def call(self, images, training=False):
        """Digit logits `[B, 10]`."""
        return self.classifier(images, training=training)

    def train_step(self, data):
        """One step on label loss + domain loss, the domain gradient reversed into features."""
        import tensorflow as tf  # the step is TensorFlow's (GradientTape), as the VAE's

        (source_images, source_labels), target_images = data
        extractor = feature_extractor_of(self.classifier)
        predictor = self.classifier.get_layer("label_predictor")
        with tf.GradientTape() as tape:
            source_features = extractor(source_images, training=True)
            target_features = extractor(target_images, training=True)
            logits = predictor(source_features, training=True)
            label_loss = ops.mean(keras.losses.sparse_categorical_crossentropy(
                source_labels, logits, from_logits=True))
            target_logits = predictor(target_features, training=True)
            features = self.reversal(ops.concatenate([source_features, target_features], axis=0))
            if self.conditioning == "predictions":
                features = conditioned_features(
                    features, ops.concatenate([logits, target_logits], axis=0))
            domain_logits = self.domain_classifier(features, training=True)
            domains = ops.concatenate([ops.zeros_like(source_features[:, :1]),
                                       ops.ones_like(target_features[:, :1])], axis=0)
            domain_loss = ops.mean(keras.losses.binary_crossentropy(
                domains, domain_logits, from_logits=True))
            target_probabilities = ops.softmax(target_logits)
            target_entropy = -ops.mean(ops.sum(
                target_probabilities * ops.log(target_probabilities + 1e-8), axis=-1))
            loss = label_loss + domain_loss + self.target_entropy_weight * target_entropy
        variables = self.trainable_variables
        self.optimizer.apply(tape.gradient(loss, variables), variables)
        for name, value in (("loss", loss), ("label_loss", label_loss),
                            ("domain_loss", domain_loss), ("target_entropy", target_entropy)):
            self.trackers[name].update_state(value)
        self.label_accuracy.update_state(source_labels, logits)
        self.domain_accuracy.update_state(domains, domain_logits)
        return {metric.name: metric.result() for metric in self.metrics[:-1]}

    def get_config(self):
        """The constructor's arguments; the weights are saved separately by Keras."""
        return {**super().get_config(), "domain_units": list(self.domain_units),
                "target_entropy_weight": self.target_entropy_weight,
                "conditioning": self.conditioning}

    def test_step(self, data):
        """Accuracy of the digit labels on one domain's `(images, labels)`."""
        images, labels = data
        self.accuracy.update_state(labels, self.classifier(images, training=False))
        return {"accuracy": self.accuracy.result()}

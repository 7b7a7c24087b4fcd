"""GANs for 28x28 digits: the DCGAN tutorial's networks, a conditional variant, a 2-optimizer model.

The generator and discriminator follow the TensorFlow DCGAN tutorial
(tensorflow.org/tutorials/generative/dcgan): the generator maps noise through a
dense layer to 7x7 feature maps, then transposed convolutions with batch norm
and LeakyReLU up to a 28x28 tanh image; the discriminator is two strided 5x5
convolutions with LeakyReLU and dropout, then one logit (plus, beyond the
tutorial, a minibatch-stddev channel before the logit). `width` scales the
channels (the tutorial's networks are ``width=64``: 256/128/64 generator
channels and 64/128 discriminator channels).

In the conditional variant the generator also takes the digit (an embedding
concatenated to the noise). The discriminator sees the digit as a projection
discriminator (Miyato and Koyama 2018: the digit's embedding dotted with the
image features, added to the real/fake logit), and is also an auxiliary
classifier (AC-GAN, Odena et al. 2017): a second head predicts the digit. It
learns that head on the real digits and their labels; the generator is scored
by it against the digit it was asked for, so drawing a good "3" when asked for
a "7" costs it the class loss (``class_loss_weight``). A mode-seeking term
(Mao et al. 2019) keeps it from drawing one sample per digit whatever the
noise (``mode_seeking_weight``; see `GenerativeAdversarialNetwork`).

Earlier versions without the auxiliary classifier did not get there on 8,000
digits and 15 epochs: the digit as an extra discriminator input channel (as
the keras-io conditional GAN does) gave digits of any class (label_accuracy
0.10); the projection alone swung between label_accuracy 0.5 and 0.9 from
epoch to epoch and drew nearly the same sample for every noise vector of a
digit. The auxiliary classifier alone reached 0.97 by epoch 6 but then
collapsed to one sample per digit and fell to 0.86 by epoch 15.

The generators are plain functional Keras models: ``generator.keras`` loads in
plain Keras, without tfnotes. Images are in [-1, 1].
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from tfnotes.train.replicas import draw_for_global_batch, scale_for_replicas

VARIANTS = ("dcgan", "conditional")
LOSSES = ("nonsaturating", "hinge")
NOISES = ("normal", "uniform")  # standard normal, or uniform in [-1, 1] (the course notes')
NUM_CLASSES = 10
LABEL_EMBEDDING = 50
# Moving statistics follow the batches faster than Keras' default 0.99, so the
# inference-mode generator (samples, FID) matches the one being trained.
BATCH_NORM_MOMENTUM = 0.9


def draw_noise(rng: np.random.Generator, shape, noise: str = "normal") -> np.ndarray:
    """float32 noise vectors: standard normal, or uniform in [-1, 1] (``noise="uniform"``)."""
    if noise == "uniform":
        return rng.uniform(-1.0, 1.0, shape).astype(np.float32)
    if noise == "normal":
        return rng.standard_normal(shape).astype(np.float32)
    raise ValueError(f"noise={noise!r}; choose one of {NOISES}")


def build_generator(variant: str, noise_dim: int = 100, width: int = 64) -> keras.Model:
    """noise `[noise_dim]` (and, conditional, an int digit `[]`) -> image `[28, 28, 1]` in [-1, 1].

    Inputs are ``noise`` (dcgan) or ``[noise, digit]`` (conditional).
    """
    noise = keras.Input((noise_dim,), name="noise")
    inputs, hidden = noise, noise
    if variant == "conditional":
        digit = keras.Input((), dtype="int32", name="digit")
        embedded = keras.layers.Embedding(NUM_CLASSES, LABEL_EMBEDDING, name="digit_embedding")(
            digit
        )
        hidden = keras.layers.Concatenate(name="noise_and_digit")([noise, embedded])
        inputs = [noise, digit]
    elif variant != "dcgan":
        raise ValueError(f"variant={variant!r}; choose one of {VARIANTS}")
    hidden = keras.layers.Dense(7 * 7 * 4 * width, use_bias=False)(hidden)
    hidden = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM)(hidden)
    hidden = keras.layers.LeakyReLU(negative_slope=0.3)(hidden)
    hidden = keras.layers.Reshape((7, 7, 4 * width))(hidden)
    for channels, strides in ((2 * width, 1), (width, 2)):
        hidden = keras.layers.Conv2DTranspose(
            channels, 5, strides=strides, padding="same", use_bias=False
        )(hidden)
        hidden = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM)(hidden)
        hidden = keras.layers.LeakyReLU(negative_slope=0.3)(hidden)
    image = keras.layers.Conv2DTranspose(
        1, 5, strides=2, padding="same", activation="tanh", name="image"
    )(hidden)
    return keras.Model(inputs, image, name=f"{variant}_generator")


@keras.saving.register_keras_serializable(package="tfnotes")
class MinibatchStddev(keras.layers.Layer):
    """Appends one channel holding the batch's mean feature standard deviation (Karras et al. 2018).

    A generator that draws the same digit whatever the noise gives batches with
    a small spread, which the discriminator can then see and reject: the usual
    remedy for the per-digit mode collapse of small conditional GANs.
    """

    def call(self, inputs):
        spread = ops.mean(ops.sqrt(ops.var(inputs, axis=0) + 1e-8))
        return ops.concatenate([inputs, ops.ones_like(inputs[..., :1]) * spread], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)


def build_discriminator(
    variant: str, width: int = 64, dropout: float = 0.3, spectral_norm: bool = False
) -> keras.Model:
    """image `[28, 28, 1]` -> a real/fake logit; conditional: ``[image, digit]`` -> two outputs.

    Before the logit, a `MinibatchStddev` channel lets it see how varied the
    batch is. The conditional discriminator is a projection discriminator
    (Miyato and Koyama 2018): logit = w . h + embed(digit) . h over the image
    features h, so "is this a real *d*?" is scored directly at the output; and
    an auxiliary classifier (AC-GAN, Odena et al. 2017): a second head on the
    same features gives the logits of the ten digits. With ``spectral_norm``,
    each convolution and the real/fake logit are wrapped in Keras'
    `SpectralNormalization` (Miyato et al. 2018: each weight divided by its
    largest singular value, one power iteration per step).
    """

    def normalised(layer):
        return keras.layers.SpectralNormalization(layer) if spectral_norm else layer

    if variant not in VARIANTS:
        raise ValueError(f"variant={variant!r}; choose one of {VARIANTS}")
    image = keras.Input((28, 28, 1), name="image")
    hidden = image
    for channels in (width, 2 * width):
        hidden = normalised(keras.layers.Conv2D(channels, 5, strides=2, padding="same"))(hidden)
        hidden = keras.layers.LeakyReLU(negative_slope=0.3)(hidden)
        hidden = keras.layers.Dropout(dropout)(hidden)
    hidden = MinibatchStddev(name="minibatch_stddev")(hidden)
    features = keras.layers.Flatten(name="features")(hidden)
    logit = normalised(keras.layers.Dense(1, name="logit"))(features)
    if variant == "dcgan":
        return keras.Model(image, logit, name="dcgan_discriminator")
    digit = keras.Input((), dtype="int32", name="digit")
    embedded = keras.layers.Embedding(NUM_CLASSES, features.shape[-1], name="digit_projection")(
        digit
    )
    projection = keras.layers.Dot(axes=1, name="digit_score")([features, embedded])
    logit = keras.layers.Add(name="conditional_logit")([logit, projection])
    digit_logits = keras.layers.Dense(NUM_CLASSES, name="digit_logits")(features)
    return keras.Model([image, digit], [logit, digit_logits], name="conditional_discriminator")


def adversarial_losses(loss: str, real_logits, fake_logits):
    """`(generator_loss, discriminator_loss)`, batch means, for the discriminator's logits.

    ``nonsaturating``: the generator minimises -log sigmoid(D(G(z))), the
    discriminator the cross-entropy of real as 1 and generated as 0.
    ``hinge``: the generator minimises -D(G(z)), the discriminator
    relu(1 - D(x)) + relu(1 + D(G(z))).
    """
    if loss == "hinge":
        return -ops.mean(fake_logits), ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(
            ops.relu(1.0 + fake_logits)
        )
    if loss != "nonsaturating":
        raise ValueError(f"loss={loss!r}; choose one of {LOSSES}")
    # softplus(-x) = -log sigmoid(x), softplus(x) = -log(1 - sigmoid(x))
    return ops.mean(ops.softplus(-fake_logits)), ops.mean(ops.softplus(-real_logits)) + ops.mean(
        ops.softplus(fake_logits)
    )


@keras.saving.register_keras_serializable(package="tfnotes")
class GenerativeAdversarialNetwork(keras.Model):
    """Generator and discriminator trained against each other, each with its own optimizer.

    Args:
        variant: ``dcgan`` (noise -> digit) or ``conditional`` (noise + digit -> that digit).
        noise_dim: size of the generator's noise vector.
        width: channel scale of both networks (64 is the tutorial's size).
        discriminator_width: the discriminator's own channel scale (0: `width`).
            Its digit classifier is only as good as its features, and a generator
            that satisfies a weak classifier draws digits a good judge misreads.
        seed: seeds the noise the train step draws.
        class_loss_weight: conditional only: weight of the auxiliary digit
            classifier's cross-entropy in both networks' losses.
        mode_seeking_weight: conditional only: weight of the generator's
            mode-seeking term (see below).
        loss: ``nonsaturating`` (the tutorial's cross-entropy, the generator
            maximising log D(G(z))) or ``hinge`` (Lim and Ye 2017, as in SNGAN and
            BigGAN: the discriminator minimises relu(1 - D(x)) + relu(1 + D(G(z))),
            the generator -D(G(z))).
        spectral_norm: spectrally normalise the discriminator (`build_discriminator`).
        noise: the distribution of the noise: ``normal`` or ``uniform`` in [-1, 1].
        classify_fakes: conditional only: the discriminator's digit classifier
            also learns the generated digits as the digits asked for (Odena et
            al.'s AC-GAN); otherwise it learns the real digits alone.
        ema_decay: when above 0, keep an exponential moving average of every
            generator variable (weights and batch-norm statistics), updated after
            each step (Karras et al. 2018, BigGAN; see `update_ema`): ``ema_generator``, the one
            `sampler` returns for samples, scores and export.

    `fit` takes batches ``(images, digits)`` with images in [-1, 1], `[B, 28, 28, 1]`
    (dcgan ignores the digits). Each step draws one batch of noise, and with
    two gradient tapes over one forward pass (as the tutorial does) updates the
    discriminator on "real vs generated" and the generator on "fool the
    discriminator" (the non-saturating loss). It reports ``generator_loss``,
    ``discriminator_loss`` and the discriminator's accuracy on real and fake.

    When conditional, the discriminator also learns to classify the real
    digits (cross-entropy against their labels) and the generator to have its
    samples classified as the digits it was asked for; both cross-entropies,
    times ``class_loss_weight``, are part of the two losses above, and are
    also reported alone as ``discriminator_class_loss`` and
    ``generator_class_loss``, with the classifier's ``real_digit_accuracy``.
    A conditional generator also tends to ignore its noise and draw one sample
    per digit, which neither head can see (a batch of ten collapsed digits
    still looks varied). So the second half of each generated batch asks for
    the same digits as the first half, with other noise, and the generator
    adds the mode-seeking term of Mao et al. 2019 (MSGAN),
    ``mode_seeking_weight / (mean |G(z1, d) - G(z2, d)| / mean |z1 - z2| + 1e-5)``,
    which grows as two noise vectors give the same image (``mode_seeking_loss``).

    `compile` takes ``optimizer`` for the generator and ``discriminator_optimizer``
    (or ``optimizer={"generator": ..., "discriminator": ...}``, the form
    `tfnotes.train.fit_model` passes through); a missing discriminator optimizer
    is a copy of the generator's settings.

    Under a tf.distribute strategy each replica differentiates its losses divided
    by the replicas (`tfnotes.train.replicas`) and reports its batch means, which
    Keras averages: the reported losses are the global batch's. The noise is drawn
    for the global batch, as on one device, but a replica's batch-norm statistics,
    minibatch spread, dropout masks and mode-seeking pairs come from its own share
    of the batch, so a distributed step is close to, not the same as, one device's.
    """

    train_step_reduces_across_replicas = True  # checked by tfnotes.train.fit_model

    def __init__(
        self,
        variant: str = "dcgan",
        noise_dim: int = 100,
        width: int = 64,
        seed: int = 0,
        class_loss_weight: float = 1.0,
        mode_seeking_weight: float = 1.0,
        loss: str = "nonsaturating",
        spectral_norm: bool = False,
        ema_decay: float = 0.0,
        noise: str = "normal",
        classify_fakes: bool = False,
        discriminator_width: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if loss not in LOSSES:
            raise ValueError(f"loss={loss!r}; choose one of {LOSSES}")
        if noise not in NOISES:
            raise ValueError(f"noise={noise!r}; choose one of {NOISES}")
        if not 0.0 <= ema_decay < 1.0:
            raise ValueError(f"ema_decay={ema_decay!r}; it must be in [0, 1)")
        self.variant, self.noise_dim, self.width, self.seed = variant, noise_dim, width, seed
        self.class_loss_weight, self.mode_seeking_weight = class_loss_weight, mode_seeking_weight
        self.loss_name, self.spectral_norm, self.ema_decay = loss, spectral_norm, ema_decay
        self.noise, self.classify_fakes = noise, classify_fakes
        self.discriminator_width = discriminator_width
        self.generator = build_generator(variant, noise_dim, width)
        self.discriminator = build_discriminator(
            variant, discriminator_width or width, spectral_norm=spectral_norm
        )
        self.ema_generator = None
        if ema_decay:
            self.ema_generator = build_generator(variant, noise_dim, width)
            self.ema_generator.set_weights(self.generator.get_weights())
        self.seed_generator = keras.random.SeedGenerator(seed)
        # Per-example losses, averaged in the step (Keras' reducing losses would also
        # divide by the replicas, which the step does itself, once, for the gradients).
        self.class_loss_function = keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, reduction=None
        )
        self.generator_loss_tracker = keras.metrics.Mean(name="generator_loss")
        self.discriminator_loss_tracker = keras.metrics.Mean(name="discriminator_loss")
        self.real_accuracy_tracker = keras.metrics.BinaryAccuracy(
            name="real_accuracy", threshold=0.0
        )
        self.fake_accuracy_tracker = keras.metrics.BinaryAccuracy(
            name="fake_accuracy", threshold=0.0
        )
        self.generator_class_loss_tracker = keras.metrics.Mean(name="generator_class_loss")
        self.discriminator_class_loss_tracker = keras.metrics.Mean(name="discriminator_class_loss")
        self.real_digit_accuracy_tracker = keras.metrics.SparseCategoricalAccuracy(
            name="real_digit_accuracy"
        )
        self.mode_seeking_loss_tracker = keras.metrics.Mean(name="mode_seeking_loss")
        self.discriminator_optimizer = None
        self.build(None)

    def build(self, input_shape=None):
        """Nothing to do: both networks are built when constructed."""

    @property
    def sampler(self) -> keras.Model:
        """The generator to draw samples with: the moving average if kept, else the trained one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    @property
    def conditional(self) -> bool:
        """Whether the networks take the digit."""
        return self.variant == "conditional"

    @property
    def metrics(self):
        """The loss and accuracy trackers, reset by Keras at the start of each epoch.

        The auxiliary classifier's trackers are there only when conditional.
        """
        trackers = [
            self.generator_loss_tracker,
            self.discriminator_loss_tracker,
            self.real_accuracy_tracker,
            self.fake_accuracy_tracker,
        ]
        if self.conditional:
            trackers += [
                self.generator_class_loss_tracker,
                self.discriminator_class_loss_tracker,
                self.real_digit_accuracy_tracker,
                self.mode_seeking_loss_tracker,
            ]
        return trackers

    def compile(self, optimizer=None, discriminator_optimizer=None, **kwargs):
        """Sets both optimizers (see the class docstring) and builds their variables.

        Other keyword arguments (``jit_compile``, ``steps_per_execution``) go to
        `keras.Model.compile`; a ``loss`` must be None (the step has its own).
        """
        if kwargs.pop("loss", None) is not None:
            raise ValueError("GenerativeAdversarialNetwork computes its own losses; pass loss=None")
        for unused in ("metrics", "loss_weights"):
            if kwargs.pop(unused, None):
                raise ValueError(
                    f"GenerativeAdversarialNetwork tracks its own metrics; {unused} must be empty"
                )
        if isinstance(optimizer, dict):
            optimizer, discriminator_optimizer = optimizer["generator"], optimizer["discriminator"]
        optimizer = keras.optimizers.get(optimizer or "adam")
        if discriminator_optimizer is None:
            discriminator_optimizer = optimizer.__class__.from_config(optimizer.get_config())
        super().compile(optimizer=optimizer, **kwargs)
        self.discriminator_optimizer = keras.optimizers.get(discriminator_optimizer)
        # Built now, on each network's own variables (Keras would build the
        # generator's optimizer on every variable of the model).
        self.optimizer.build(self.generator.trainable_variables)
        self.discriminator_optimizer.build(self.discriminator.trainable_variables)

    def compile_from_config(self, config):
        """Recompiles a loaded model: both optimizers get the saved generator optimizer's settings.

        The saved compile config is read with the public `keras.saving` API.
        """
        config = keras.saving.deserialize_keras_object(config)
        self.compile(optimizer=config.get("optimizer"))

    def generator_inputs(self, noise, digits):
        """What the generator takes: the noise, plus the digits when conditional."""
        return [noise, digits] if self.conditional else noise

    def discriminator_inputs(self, images, digits):
        """What the discriminator takes: the images, plus the digits when conditional."""
        return [images, digits] if self.conditional else images

    def call(self, inputs, training=False):
        """``noise`` (dcgan) or ``[noise, digits]`` (conditional) -> images in [-1, 1]."""
        return self.generator(inputs, training=training)

    def train_step(self, data):
        """One simultaneous update of discriminator and generator on a batch of real digits.

        Differentiates each network's batch-mean loss divided by the replicas in
        sync (1 on one device) and reports the batch means.
        """
        import tensorflow as tf  # the step is TensorFlow-specific (GradientTape)

        def mean_loss(function, labels, logits):
            return ops.mean(function(labels, logits))

        real_images, digits = data
        digits = ops.cast(ops.reshape(digits, (-1,)), "int32")
        batch_size = ops.shape(real_images)[0]
        noise = draw_for_global_batch(
            lambda shape: (
                keras.random.uniform(shape, -1.0, 1.0, seed=self.seed_generator)
                if self.noise == "uniform"
                else keras.random.normal(shape, seed=self.seed_generator)
            ),
            (batch_size, self.noise_dim),
        )
        fake_digits = digits
        if self.conditional:  # pairs (i, first + i) ask for the same digit, i < half
            half = batch_size // 2
            first = batch_size - half
            fake_digits = ops.concatenate([digits[:first], digits[:half]], axis=0)
        with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
            fake_images = self.generator(self.generator_inputs(noise, fake_digits), training=True)
            real_logits = self.discriminator(
                self.discriminator_inputs(real_images, digits), training=True
            )
            fake_logits = self.discriminator(
                self.discriminator_inputs(fake_images, fake_digits), training=True
            )
            if self.conditional:  # AC-GAN: [real/fake logit, digit logits]
                real_logits, real_digit_logits = real_logits
                fake_logits, fake_digit_logits = fake_logits
            ones, zeros = ops.ones_like(real_logits), ops.zeros_like(fake_logits)
            generator_loss, discriminator_loss = adversarial_losses(
                self.loss_name, real_logits, fake_logits
            )
            if self.conditional:
                generator_class_loss = mean_loss(
                    self.class_loss_function, fake_digits, fake_digit_logits
                )
                discriminator_class_loss = mean_loss(
                    self.class_loss_function, digits, real_digit_logits
                )
                if self.classify_fakes:
                    discriminator_class_loss += mean_loss(
                        self.class_loss_function, fake_digits, fake_digit_logits
                    )
                image_spread = ops.mean(
                    ops.abs(fake_images[:half] - fake_images[first : first + half])
                )
                noise_spread = ops.mean(ops.abs(noise[:half] - noise[first : first + half]))
                mode_seeking_loss = 1.0 / (image_spread / noise_spread + 1e-5)
                generator_loss += (
                    self.class_loss_weight * generator_class_loss
                    + self.mode_seeking_weight * mode_seeking_loss
                )
                discriminator_loss += self.class_loss_weight * discriminator_class_loss
            scaled_generator_loss = scale_for_replicas(generator_loss)
            scaled_discriminator_loss = scale_for_replicas(discriminator_loss)
        generator_weights = self.generator.trainable_weights
        discriminator_weights = self.discriminator.trainable_weights
        self.optimizer.apply_gradients(
            zip(
                generator_tape.gradient(scaled_generator_loss, generator_weights),
                generator_weights,
            )
        )
        self.discriminator_optimizer.apply_gradients(
            zip(
                discriminator_tape.gradient(scaled_discriminator_loss, discriminator_weights),
                discriminator_weights,
            )
        )
        if self.ema_generator is not None:
            self.update_ema()
        self.generator_loss_tracker.update_state(generator_loss)
        self.discriminator_loss_tracker.update_state(discriminator_loss)
        self.real_accuracy_tracker.update_state(ones, real_logits)
        self.fake_accuracy_tracker.update_state(zeros, fake_logits)
        if self.conditional:
            self.generator_class_loss_tracker.update_state(generator_class_loss)
            self.discriminator_class_loss_tracker.update_state(discriminator_class_loss)
            self.real_digit_accuracy_tracker.update_state(digits, real_digit_logits)
            self.mode_seeking_loss_tracker.update_state(mode_seeking_loss)
        return {metric.name: metric.result() for metric in self.metrics}

    def update_ema(self):
        """Moves each moving-average variable toward the generator's.

        The decay is ``min(ema_decay, (1 + t) / (10 + t))`` after t generator
        updates (tf.train.ExponentialMovingAverage's ``num_updates`` rule), so the
        average does not drag the random initial weights through the first epochs.
        """
        step = ops.cast(self.optimizer.iterations, "float32")
        decay = ops.minimum(self.ema_decay, (1.0 + step) / (10.0 + step))
        for average, variable in zip(self.ema_generator.variables, self.generator.variables):
            average.assign(decay * average + (1.0 - decay) * ops.cast(variable, average.dtype))

    def get_config(self):
        """The constructor arguments; weights are saved separately by Keras."""
        return {
            **super().get_config(),
            "variant": self.variant,
            "noise_dim": self.noise_dim,
            "width": self.width,
            "seed": self.seed,
            "class_loss_weight": self.class_loss_weight,
            "mode_seeking_weight": self.mode_seeking_weight,
            "loss": self.loss_name,
            "spectral_norm": self.spectral_norm,
            "ema_decay": self.ema_decay,
            "noise": self.noise,
            "classify_fakes": self.classify_fakes,
            "discriminator_width": self.discriminator_width,
        }

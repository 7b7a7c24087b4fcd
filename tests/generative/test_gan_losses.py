"""The GAN's training options: the losses by hand, the moving average by its rule, saving."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tfnotes.generative.gan import (
    GenerativeAdversarialNetwork,
    adversarial_losses,
    draw_noise,
)

REAL, FAKE = np.array([[2.0], [-1.0]]), np.array([[0.5], [-3.0]])


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_hinge_losses_by_hand():
    generator, discriminator = adversarial_losses("hinge", REAL, FAKE)
    # D: mean(relu(1 - [2, -1])) + mean(relu(1 + [0.5, -3])) = 1 + 0.75; G: -mean([0.5, -3])
    assert float(discriminator) == pytest.approx(1.75) and float(generator) == pytest.approx(1.25)


def test_nonsaturating_losses_are_the_cross_entropies():
    generator, discriminator = adversarial_losses("nonsaturating", REAL, FAKE)
    assert float(generator) == pytest.approx(-np.mean(np.log(sigmoid(FAKE))))
    expected = -np.mean(np.log(sigmoid(REAL))) - np.mean(np.log(1 - sigmoid(FAKE)))
    assert float(discriminator) == pytest.approx(expected)
    with pytest.raises(ValueError, match="wasserstein"):
        adversarial_losses("wasserstein", REAL, FAKE)


def test_uniform_noise_is_in_minus_one_to_one_and_normal_is_not():
    rng = np.random.default_rng(0)
    uniform, normal = draw_noise(rng, (1000, 4), "uniform"), draw_noise(rng, (1000, 4), "normal")
    assert uniform.dtype == np.float32 and -1 <= uniform.min() and uniform.max() <= 1
    assert uniform.std() == pytest.approx(1 / np.sqrt(3), rel=0.05) and np.abs(normal).max() > 2


def fitted(steps=1, **options):
    model = GenerativeAdversarialNetwork("conditional", noise_dim=8, width=2, seed=0, **options)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), jit_compile=True)
    images = np.random.default_rng(0).uniform(-1, 1, (8 * steps, 28, 28, 1)).astype(np.float32)
    before = [weight.copy() for weight in model.generator.get_weights()]
    logs = model.fit(images, np.arange(8 * steps) % 10, batch_size=8, verbose=0).history
    return model, before, logs


def test_the_moving_average_follows_its_rule_after_one_step():
    model, before, logs = fitted(ema_decay=0.999, loss="hinge", spectral_norm=True)
    assert all(np.isfinite(values[-1]) for values in logs.values())
    decay = min(0.999, 2 / 11)  # (1 + t) / (10 + t) after t = 1 update
    for average, start, now in zip(
        model.ema_generator.get_weights(), before, model.generator.get_weights()
    ):
        np.testing.assert_allclose(average, decay * start + (1 - decay) * now, rtol=1e-5, atol=1e-6)
    assert model.sampler is model.ema_generator
    assert not np.allclose(model.generator.get_weights()[0], before[0])


def test_spectral_norm_wraps_the_discriminator_and_the_model_saves(tmp_path):
    model, _, _ = fitted(ema_decay=0.9, spectral_norm=True, classify_fakes=True, noise="uniform")
    wrapped = [
        layer
        for layer in model.discriminator.layers
        if isinstance(layer, keras.layers.SpectralNormalization)
    ]
    assert len(wrapped) == 3  # two convolutions and the real/fake logit
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert (loaded.ema_decay, loaded.spectral_norm, loaded.classify_fakes, loaded.noise) == (
        0.9,
        True,
        True,
        "uniform",
    )
    for saved, restored in zip(model.ema_generator.weights, loaded.ema_generator.weights):
        np.testing.assert_array_equal(saved.numpy(), restored.numpy())


def test_classifying_the_fakes_adds_their_cross_entropy():
    _, _, plain = fitted()
    _, _, with_fakes = fitted(classify_fakes=True)
    # About log(10) more: an untrained classifier on the ten generated digits.
    extra = with_fakes["discriminator_class_loss"][-1] - plain["discriminator_class_loss"][-1]
    assert extra == pytest.approx(np.log(10), rel=0.2)


@pytest.mark.parametrize(
    "options", [{"loss": "wasserstein"}, {"ema_decay": 1.0}, {"noise": "cauchy"}]
)
def test_bad_options_are_refused(options):
    with pytest.raises(ValueError, match=str(next(iter(options.values())))):
        GenerativeAdversarialNetwork("conditional", width=2, **options)

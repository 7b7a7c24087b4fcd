"""The domain-adversarial model: the reversal reaches the features, the step trains, it saves."""

import keras
import numpy as np
import pytest

from tfnotes.transfer.dann import DomainAdversarialModel
from tfnotes.transfer.networks import (
    WEIGHT_LAYERS,
    build_classifier,
    feature_extractor_of,
    freeze_first,
    weight_layers,
)


def images(count, seed=0):
    return np.random.default_rng(seed).random((count, 28, 28, 1)).astype(np.float32)


def test_domain_gradient_reaches_the_features_reversed_and_the_domain_head_unchanged():
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    model = DomainAdversarialModel()
    model.reversal.strength.assign(0.4)
    extractor = feature_extractor_of(model.classifier)
    x = images(6)
    domains = tf.constant([[0.0]] * 3 + [[1.0]] * 3)

    def domain_loss(reverse):
        features = extractor(x)
        features = model.reversal(features) if reverse else features
        logits = model.domain_classifier(features)
        return tf.reduce_mean(keras.losses.binary_crossentropy(domains, logits,
                                                               from_logits=True))

    variables = extractor.trainable_variables + model.domain_classifier.trainable_variables
    with tf.GradientTape(persistent=True) as tape:
        reversed_loss, plain_loss = domain_loss(True), domain_loss(False)
    reversed_grads = tape.gradient(reversed_loss, variables)
    plain_grads = tape.gradient(plain_loss, variables)
    count = len(extractor.trainable_variables)
    for index, (rev, plain) in enumerate(zip(reversed_grads, plain_grads)):
        expected = -0.4 * plain.numpy() if index < count else plain.numpy()
        np.testing.assert_allclose(rev.numpy(), expected, rtol=1e-5, atol=1e-7)
    assert float(reversed_loss) == pytest.approx(float(plain_loss))


def test_fit_reports_the_losses_and_the_model_reloads(tmp_path):
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    model = DomainAdversarialModel()
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    source = tf.data.Dataset.from_tensor_slices((images(16), np.arange(16) % 10)).batch(8)
    target = tf.data.Dataset.from_tensor_slices(images(16, seed=1)).batch(8)
    history = model.fit(tf.data.Dataset.zip((source, target)), epochs=1, verbose=0)
    for key in ("loss", "label_loss", "domain_loss", "label_accuracy", "domain_accuracy"):
        assert np.isfinite(history.history[key][0]), key
    assert history.history["loss"][0] == pytest.approx(
        history.history["label_loss"][0] + history.history["domain_loss"][0], rel=1e-5)
    scores = model.evaluate(images(10), np.arange(10) % 10, return_dict=True, verbose=0)
    assert set(scores) == {"accuracy"}
    model.save(tmp_path / "dann.keras")
    loaded = keras.models.load_model(tmp_path / "dann.keras")
    np.testing.assert_allclose(loaded.predict(images(4), verbose=0),
                               model.predict(images(4), verbose=0), atol=1e-6)


def test_freeze_first_counts_the_weight_layers_in_order():
    classifier = build_classifier()
    assert [layer.name for layer in weight_layers(classifier)] == list(WEIGHT_LAYERS)
    freeze_first(classifier, 2)
    assert [layer.trainable for layer in weight_layers(classifier)] == [False, False, True,
                                                                        True, True]
    assert len(classifier.trainable_weights) == 6  # dense1, dense2, logits: kernel + bias
    freeze_first(classifier, 0)
    assert len(classifier.trainable_weights) == 10


def test_conditioned_features_are_the_outer_product_with_constant_probabilities():
    import tensorflow as tf

    from tfnotes.transfer.dann import conditioned_features

    features = tf.constant([[1.0, 2.0], [3.0, -1.0]])
    logits = tf.constant([[0.0, 0.0, 0.0], [np.log(2.0), 0.0, 0.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([features, logits])
        outer = conditioned_features(features, logits)
        total = tf.reduce_sum(outer * tf.range(6, dtype=tf.float32))
    # Row 2: probabilities (0.5, 0.25, 0.25); feature-major order f0*p, f1*p.
    np.testing.assert_allclose(outer.numpy(), [[1 / 3, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 2 / 3],
                                               [1.5, 0.75, 0.75, -0.5, -0.25, -0.25]],
                               rtol=1e-6)
    assert tape.gradient(total, logits) is None  # the probabilities are held constant
    np.testing.assert_allclose(tape.gradient(total, features).numpy()[1],
                               [0 * 0.5 + 1 * 0.25 + 2 * 0.25, 3 * 0.5 + 4 * 0.25 + 5 * 0.25])


def test_the_variants_add_their_terms_and_survive_a_save(tmp_path):
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    model = DomainAdversarialModel(domain_units=(8,), target_entropy_weight=0.5,
                                   conditioning="predictions")
    assert model.domain_classifier.input_shape[-1] == 768 * 10
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    source = tf.data.Dataset.from_tensor_slices((images(8), np.arange(8) % 10)).batch(8)
    target = tf.data.Dataset.from_tensor_slices(images(8, seed=1)).batch(8)
    history = model.fit(tf.data.Dataset.zip((source, target)), epochs=1, verbose=0).history
    # One batch: the loss is the sum of the three terms, the entropy at its weight.
    assert history["loss"][0] == pytest.approx(
        history["label_loss"][0] + history["domain_loss"][0]
        + 0.5 * history["target_entropy"][0], rel=1e-5)
    assert 0.0 < history["target_entropy"][0] <= np.log(10) + 1e-6
    model.save(tmp_path / "cdan.keras")
    loaded = keras.models.load_model(tmp_path / "cdan.keras")
    assert (loaded.conditioning, loaded.target_entropy_weight) == ("predictions", 0.5)
    with pytest.raises(ValueError, match="conditioning="):
        DomainAdversarialModel(conditioning="labels")

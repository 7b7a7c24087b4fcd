"""The gradient reversal layer: identity forward, -strength times the gradient backward."""

import math

import keras
import numpy as np
import pytest

from tfnotes.layers import GradientReversal, GradientReversalSchedule, adaptation_strength


def test_schedule_by_hand():
    assert adaptation_strength(0.0) == 0.0
    assert adaptation_strength(0.5) == pytest.approx(2 / (1 + math.exp(-5)) - 1)  # 0.98661
    assert adaptation_strength(1.0) == pytest.approx(0.9999092)
    assert adaptation_strength(0.1, gamma=1.0) == pytest.approx(0.0499584)


def test_forward_is_exactly_the_identity():
    inputs = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32) * 1e3
    layer = GradientReversal(0.7)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(inputs)), inputs)


@pytest.mark.parametrize("strength", [1.0, 0.25, 0.0])
def test_gradient_is_reversed_and_scaled(strength):
    import tensorflow as tf

    x = tf.Variable(np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32))
    weights = tf.constant([[1.0], [-2.0], [0.5]])
    layer = GradientReversal(strength)
    with tf.GradientTape(persistent=True) as tape:
        reversed_loss = tf.reduce_sum(tf.square(layer(x) @ weights))
        plain_loss = tf.reduce_sum(tf.square(x @ weights))
    np.testing.assert_allclose(tape.gradient(reversed_loss, x).numpy(),
                               -strength * tape.gradient(plain_loss, x).numpy(), rtol=1e-6)


def test_schedule_callback_sets_the_strength_each_batch_and_logs_it():
    layer = GradientReversal(0.0)
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1)(layer(inputs)))
    model.compile("sgd", "mse")
    seen = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(float(keras.ops.convert_to_numpy(layer.strength)))

    history = model.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=2, epochs=1, verbose=0,
                        callbacks=[GradientReversalSchedule(layer, total_steps=4), Record()])
    assert seen == pytest.approx([adaptation_strength(step / 4) for step in range(4)])
    assert history.history["reversal_strength"] == pytest.approx([seen[-1]])


def test_saves_and_loads_in_a_model(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, GradientReversal(0.3, name="reverse")(inputs))
    model.get_layer("reverse").strength.assign(0.9)
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert float(keras.ops.convert_to_numpy(loaded.get_layer("reverse").strength)) == \
        pytest.approx(0.9)

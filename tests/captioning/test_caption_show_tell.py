"""decoder=show_tell: the image reaches the decoder's starting state, and stays there.

The regression: the image vector went through tanh state layers that saturated on the
large component every image shares, so after a little training the starting state was
the same for every image (one caption for all of them, loss stuck at the language-only
0.81 nats/token). Now a batch-normalised linear image embedding is the cell's first input.
"""

import keras
import numpy as np
import pytest

from tfnotes import captioning as cap


def _spread(states):
    """Per flat state: mean across-image std over mean |value| (0: identical for every image)."""
    values = [keras.ops.convert_to_numpy(state) for state in states]
    return [float(v.std(axis=0).mean() / (np.abs(v).mean() + 1e-9)) for v in values]


def _model(vocab_size, steps, image_size, **kwargs):
    keras.utils.set_random_seed(0)
    return cap.build_captioner(vocab_size=vocab_size, caption_steps=steps, image_size=image_size,
                               decoder="show_tell", cnn_filters=(8, 16, 32), **kwargs)


def test_the_starting_state_reaches_the_first_teacher_forced_step():
    model = _model(12, 5, 32, units=16, embedding_dim=8)
    encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
    images = np.random.default_rng(0).uniform(0, 255, (3, 32, 32, 3)).astype("float32")
    features = encoder(images)
    memory, states = decoder.start(features)
    captions = np.array([[2, 4, 5, 6, 3]] * 3, "int32")
    logits = keras.ops.convert_to_numpy(decoder(captions, features))
    first, _, _ = decoder.step(keras.ops.convert_to_numpy(captions[:, 0]), states, memory)
    np.testing.assert_allclose(logits[:, 0], keras.ops.convert_to_numpy(first), atol=1e-5)
    assert min(_spread(states)) > 0.01  # a different start for each image
    assert np.abs(logits[0, 0] - logits[1, 0]).max() > 1e-4  # and different first-step logits
    zeros = [keras.ops.zeros_like(state) for state in states]
    other, _, _ = decoder.step(keras.ops.convert_to_numpy(captions[:, 0]), zeros, memory)
    assert np.abs(keras.ops.convert_to_numpy(other) - logits[:, 0]).max() > 1e-4


def test_calibrated_image_norm_matches_the_batch_statistics():
    model = _model(12, 5, 32, units=16, embedding_dim=8)
    encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
    images = np.random.default_rng(1).uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    assert cap.calibrate_image_norm(model, images, batch_size=3)
    features = encoder(images)
    _, trained = decoder.start(features, training=True)  # batch statistics
    _, inferred = decoder.start(features)  # moving statistics, now calibrated
    for a, b in zip(trained, inferred):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b),
                                   atol=1e-3)


@pytest.mark.filterwarnings("ignore")
def test_after_short_training_the_starting_state_still_depends_on_the_image():
    data = cap.load_shapes(256, 16, 64, 0)
    tokens, owners = cap.flatten_captions(data.train)
    vocabulary = cap.build_caption_vocabulary(tokens)
    max_words = max(len(t) for t in tokens)
    ids = cap.encode_captions(tokens, vocabulary, max_words)
    train = cap.sampled_caption_batches(data.train, ids, owners, 32, 0)
    model = _model(len(vocabulary), max_words + 1, 64, units=32, embedding_dim=16)
    model.compile(optimizer=keras.optimizers.Adam(2e-3, clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0))
    model.fit(train, epochs=12, verbose=0)
    cap.calibrate_image_norm(model, data.train.images)
    encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
    _, states = decoder.start(encoder(data.test.images.astype("float32")))
    # Before the fix: ~1e-4 (tanh saturated, one starting state for every image).
    assert min(_spread(states)) > 0.05, _spread(states)

"""Token encoders: exact outputs on hand-made ids, masks, and .keras round trips."""

import keras
import numpy as np
import pytest

from tfnotes.slots import CharacterCNN, OneHotTokens, SummedEmbedding

# Runs again on the JAX backend in `make test` (the cells and layers are backend-neutral).
pytestmark = pytest.mark.jax


def test_one_hot_tokens_is_one_of_n_with_padding_masked():
    ids = np.array([[2, 1, 0]])
    layer = OneHotTokens(4)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(layer(ids)),
        [[[0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0]]],
    )
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(layer.compute_mask(ids)), [[True, True, False]]
    )


def test_summed_embedding_equals_multi_hot_times_weights():
    weights = np.arange(12, dtype="float32").reshape(6, 2)
    layer = SummedEmbedding(6, 2, embeddings_initializer=keras.initializers.Constant(weights))
    ids = np.array([[[1, 3, 0], [0, 0, 0]]])
    output = keras.ops.convert_to_numpy(layer(ids))
    multi_hot = np.zeros((6,), "float32")
    multi_hot[[1, 3]] = 1
    np.testing.assert_allclose(output[0, 0], multi_hot @ weights)
    np.testing.assert_allclose(output[0, 1], [0, 0])
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(layer.compute_mask(ids)), [[True, False]]
    )


def test_character_cnn_ignores_padding_characters():
    layer = CharacterCNN(10, char_dim=4, filters=5, kernel_width=1)
    short = np.array([[[3, 4, 0, 0]]])
    padded_more = np.array([[[3, 4, 0, 0, 0, 0]]])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(short)),
        keras.ops.convert_to_numpy(layer(padded_more)),
        atol=1e-6,
    )
    assert keras.ops.convert_to_numpy(layer(short)).shape == (1, 1, 5)


def test_layers_survive_keras_save_and_load(tmp_path):
    word_ids = keras.Input((None,), dtype="int32")
    trigram_ids = keras.Input((None, 3), dtype="int32")
    char_ids = keras.Input((None, 4), dtype="int32")
    merged = keras.layers.Concatenate()(
        [
            OneHotTokens(5)(word_ids),
            SummedEmbedding(7, 3)(trigram_ids),
            CharacterCNN(9, 4, 2)(char_ids),
        ]
    )
    model = keras.Model([word_ids, trigram_ids, char_ids], merged)
    inputs = [
        np.array([[1, 2]]),
        np.array([[[1, 2, 0], [3, 0, 0]]]),
        np.array([[[1, 2, 3, 0], [4, 0, 0, 0]]]),
    ]
    path = tmp_path / "m.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_allclose(
        model.predict(inputs, verbose=0), reloaded.predict(inputs, verbose=0), atol=1e-6
    )


def test_append_sequence_mean_ignores_masked_steps():
    from tfnotes.slots import AppendSequenceMean

    sequence = np.array([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]], dtype="float32")
    mask = np.array([[True, True, False]])
    output = keras.ops.convert_to_numpy(AppendSequenceMean()(sequence, mask=mask))
    np.testing.assert_allclose(output[0, :, 2:], [[2.0, 3.0]] * 3)
    np.testing.assert_allclose(output[0, :, :2], sequence[0])


def test_random_unknown_words_replaces_words_at_the_rate_and_never_padding():
    from tfnotes.slots import RandomUnknownWords

    ids = np.tile(np.array([[5, 6, 7, 8, 0, 0, 0, 0]], dtype="int32"), (5000, 1))
    layer = RandomUnknownWords(0.3, unk_id=1, seed=0)
    replaced = keras.ops.convert_to_numpy(layer(ids, training=True))
    words = replaced[:, :4]
    assert abs(np.mean(words == 1) - 0.3) < 0.02
    kept = words != 1
    np.testing.assert_array_equal(words[kept], ids[:, :4][kept])
    np.testing.assert_array_equal(replaced[:, 4:], 0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(ids, training=False)), ids)
    again = keras.ops.convert_to_numpy(layer(ids, training=True))
    assert np.mean(again != replaced) > 0.1  # a fresh draw per call


def test_random_unknown_words_round_trips_its_config():
    from tfnotes.slots import RandomUnknownWords

    layer = RandomUnknownWords.from_config(RandomUnknownWords(0.25, unk_id=3, seed=7).get_config())
    assert (layer.rate, layer.unk_id, layer.seed) == (0.25, 3, 7)

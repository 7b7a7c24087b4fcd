"""The CRF output: likelihood against brute-force enumeration, packing, Viterbi with transitions."""

import itertools

import keras
import numpy as np
import pytest

from tfnotes.slots import CRFNegativeLogLikelihood, CRFScores, crf_log_likelihood, split_crf_scores
from tfnotes.slots.bio_decoding import viterbi_bio_decode

# Runs again on the JAX backend in `make test` (the cells and layers are backend-neutral).
pytestmark = pytest.mark.jax

RNG = np.random.default_rng(0)
NUM_TAGS = 4  # id 0 is padding, as in the tag vocabulary


def path_score(tags, emissions, transitions, start, end):
    score = start[tags[0]] + end[tags[-1]] + sum(emissions[t, tag] for t, tag in enumerate(tags))
    return score + sum(transitions[a, b] for a, b in zip(tags, tags[1:]))


def brute_force_log_likelihood(tags, emissions, transitions, start, end):
    length = len(tags)
    every_path = [
        path_score(p, emissions, transitions, start, end)
        for p in itertools.product(range(NUM_TAGS), repeat=length)
    ]
    return (
        path_score(tags, emissions, transitions, start, end) - np.logaddexp.reduce(every_path)
    ) / length


def random_scores(time):
    emissions = RNG.normal(size=(2, time, NUM_TAGS)).astype("float32")
    transitions, start, end = (
        RNG.normal(size=shape).astype("float32")
        for shape in [(NUM_TAGS, NUM_TAGS), (NUM_TAGS,), (NUM_TAGS,)]
    )
    return emissions, transitions, start, end


def test_log_likelihood_matches_enumerating_every_path_with_padding():
    emissions, transitions, start, end = random_scores(time=4)
    tag_ids = np.array(
        [[1, 3, 2, 2], [2, 1, 0, 0]], dtype="int32"
    )  # the second sentence has 2 tokens
    got = keras.ops.convert_to_numpy(
        crf_log_likelihood(tag_ids, emissions, transitions, start, end)
    )
    expected = [
        brute_force_log_likelihood([1, 3, 2, 2], emissions[0], transitions, start, end),
        brute_force_log_likelihood([2, 1], emissions[1, :2], transitions, start, end),
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_packed_scores_round_trip_and_the_loss_is_minus_the_likelihood():
    emissions, transitions, start, end = random_scores(time=3)
    layer = CRFScores()
    layer.build(emissions.shape)
    for weight, value in zip(
        [layer.transitions, layer.start, layer.end], [transitions, start, end]
    ):
        weight.assign(value)
    packed = layer(emissions)
    assert tuple(packed.shape) == (2, 3 + NUM_TAGS + 2, NUM_TAGS)
    for got, want in zip(
        split_crf_scores(keras.ops.convert_to_numpy(packed)), [emissions, transitions, start, end]
    ):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    tag_ids = np.array([[1, 2, 3], [3, 3, 0]], dtype="int32")
    loss = keras.ops.convert_to_numpy(CRFNegativeLogLikelihood()(tag_ids, packed))
    likelihood = keras.ops.convert_to_numpy(
        crf_log_likelihood(tag_ids, emissions, transitions, start, end)
    )
    np.testing.assert_allclose(loss, -likelihood.mean(), rtol=1e-5)


def test_training_learns_a_transition_the_token_scores_cannot_see():
    # Every token looks the same; only the previous tag decides the next (1 -> 2 -> 3 -> 1 ...).
    tokens = keras.Input((6,), dtype="int32")
    scores = keras.layers.Dense(NUM_TAGS)(keras.layers.Embedding(2, 4)(tokens))
    model = keras.Model(tokens, CRFScores()(scores))
    model.compile(keras.optimizers.Adam(0.1), loss=CRFNegativeLogLikelihood())
    gold = np.array(
        [[(start + t) % 3 + 1 for t in range(6)] for start in range(3)] * 10, dtype="int32"
    )
    model.fit(np.ones_like(gold), gold, epochs=60, verbose=0)
    emissions, transitions, start, end = split_crf_scores(
        model.predict(np.ones((1, 6), "int32"), verbose=0)
    )
    labels = ["<pad>", "B-a", "B-b", "B-c"]
    decoded = viterbi_bio_decode(emissions[0], 6, labels, transitions, start, end)
    assert decoded[1:] == [(tag % 3) + 1 for tag in decoded[:-1]]


def test_viterbi_with_transitions_finds_the_best_scoring_path():
    labels = ["<pad>", "O", "B-x", "I-x"]
    emissions, transitions, start, end = (
        array[0] if array.ndim == 3 else array for array in random_scores(time=4)
    )
    decoded = viterbi_bio_decode(emissions, 4, labels, transitions, start, end)
    legal = [
        p
        for p in itertools.product(range(1, 4), repeat=4)
        if all(not (b == 3 and a == 1) for a, b in zip(p, p[1:])) and p[0] != 3
    ]
    best = max(legal, key=lambda p: path_score(p, emissions, transitions, start, end))
    assert decoded == list(best)


def test_saved_model_with_a_crf_reloads_in_plain_keras(tmp_path):
    import tfnotes  # noqa: F401

    tokens = keras.Input((None,), dtype="int32")
    model = keras.Model(
        tokens, CRFScores()(keras.layers.Dense(NUM_TAGS)(keras.layers.Embedding(5, 3)(tokens)))
    )
    model.compile("adam", loss=CRFNegativeLogLikelihood())
    model.save(tmp_path / "crf.keras")
    reloaded = keras.models.load_model(tmp_path / "crf.keras")
    ids = np.array([[1, 2, 3]], "int32")
    np.testing.assert_allclose(
        model.predict(ids, verbose=0), reloaded.predict(ids, verbose=0), atol=1e-6
    )
    assert isinstance(reloaded.loss, CRFNegativeLogLikelihood)

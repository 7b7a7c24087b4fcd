"""Beam search against exhaustive search on a tiny hand-built decoder; greedy; XLA."""

import itertools
import math

import numpy as np
import pytest
import tensorflow as tf

from tfnotes.captioning.decoding import beam_loop, greedy_loop
from tfnotes.captioning.text import END_ID, PAD_ID, START_ID

VOCAB = 6  # <pad> <unk> <start> <end> and two words; <pad> and <start> are never emitted
EMITTABLE = [token for token in range(VOCAB) if token not in (PAD_ID, START_ID)]


class TinyDecoder:
    """h' = tanh(E[word] + h U), logits = h' W: fixed random weights, so not Markov in the word."""

    def __init__(self, seed, batch):
        rng = np.random.default_rng(seed)
        self.embedding = tf.constant(rng.normal(size=(VOCAB, 4)) * 1.5, tf.float32)
        self.recurrent = tf.constant(rng.normal(size=(4, 4)), tf.float32)
        self.output = tf.constant(rng.normal(size=(4, VOCAB)) * 2.0, tf.float32)
        self.initial = tf.constant(rng.normal(size=(batch, 4)), tf.float32)

    def step(self, words, states):
        hidden = tf.tanh(tf.gather(self.embedding, words) + states[0] @ self.recurrent)
        return hidden @ self.output, [hidden], None

    def log_probs(self, prefix, row):
        """log p(next | prefix) for one batch row, in numpy (the exhaustive oracle)."""
        states = [self.initial[row : row + 1]]
        words = tf.constant([START_ID])
        for token in prefix:
            _, states, _ = self.step(words, states)
            words = tf.constant([token])
        logits, _, _ = self.step(words, states)
        return tf.nn.log_softmax(logits[0]).numpy()


def exhaustive_best(decoder, row, max_len, length_penalty):
    """Best (tokens, normalised score) over every hypothesis: ends with <end>, or max_len long."""
    best = (None, -math.inf)
    for length in range(1, max_len + 1):
        for tokens in itertools.product(EMITTABLE, repeat=length):
            if END_ID in tokens[:-1] or (length < max_len and tokens[-1] != END_ID):
                continue
            total = sum(decoder.log_probs(tokens[:i], row)[tokens[i]] for i in range(length))
            score = total / length**length_penalty
            if score > best[1]:
                best = (tokens, score)
    return best


@pytest.mark.parametrize("length_penalty", [0.0, 1.0, 0.6])
def test_beam_search_with_a_full_beam_finds_the_exhaustive_best(length_penalty):
    batch, max_len = 2, 3
    beam_size = VOCAB**max_len  # >= vocab ** length: nothing can be pruned
    decoder = TinyDecoder(seed=7, batch=batch)
    states = [tf.repeat(decoder.initial, beam_size, axis=0)]
    ids, scores = beam_loop(decoder.step, states, batch, beam_size, max_len, VOCAB, length_penalty)
    for row in range(batch):
        tokens, score = exhaustive_best(decoder, row, max_len, length_penalty)
        found = [int(t) for t in ids[row].numpy()]
        assert found[: len(tokens)] == list(tokens)
        assert all(t == PAD_ID for t in found[len(tokens) :])
        assert scores[row].numpy() == pytest.approx(score, abs=1e-5)


def test_beam_of_one_is_greedy_and_xla_gives_the_same_ids():
    batch, max_len = 3, 5
    decoder = TinyDecoder(seed=3, batch=batch)
    greedy_ids, attention = greedy_loop(decoder.step, [decoder.initial], batch, max_len, VOCAB)
    assert attention is None
    beam_ids, _ = beam_loop(decoder.step, [decoder.initial], batch, 1, max_len, VOCAB, 1.0)
    np.testing.assert_array_equal(greedy_ids.numpy(), beam_ids.numpy())
    assert not np.isin(greedy_ids.numpy(), [START_ID]).any()

    @tf.function(jit_compile=True)
    def compiled(initial):
        return beam_loop(
            decoder.step, [tf.repeat(initial, 4, axis=0)], batch, 4, max_len, VOCAB, 1.0
        )

    eager = beam_loop(
        decoder.step, [tf.repeat(decoder.initial, 4, axis=0)], batch, 4, max_len, VOCAB, 1.0
    )
    xla = compiled(decoder.initial)
    np.testing.assert_array_equal(eager[0].numpy(), xla[0].numpy())
    np.testing.assert_allclose(eager[1].numpy(), xla[1].numpy(), rtol=1e-5)

"""Beam search against exhaustive search on a tiny hand-built decoder; greedy; XLA; the
attention of a beam caption (teacher forcing on its words)."""

import itertools
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfnotes.captioning.decoding import CaptionGenerator, beam_loop, forced_loop, greedy_loop
from tfnotes.captioning.models import build_captioner
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


class TinyAttender(TinyDecoder):
    """TinyDecoder whose attention over VOCAB "locations" peaks on the word it reads."""

    def step(self, words, states):
        logits, states, _ = super().step(words, states)
        return logits, states, tf.nn.softmax(8.0 * tf.one_hot(words, VOCAB), axis=-1)


def test_teacher_forcing_gives_each_beam_word_the_attention_of_its_own_path():
    # Row t of the map is where the decoder looked emitting word t, having read
    # <start>, word 0, ..., word t - 1 of that caption, not of the greedy one.
    batch, max_len, beam_size = 4, 4, 8
    decoder = TinyAttender(seed=4, batch=batch)  # beam and greedy differ on 3 of its 4 rows
    states = [tf.repeat(decoder.initial, beam_size, axis=0)]
    beam_ids, _ = beam_loop(decoder.step, states, batch, beam_size, max_len, VOCAB, 1.0)
    greedy_ids, greedy_attention = greedy_loop(decoder.step, [decoder.initial], batch, max_len,
                                               VOCAB)
    attention = forced_loop(decoder.step, [decoder.initial], beam_ids).numpy()
    assert attention.shape == (batch, max_len, VOCAB)
    read = np.concatenate([np.full((batch, 1), START_ID), beam_ids.numpy()[:, :-1]], axis=1)
    np.testing.assert_array_equal(attention.argmax(axis=-1), read)
    # Forcing greedy decoding's own ids gives back greedy decoding's attention.
    np.testing.assert_allclose(
        forced_loop(decoder.step, [decoder.initial], greedy_ids).numpy(),
        greedy_attention.numpy(), atol=1e-6)
    apart = (beam_ids.numpy() != greedy_ids.numpy()).any(axis=1)
    assert apart.any(), "the beam should caption some row differently from greedy decoding"
    assert not np.allclose(attention[apart], greedy_attention.numpy()[apart])
    assert forced_loop(TinyDecoder(seed=4, batch=batch).step, [decoder.initial], beam_ids) is None


def _attending_generator(max_len):
    """A small untrained attend captioner (CNN encoder, GRU decoder) and its CaptionGenerator."""
    keras.utils.set_random_seed(4)
    model = build_captioner(
        vocab_size=9, caption_steps=max_len, image_size=16, encoder="cnn", decoder="attend",
        cell="gru", units=8, embedding_dim=4, attention_units=4, cnn_filters=(4, 8),
    )
    return CaptionGenerator(model.get_layer("encoder"), model.get_layer("decoder"), max_len,
                            jit_compile=False)


def _teacher_forced_attention(generator, images, words):
    """The oracle: the decoder stepped eagerly on <start>, words[0], ...; one map per step."""
    memory, states = generator.decoder.start(generator.encoder(images, training=False))
    maps, previous = [], tf.fill([len(images)], START_ID)
    for column in range(words.shape[1]):
        _, states, attention = generator.decoder.step(previous, states, memory, training=False)
        maps.append(attention.numpy())
        previous = tf.constant(words[:, column])
    return np.stack(maps, axis=1)


def test_a_beam_caption_comes_with_the_attention_of_its_own_words():
    # `python -m experiments.captioning RUN image beam_size=3 attention=att.png` printed
    # the beam's caption under the greedy caption's attention maps.
    max_len = 6
    generator = _attending_generator(max_len)
    images = np.random.default_rng(0).uniform(0, 255, (4, 16, 16, 3)).astype(np.float32)
    ids, attention = generator.caption(images, beam_size=3)
    np.testing.assert_array_equal(ids, generator.beam(images, 3)[0])
    assert attention.shape == (4, max_len, 16)  # a map over the 4 x 4 grid per step
    np.testing.assert_allclose(attention, _teacher_forced_attention(generator, images, ids),
                               atol=1e-5)
    np.testing.assert_allclose(attention.sum(axis=-1), 1.0, atol=1e-5)
    greedy_ids, greedy_attention = generator.caption(images, beam_size=1)
    np.testing.assert_allclose(
        greedy_attention, _teacher_forced_attention(generator, images, greedy_ids), atol=1e-5)
    assert generator.caption(images, beam_size=3, with_attention=False)[1] is None

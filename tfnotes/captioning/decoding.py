"""Greedy and beam-search caption decoding, compiled with XLA (``tf.function(jit_compile=True)``).

Both loops are `tf.while_loop`s of a fixed `max_len` steps (XLA compiles the step
once; one program per batch shape) and never emit ``<pad>`` or ``<start>``. After
``<end>`` a row only pads.

Beam search is length-normalised: a hypothesis of n generated tokens (``<end>``
included) with summed log-probability s scores ``s / n ** length_penalty``
(``length_penalty=0`` ranks by s alone, 1 by the mean log-probability). Candidates
are ranked by that score at every step, finished hypotheses carried along with a
free ``<pad>`` continuation; a hypothesis without ``<end>`` after `max_len` steps
competes with length `max_len`. When `beam_size` is at least the number of
possible hypotheses nothing is pruned and the result is the exhaustive best
(tests/captioning/test_caption_decoding.py checks that).

The beam carries no attention maps (that would be ``[B, K, max_len, L]`` gathered at
every step of every evaluation). The maps of a caption depend only on its words, so
`forced_loop` recomputes them by teacher forcing on the winning ids: what the beam
computed along its best path, for one more decoder pass, and only when asked
(`CaptionGenerator.caption`).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfnotes.captioning.text import END_ID, PAD_ID, START_ID
from tfnotes.train.replicas import jit_compile_under_strategy

NEGATIVE = -1e9  # "impossible" log-probability; finite so sums and divisions stay finite
BANNED = (PAD_ID, START_ID)


def _ban(vocab_size):
    banned = np.zeros((vocab_size,), np.float32)
    banned[list(BANNED)] = NEGATIVE
    return tf.constant(banned)


def greedy_loop(step_fn, states, batch_size, max_len, vocab_size):
    """Arg-max decoding: ``(ids [B, max_len], attention [B, max_len, L] or None)``.

    `step_fn(words [B], states) -> (logits [B, V], states, attention [B, L] or None)`.
    A `tf.while_loop`, so XLA compiles the step once.
    """
    ban = _ban(vocab_size)
    _, _, probe = step_fn(tf.fill([batch_size], START_ID), states)  # only asks: attention?
    attends = probe is not None

    def body(t, words, done, states, ids, maps):
        logits, states, attention = step_fn(words, states)
        chosen = tf.argmax(tf.cast(logits, tf.float32) + ban, axis=-1, output_type=tf.int32)
        chosen = tf.where(done, PAD_ID, chosen)
        ids = ids.write(t, chosen)
        if attends:
            maps = maps.write(t, tf.cast(attention, tf.float32))
        return t + 1, chosen, done | tf.equal(chosen, END_ID), states, ids, maps

    loop = (0, tf.fill([batch_size], START_ID), tf.zeros([batch_size], tf.bool), states,
            tf.TensorArray(tf.int32, size=max_len), tf.TensorArray(tf.float32, size=max_len))
    _, _, _, _, ids, maps = tf.while_loop(lambda t, *_: t < max_len, body, loop,
                                          maximum_iterations=max_len)
    attention = tf.transpose(maps.stack(), (1, 0, 2)) if attends else None
    return tf.transpose(ids.stack()), attention


def forced_loop(step_fn, states, ids):
    """Teacher forcing on given ids ``[B, T]``: ``attention [B, T, L]``, or None without attention.

    Step t reads ``<start>`` (t = 0) or ``ids[:, t - 1]``, as greedy and beam decoding did
    when they emitted `ids`, so row t is where the decoder looked when it emitted
    ``ids[:, t]``: the attention of that caption, whichever search found it. `step_fn`
    as in `greedy_loop`; T must be static. A `tf.while_loop`.
    """
    steps = ids.shape[1]
    count = tf.shape(ids)[0]
    words = tf.transpose(tf.concat([tf.fill([count, 1], START_ID), ids[:, :-1]], axis=1))
    _, _, probe = step_fn(words[0], states)  # only asks: attention?
    if probe is None:
        return None

    def body(t, states, maps):
        _, states, attention = step_fn(words[t], states)
        return t + 1, states, maps.write(t, tf.cast(attention, tf.float32))

    loop = (0, states, tf.TensorArray(tf.float32, size=steps))
    _, _, maps = tf.while_loop(lambda t, *_: t < steps, body, loop, maximum_iterations=steps)
    return tf.transpose(maps.stack(), (1, 0, 2))


def beam_loop(step_fn, states, batch_size, beam_size, max_len, vocab_size, length_penalty=1.0):
    """Length-normalised beam search (module docstring): ``(ids [B, max_len], scores [B])``.

    `states` are already tiled to ``B * beam_size`` rows (row ``b * beam_size + k``);
    `step_fn(words [B*K], states) -> (logits [B*K, V], states, anything)`; `batch_size`
    may be a scalar tensor.
    """
    count, width = batch_size, int(beam_size)
    ban = _ban(vocab_size)
    pad_only = tf.where(tf.range(vocab_size) == PAD_ID, 0.0, NEGATIVE)
    offsets = tf.range(count)[:, None] * width
    columns = tf.range(max_len)

    def body(t, words, cumulative, lengths, finished, tokens, normalised, states):
        logits, states, _ = step_fn(words, states)
        log_probs = tf.nn.log_softmax(tf.cast(logits, tf.float32), axis=-1) + ban
        log_probs = tf.reshape(log_probs, [count, width, vocab_size])
        log_probs = tf.where(finished[..., None], pad_only, log_probs)
        candidates = cumulative[..., None] + log_probs
        step_length = tf.cast(t + 1, tf.float32)
        candidate_lengths = tf.broadcast_to(
            tf.where(finished, lengths, step_length)[..., None], [count, width, vocab_size])
        scores = candidates / tf.pow(candidate_lengths, length_penalty)
        normalised, best = tf.math.top_k(tf.reshape(scores, [count, width * vocab_size]), width)
        beam, token = best // vocab_size, best % vocab_size
        cumulative = tf.gather(tf.reshape(candidates, [count, -1]), best, batch_dims=1)
        lengths = tf.gather(tf.reshape(candidate_lengths, [count, -1]), best, batch_dims=1)
        finished = tf.gather(finished, beam, batch_dims=1) | tf.equal(token, END_ID)
        tokens = tf.gather(tokens, beam, batch_dims=1)
        tokens = tokens + tf.cast(tf.equal(columns, t), tf.int32) * token[..., None]
        rows = tf.reshape(beam + offsets, [-1])
        states = tf.nest.map_structure(lambda state: tf.gather(state, rows), states)
        return (t + 1, tf.reshape(token, [-1]), cumulative, lengths, finished, tokens,
                normalised, states)

    cumulative = tf.concat([tf.zeros([count, 1]), tf.fill([count, width - 1], NEGATIVE)], 1)
    loop = (0, tf.fill([count * width], START_ID), cumulative, tf.ones([count, width]),
            tf.zeros([count, width], tf.bool), tf.zeros([count, width, max_len], tf.int32),
            cumulative, states)
    result = tf.while_loop(lambda t, *_: t < max_len, body, loop, maximum_iterations=max_len)
    tokens, normalised = result[5], result[6]
    winner = tf.argmax(normalised, axis=-1, output_type=tf.int32)
    return tf.gather(tokens, winner, batch_dims=1), tf.gather(normalised, winner, batch_dims=1)


class CaptionGenerator:
    """Captions images with a trained encoder and `CaptionDecoder` (greedy or beam search).

    Args:
        encoder: image -> feature grid model (``model.get_layer("encoder")``).
        decoder: the `CaptionDecoder` (``model.get_layer("decoder")``).
        max_len: decoding steps (words + ``<end>``).
        jit_compile: compile the decoding loops with XLA (not when made inside a
            tf.distribute strategy's scope: XLA cannot reach mirrored variables).
        length_penalty: beam-search length normalisation exponent.
    """

    def __init__(self, encoder, decoder, max_len, jit_compile=True, length_penalty=1.0):
        self.encoder, self.decoder, self.max_len = encoder, decoder, int(max_len)
        self.length_penalty = float(length_penalty)
        self.jit_compile = jit_compile_under_strategy(bool(jit_compile))
        # Any batch size reuses one trace (XLA still compiles once per shape).
        self._signature = [tf.TensorSpec([None, *encoder.input_shape[1:]], tf.float32)]
        # autograph=False: the loops are explicit tf.while_loops, nothing to convert.
        self._greedy = tf.function(self._greedy_graph, jit_compile=self.jit_compile,
                                   input_signature=self._signature, autograph=False)
        self._beams = {}  # beam_size -> compiled search
        self._forced = tf.function(
            self._forced_graph, jit_compile=self.jit_compile, autograph=False,
            input_signature=[*self._signature, tf.TensorSpec([None, self.max_len], tf.int32)])

    def _step_fn(self, memory):
        def step(words, states):
            return self.decoder.step(words, states, memory, training=False)
        return step

    def _greedy_graph(self, images):
        count = tf.shape(images)[0]
        memory, states = self.decoder.start(self.encoder(images, training=False))
        ids, attention = greedy_loop(self._step_fn(memory), states, count, self.max_len,
                                     self.decoder.vocab_size)
        if attention is None:
            attention = tf.zeros([count, self.max_len, 0])
        return ids, attention

    def _forced_graph(self, images, ids):
        memory, states = self.decoder.start(self.encoder(images, training=False))
        attention = forced_loop(self._step_fn(memory), states, ids)
        if attention is None:
            attention = tf.zeros([tf.shape(images)[0], self.max_len, 0])
        return attention

    def _beam_function(self, beam_size):
        def search(images):
            memory, states = self.decoder.start(self.encoder(images, training=False))
            tile = lambda x: None if x is None else tf.repeat(x, beam_size, axis=0)  # noqa: E731
            memory = tuple(tile(part) for part in memory)
            states = [tile(state) for state in states]
            return beam_loop(self._step_fn(memory), states, tf.shape(images)[0], beam_size,
                             self.max_len, self.decoder.vocab_size, self.length_penalty)
        if beam_size not in self._beams:
            self._beams[beam_size] = tf.function(search, jit_compile=self.jit_compile,
                                                 input_signature=self._signature, autograph=False)
        return self._beams[beam_size]

    def greedy(self, images):
        """``(ids [B, max_len], attention [B, max_len, L])`` numpy arrays (L = 0: no attention)."""
        ids, attention = self._greedy(tf.convert_to_tensor(images, tf.float32))
        return ids.numpy(), attention.numpy()

    def beam(self, images, beam_size):
        """``(ids [B, max_len], normalised scores [B])`` numpy arrays; beam_size=1 is greedy."""
        ids, scores = self._beam_function(int(beam_size))(tf.convert_to_tensor(images, tf.float32))
        return ids.numpy(), scores.numpy()

    def attention(self, images, ids):
        """Teacher-forced attention ``[B, max_len, L]`` of captions ``ids [B, max_len]``.

        Row t is where the decoder looked when it emitted ``ids[:, t]`` (`forced_loop`);
        for ids that greedy or beam search returned, the attention that search had.
        L = 0 for a decoder without attention.
        """
        ids = np.asarray(ids, np.int32)
        attention = self._forced(tf.convert_to_tensor(images, tf.float32), tf.constant(ids))
        return attention.numpy()

    def caption(self, images, beam_size=1, with_attention=True):
        """``(ids [B, max_len], attention [B, max_len, L] or None)``: greedy or beam captions.

        The attention is that of the captions returned: greedy decoding's own, or, for
        beam search, the teacher-forced attention of the winning ids (`attention`),
        which is what the beam computed along its best path without carrying maps for
        every hypothesis in the compiled search.
        """
        if beam_size <= 1:
            ids, attention = self.greedy(images)
            return ids, attention if with_attention else None
        ids = self.beam(images, beam_size)[0]
        return ids, self.attention(images, ids) if with_attention else None

    def generate(self, images, beam_size=1, batch_size=50):
        """Ids ``[N, max_len]`` for uint8/float images ``[N,S,S,3]``, in fixed-size batches.

        The last batch is padded to `batch_size` so the compiled program is reused.
        """
        images = np.asarray(images, np.float32)
        outputs = []
        for begin in range(0, len(images), batch_size):
            chunk = images[begin:begin + batch_size]
            real = len(chunk)
            if len(images) > batch_size and real < batch_size:
                chunk = np.concatenate([chunk, np.repeat(chunk[-1:], batch_size - real, 0)])
            ids = self.greedy(chunk)[0] if beam_size <= 1 else self.beam(chunk, beam_size)[0]
            outputs.append(ids[:real])
        return np.concatenate(outputs) if outputs else np.zeros((0, self.max_len), np.int32)

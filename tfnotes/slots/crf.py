"""A linear-chain CRF output for taggers (Lafferty et al., 2001; Lample et al., 2016).

A softmax tagger scores each token on its own; a CRF adds a learned score for each
pair of neighbouring tags (``B-object_name`` then ``B-object_type`` is likely,
``O`` then ``I-city`` impossible) and trains on the whole sequence's likelihood.

Keras losses see only ``(y_true, y_pred)`` per output, so `CRFScores` packs the
transition scores into its output next to the per-token scores: the model stays a
plain functional model, its loss is a registered `CRFNegativeLogLikelihood`, and the
saved ``.keras`` file reloads in plain Keras. `split_crf_scores` unpacks a prediction.
"""

import keras
import numpy as np
from keras import ops

PAD_TAG = 0  # tag id of padding; such positions are skipped


@keras.saving.register_keras_serializable(package="tfnotes")
class CRFScores(keras.layers.Layer):
    """Per-token tag scores plus learned transition, start and end scores, packed.

    `[batch, time, tags] -> [batch, time + tags + 2, tags]`: rows ``:time`` are the
    input scores unchanged, the next ``tags`` rows the transition matrix
    ``[previous, next]``, then one row of start and one of end scores (the same for
    every sentence). Padding masks stop here: the loss reads padding from the tags.
    """

    def build(self, input_shape):
        num_tags = input_shape[-1]
        self.transitions = self.add_weight(
            name="transitions", shape=(num_tags, num_tags), initializer="zeros"
        )
        self.start = self.add_weight(name="start", shape=(num_tags,), initializer="zeros")
        self.end = self.add_weight(name="end", shape=(num_tags,), initializer="zeros")

    def call(self, scores):
        extra = ops.concatenate([self.transitions, self.start[None], self.end[None]], axis=0)
        extra = ops.cast(extra, scores.dtype)
        batch = ops.shape(scores)[0]
        return ops.concatenate(
            [scores, ops.broadcast_to(extra[None], (batch, *extra.shape))], axis=1
        )

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        batch, time, num_tags = input_shape
        return (batch, None if time is None else time + num_tags + 2, num_tags)


def split_crf_scores(packed):
    """``(emissions [batch, time, tags], transitions [tags, tags], start [tags], end [tags])``
    from a `CRFScores` output (a tensor or a NumPy array)."""
    num_tags = packed.shape[-1]
    if isinstance(packed, np.ndarray):  # a prediction: plain slicing keeps NumPy arrays
        extra = packed[0, -(num_tags + 2) :]
        return packed[:, : -(num_tags + 2)], extra[:num_tags], extra[num_tags], extra[num_tags + 1]
    extra = packed[0, -(num_tags + 2) :]
    # Sliced from the end, so a batch whose length is unknown while tracing still splits;
    # the reshapes restore the static shapes that slicing an unknown length loses.
    transitions = ops.reshape(extra[:num_tags], (num_tags, num_tags))
    start, end = (
        ops.reshape(extra[num_tags], (num_tags,)),
        ops.reshape(extra[num_tags + 1], (num_tags,)),
    )
    return packed[:, : -(num_tags + 2)], transitions, start, end


def crf_log_likelihood(tag_ids, emissions, transitions, start, end):
    """Log-likelihood of each sentence's tags under the CRF, divided by its length.

    Args:
        tag_ids: `[batch, time]` gold tag ids, `PAD_TAG` (0) after the sentence ends.
        emissions: `[batch, time, tags]` per-token scores.
        transitions, start, end: learned scores, see `CRFScores`.

    Returns `[batch]`: (gold path score - log partition function) / length, the
    per-token scale of a cross-entropy loss.
    """
    tag_ids = ops.cast(tag_ids, "int32")
    num_tags = ops.shape(emissions)[-1]
    mask = ops.cast(ops.not_equal(tag_ids, PAD_TAG), emissions.dtype)
    lengths = ops.sum(mask, axis=1)

    # Forward algorithm: log-sum over every tag path, one step per token.
    def step(alpha, inputs):
        emission, present = inputs
        moved = ops.logsumexp(alpha[:, :, None] + transitions[None], axis=1) + emission
        return ops.where(present[:, None] > 0, moved, alpha)

    first = start[None] + emissions[:, 0]
    alpha = _scan_over_time(step, first, (emissions[:, 1:], mask[:, 1:]))
    log_partition = ops.logsumexp(alpha + end[None], axis=1)

    emission_score = ops.sum(
        ops.take_along_axis(emissions, tag_ids[..., None], axis=-1)[..., 0] * mask, axis=1
    )
    pairs = tag_ids[:, :-1] * num_tags + tag_ids[:, 1:]
    transition_score = ops.sum(
        ops.take(ops.reshape(transitions, (-1,)), pairs) * mask[:, 1:], axis=1
    )
    last = ops.cast(ops.maximum(lengths - 1, 0), "int32")
    last_tags = ops.take_along_axis(tag_ids, last[:, None], axis=1)[:, 0]
    gold = (
        emission_score
        + transition_score
        + ops.take(start, tag_ids[:, 0])
        + ops.take(end, last_tags)
    )
    return (gold - log_partition) / ops.maximum(lengths, 1.0)


def _scan_over_time(step, carry, sequences):
    """Folds ``carry = step(carry, (x[:, t] for x in sequences))`` over the time axis.

    The JAX backend uses `ops.scan` (reverse-differentiable there). On TensorFlow a
    while loop with ``maximum_iterations`` is needed instead: XLA cannot compile the
    gradient of Keras' TensorFlow scan when the length is unknown while tracing, as it
    is for length-bucketed batches.
    """
    if keras.backend.backend() == "jax":
        time_major = tuple(ops.moveaxis(x, 1, 0) for x in sequences)
        carry, _ = ops.scan(lambda c, xs: (step(c, xs), None), carry, time_major)
        return carry
    length = ops.shape(sequences[0])[1]

    def body(index, current):
        return index + 1, step(current, tuple(x[:, index] for x in sequences))

    _, carry = ops.while_loop(
        lambda index, _: index < length, body, (0, carry), maximum_iterations=length
    )
    return carry


@keras.saving.register_keras_serializable(package="tfnotes")
class CRFNegativeLogLikelihood(keras.losses.Loss):
    """The loss of a `CRFScores` output: minus `crf_log_likelihood`, averaged over sentences."""

    def __init__(self, name="crf_negative_log_likelihood", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        return -crf_log_likelihood(y_true, *split_crf_scores(y_pred))

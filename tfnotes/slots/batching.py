"""Pad training batches to a few widths instead of the longest sentence.

A recurrent layer pays for every padded step: SNIPS sentences average 9 words but
the longest has 35, so padding every batch to 35 runs the recurrence about 2.6 times
longer than needed. Grouping sentences by length into a handful of widths keeps XLA
to one compiled program per width while cutting most of the padding.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tfnotes.slots.tagger import model_inputs, output_names


def length_bucket_boundaries(lengths: Sequence[int], count: int) -> list[int]:
    """Exclusive upper bounds of at most `count` length buckets.

    The last bound holds the longest sentence; the others sit just past the 1/2,
    3/4, 7/8, ... quantiles of `lengths`, so each narrower bucket takes half of what
    is left and the widest bucket is kept for the rare long tail.
    """
    if count < 1:
        raise ValueError(f"length bucket count must be at least 1, got {count}")
    lengths = np.asarray(lengths)
    bounds = {int(np.quantile(lengths, 1.0 - 0.5**k)) + 1 for k in range(1, count)}
    bounds.add(int(lengths.max()) + 1)
    return sorted(bounds)


def batches_per_epoch(
    lengths: Sequence[int], boundaries: Sequence[int], batch_size: int, drop_remainder: bool = True
) -> int:
    """Batches per epoch when each bucket is batched on its own (full batches only by default)."""
    bucket_of = np.searchsorted(np.asarray(boundaries), np.asarray(lengths), side="right")
    if drop_remainder:
        return int(sum(count // batch_size for count in np.bincount(bucket_of)))
    return int(sum(-(-count // batch_size) for count in np.bincount(bucket_of)))


def training_boundaries(encoded_train, config):
    """Exclusive length bounds of the training buckets (one bucket: pad to the longest)."""
    lengths = encoded_train["lengths"]
    if len(lengths) < config.batch_size * config.length_buckets:
        return length_bucket_boundaries(lengths, 1)  # too few sentences to fill a batch per width
    return length_bucket_boundaries(lengths, config.length_buckets)


def training_steps(encoded_train, config):
    """Batches per training epoch: full ones only, unless the split is smaller than one batch."""
    lengths = encoded_train["lengths"]
    drop_remainder = len(lengths) >= config.batch_size
    return batches_per_epoch(
        lengths, training_boundaries(encoded_train, config), config.batch_size, drop_remainder
    )


def tagger_datasets(encoded_train, encoded_valid, config):
    """tf.data pipelines of (inputs, targets); padding tags are id 0 and ignored by the loss.

    Training batches are full and padded to their length bucket's width (see
    `tfnotes.slots.batching`), so XLA compiles one program per width.
    """
    import tensorflow as tf

    def arrays(encoded):
        # Every tagger of an ensemble learns the same targets.
        targets = {}
        for slots_name, intent_name in output_names(config):
            targets.update({slots_name: encoded["tag_ids"], intent_name: encoded["intent_ids"]})
        return model_inputs(encoded, config), targets

    def trimmed(inputs, targets, length):
        per_word = {
            name: ids[:length] if ids.shape.rank else ids for name, ids in targets.items()
        }  # intents are scalars
        return {name: ids[:length] for name, ids in inputs.items()}, per_word

    def train_pipeline(encoded):
        dataset = tf.data.Dataset.from_tensor_slices((*arrays(encoded), encoded["lengths"]))
        dataset = dataset.shuffle(
            len(encoded["lengths"]), seed=config.seed, reshuffle_each_iteration=True
        )
        boundaries = training_boundaries(encoded, config)
        # A split smaller than one batch still trains on its single partial batch.
        drop_remainder = len(encoded["lengths"]) >= config.batch_size
        batches = dataset.map(trimmed).bucket_by_sequence_length(
            lambda inputs, targets: tf.shape(inputs["word_ids"])[0],
            bucket_boundaries=boundaries,
            bucket_batch_sizes=[config.batch_size] * (len(boundaries) + 1),
            pad_to_bucket_boundary=True,
            drop_remainder=drop_remainder,
        )
        # Bucketing hides the epoch's length from Keras; state it (and have tf.data check it).
        return batches.apply(
            tf.data.experimental.assert_cardinality(training_steps(encoded, config))
        ).prefetch(2)

    valid = (
        tf.data.Dataset.from_tensor_slices(arrays(encoded_valid))
        .batch(config.batch_size)
        .prefetch(2)
    )
    return train_pipeline(encoded_train), valid

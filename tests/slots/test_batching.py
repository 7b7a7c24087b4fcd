"""Length buckets: bounds at halving quantiles, the longest sentence always fits, step counts."""

import pytest

from tfnotes.slots.batching import batches_per_epoch, length_bucket_boundaries


def test_bounds_sit_past_the_half_three_quarter_quantiles_and_the_longest():
    lengths = list(range(1, 101))  # 1..100
    assert length_bucket_boundaries(lengths, 3) == [51, 76, 101]
    assert length_bucket_boundaries(lengths, 1) == [101]


def test_equal_lengths_collapse_to_one_bucket():
    assert length_bucket_boundaries([7] * 20, 4) == [8]


def test_full_batches_count_each_bucket_separately():
    # bucket [0, 3): 5 sentences -> 2 batches of 2; bucket [3, 6): 3 -> 1 batch.
    assert batches_per_epoch([1, 2, 2, 1, 2, 4, 5, 3], [3, 6], 2) == 3
    assert batches_per_epoch([1, 2, 2, 1, 2, 4, 5, 3], [3, 6], 2, drop_remainder=False) == 5


def test_bucket_count_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        length_bucket_boundaries([3, 4], 0)

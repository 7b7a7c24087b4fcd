"""Truncated backpropagation batches in the layout of the TF1 tutorial's ``ptb_producer``.

The id stream is cut into `batch_size` equal parallel streams (row ``b`` holds tokens
``b * L ... (b + 1) * L - 1`` with ``L = len(ids) // batch_size``; the tail is dropped),
and window ``i`` of a split is ``x = data[:, i*num_steps:(i+1)*num_steps]`` with the
next tokens ``y = data[:, i*num_steps+1:(i+1)*num_steps+1]`` as targets. Row ``b`` of
window ``i + 1`` continues row ``b`` of window ``i``, so a stateful model that keeps its
final state as the next window's initial state reads each stream without a break.
There are ``(L - 1) // num_steps`` windows an epoch. From the TF1 reader's test::

    ids = [4, 3, 2, 1, 0, 5, 6, 1, 1, 1, 1, 0, 3, 4, 1], batch_size=3, num_steps=2
    window 0: x = [[4, 3], [5, 6], [1, 0]]   y = [[3, 2], [6, 1], [0, 3]]
    window 1: x = [[2, 1], [1, 1], [3, 4]]   y = [[1, 0], [1, 1], [4, 1]]
"""

from __future__ import annotations

import numpy as np

from tfnotes.errors import UsageError


def bptt_windows(
    ids, batch_size: int, num_steps: int, split: str = "data"
) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets of every window, each ``[windows, batch_size, num_steps]`` int32.

    Raises:
        UsageError: (one line, naming `split`) the split is too short for one window.
    """
    ids = np.asarray(ids, dtype=np.int32)
    if batch_size < 1 or num_steps < 1:
        raise UsageError(
            f"batch_size and num_steps must be positive, got {batch_size} and {num_steps}"
        )
    batch_len = len(ids) // batch_size
    windows = (batch_len - 1) // num_steps
    if windows < 1:
        needed = batch_size * (num_steps + 1)
        raise UsageError(
            f"num_steps={num_steps} with batch_size={batch_size} needs at least {needed} tokens "
            f"in the {split} split, which has {len(ids)}; lower num_steps= or batch_size="
        )
    data = ids[: batch_size * batch_len].reshape(batch_size, batch_len)
    span = windows * num_steps
    inputs = data[:, :span].reshape(batch_size, windows, num_steps).transpose(1, 0, 2)
    targets = data[:, 1 : span + 1].reshape(batch_size, windows, num_steps).transpose(1, 0, 2)
    return np.ascontiguousarray(inputs), np.ascontiguousarray(targets)


def bptt_dataset(ids, batch_size: int, num_steps: int, split: str = "data"):
    """A `tf.data.Dataset` of `bptt_windows` batches, in order (never shuffle it)."""
    import tensorflow as tf

    inputs, targets = bptt_windows(ids, batch_size, num_steps, split)
    return tf.data.Dataset.from_tensor_slices((inputs, targets))


def tokens_per_epoch(ids, batch_size: int, num_steps: int) -> int:
    """Target tokens one pass of `bptt_windows` trains on."""
    windows = (len(ids) // batch_size - 1) // num_steps
    return max(windows, 0) * batch_size * num_steps

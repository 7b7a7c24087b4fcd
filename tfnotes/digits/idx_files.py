"""LeCun idx files (the original MNIST distribution format), gzipped or plain.

An idx file is a big-endian header followed by raw uint8 data:

- images: magic 2051, item count, rows, columns, then count*rows*columns bytes;
- labels: magic 2049, item count, then count bytes.

Bad files fail with a `DataError` naming the file and what is wrong, never a
traceback from inside numpy or gzip.
"""

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from tfnotes.digits.splits import DigitSplits
from tfnotes.errors import DataError

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
GZIP_MAGIC = b"\x1f\x8b"

# Seed of the fixed permutation that splits a t10k-only directory; changing it
# changes every reported eval figure, so it is a constant, not a config key.
SPLIT_SEED = 0
TRAIN_FRACTION = 0.8


def read_idx(path) -> np.ndarray:
    """Read one idx file: uint8 `[N, rows, cols]` for images, uint8 `[N]` for labels.

    `path` may be gzipped (detected from the content, not the name) or plain.
    Raises `DataError` for a missing file, a corrupt gzip stream, an unknown
    magic number, or data shorter or longer than the header promises.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 8:
        raise DataError(f"{path}: truncated header: expected at least 8 bytes, found {len(raw)}")
    magic, count = struct.unpack(">II", raw[:8])
    if magic == IMAGES_MAGIC:
        if len(raw) < 16:
            raise DataError(f"{path}: truncated image header: expected 16 bytes, found {len(raw)}")
        rows, cols = struct.unpack(">II", raw[8:16])
        shape, header_size = (count, rows, cols), 16
    elif magic == LABELS_MAGIC:
        shape, header_size = (count,), 8
    else:
        raise DataError(
            f"{path}: bad magic number {magic} (0x{magic:08x}); expected {IMAGES_MAGIC} for images "
            f"or {LABELS_MAGIC} for labels"
        )
    expected = int(np.prod(shape, dtype=np.int64))
    found = len(raw) - header_size
    if found != expected:
        problem = "truncated" if found < expected else "trailing data"
        dims = "x".join(str(d) for d in shape)
        raise DataError(
            f"{path}: size mismatch ({problem}): header says {dims} = {expected} data bytes, "
            f"found {found}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape).copy()


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot read: {error.strerror or error}") from error
    if raw[:2] == GZIP_MAGIC:
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise DataError(f"{path}: corrupt gzip data: {error}") from error
    if path.suffix == ".gz":
        raise DataError(
            f"{path}: not a gzip file (name ends in .gz but the content has no gzip header)"
        )
    return raw


def fixed_split(count: int, train_fraction: float = TRAIN_FRACTION):
    """Indices `(train, eval)` of a fixed, seeded permutation of `range(count)`.

    The same `count` always gives the same split (seed `SPLIT_SEED`), so every
    run on a t10k-only directory trains and evaluates on the same digits.
    """
    permutation = np.random.default_rng(SPLIT_SEED).permutation(count)
    train_count = int(round(count * train_fraction))
    return permutation[:train_count], permutation[train_count:]


def _find(data_dir: Path, prefix: str, kind: str):
    """The first existing file among the usual spellings, or None."""
    names = [f"{prefix}-{kind}", f"{prefix}-{kind.replace('-idx', '.idx')}"]
    for name in names:
        for suffix in (".gz", ""):
            candidate = data_dir / (name + suffix)
            if candidate.is_file():
                return candidate
    return None


def _load_pair(images_path: Path, labels_path: Path):
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(f"{images_path}: expected 28x28 images, found shape {images.shape}")
    if labels.ndim != 1:
        raise DataError(
            f"{labels_path}: expected a label file (magic {LABELS_MAGIC}), found an image file"
        )
    if len(images) != len(labels):
        raise DataError(
            f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} labels"
        )
    if labels.size and labels.max() > 9:
        raise DataError(f"{labels_path}: labels must be digits 0..9, found {int(labels.max())}")
    return images, labels


def load_idx_dir(data_dir) -> DigitSplits:
    """Digits from a directory of LeCun idx files (`.gz` or plain).

    With both the train and t10k pairs present: train = train-*, eval = t10k-*.
    With only the t10k pair (like `../shared/data/mnist`): a fixed 80/20 split of
    it (8,000 / 2,000 for the real file), described in the result's `note`.
    Missing or half-present pairs raise `DataError` listing the expected files.
    """
    data_dir = Path(data_dir)
    expected = (
        "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz (optional pair), "
        "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (.gz optional)"
    )
    if not data_dir.is_dir():
        raise DataError(f"data_dir {data_dir} is not a directory; expected one holding {expected}")
    found = {
        (prefix, kind): _find(data_dir, prefix, kind)
        for prefix in ("train", "t10k")
        for kind in ("images-idx3-ubyte", "labels-idx1-ubyte")
    }
    missing_t10k = [
        f"t10k-{kind}[.gz]"
        for (prefix, kind), path in found.items()
        if prefix == "t10k" and not path
    ]
    missing_train = [
        f"train-{kind}[.gz]"
        for (prefix, kind), path in found.items()
        if prefix == "train" and not path
    ]
    if missing_t10k:
        raise DataError(f"{data_dir}: missing {', '.join(missing_t10k)}; expected {expected}")
    if len(missing_train) == 1:
        raise DataError(f"{data_dir}: missing {missing_train[0]} (the other train file is present)")
    eval_images, eval_labels = _load_pair(
        found["t10k", "images-idx3-ubyte"], found["t10k", "labels-idx1-ubyte"]
    )
    if not missing_train:
        train_images, train_labels = _load_pair(
            found["train", "images-idx3-ubyte"], found["train", "labels-idx1-ubyte"]
        )
        return DigitSplits(
            train_images, train_labels, eval_images, eval_labels, source=f"idx:{data_dir}"
        )
    if len(eval_labels) < 2:
        raise DataError(
            f"{found['t10k', 'images-idx3-ubyte']}: need at least 2 digits to split, "
            f"found {len(eval_labels)}"
        )
    train_index, eval_index = fixed_split(len(eval_labels))
    note = (
        f"only the t10k pair is in {data_dir}: using a fixed "
        f"{len(train_index):,} / {len(eval_index):,} "
        f"train/eval split of its {len(eval_labels):,} digits (permutation seed {SPLIT_SEED})"
    )
    return DigitSplits(
        train_images=eval_images[train_index],
        train_labels=eval_labels[train_index],
        eval_images=eval_images[eval_index],
        eval_labels=eval_labels[eval_index],
        source=f"idx:{data_dir}",
        note=note,
    )

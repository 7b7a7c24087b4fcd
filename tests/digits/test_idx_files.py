"""The idx reader on hand-made good and corrupt files, and the t10k-only split on the real file."""

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest

from tfnotes.digits.idx_files import fixed_split, load_idx_dir, read_idx
from tfnotes.digits.loading import load_digits
from tfnotes.errors import DataError, UsageError

# tests/data/this_file -> parents[2] is the checkout; ../shared sits beside it.
SHARED_MNIST = Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist"
needs_shared_mnist = pytest.mark.skipif(
    not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").is_file(), reason=f"{SHARED_MNIST} is absent"
)


def idx_images(images, count=None):
    """Bytes of an idx image file; `count` overrides the header's item count."""
    images = np.asarray(images, np.uint8)
    header = struct.pack(">IIII", 2051, len(images) if count is None else count, *images.shape[1:])
    return header + images.tobytes()


def idx_labels(labels, count=None):
    labels = np.asarray(labels, np.uint8)
    return struct.pack(">II", 2049, len(labels) if count is None else count) + labels.tobytes()


def write(path, payload, compress):
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


def digits(count, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8), rng.integers(
        0, 10, count
    ).astype(np.uint8)


@pytest.mark.parametrize("compress", [True, False])
def test_reads_images_and_labels_back_exactly(tmp_path, compress):
    images, labels = digits(3)
    suffix = ".gz" if compress else ""
    images_path = write(tmp_path / f"t10k-images-idx3-ubyte{suffix}", idx_images(images), compress)
    labels_path = write(tmp_path / f"t10k-labels-idx1-ubyte{suffix}", idx_labels(labels), compress)
    read_images, read_labels = read_idx(images_path), read_idx(labels_path)
    assert read_images.dtype == np.uint8 and read_images.shape == (3, 28, 28)
    np.testing.assert_array_equal(read_images, images)
    np.testing.assert_array_equal(read_labels, labels)


def test_bad_magic_number_names_file_and_value(tmp_path):
    path = write(
        tmp_path / "bad-images.gz", struct.pack(">IIII", 2050, 1, 28, 28) + bytes(784), True
    )
    with pytest.raises(DataError, match=r"bad-images\.gz.*bad magic number 2050"):
        read_idx(path)


def test_truncated_images_report_expected_and_found_bytes(tmp_path):
    images, _ = digits(2)
    path = write(tmp_path / "short-images", idx_images(images)[:-100], False)
    with pytest.raises(DataError, match=r"short-images.*truncated.*1568 data bytes, found 1468"):
        read_idx(path)


def test_header_claiming_more_items_than_present(tmp_path):
    _, labels = digits(5)
    path = write(tmp_path / "labels.gz", idx_labels(labels, count=9), True)
    with pytest.raises(DataError, match=r"labels\.gz.*size mismatch.*9 = 9 data bytes, found 5"):
        read_idx(path)


def test_trailing_bytes_are_a_size_mismatch(tmp_path):
    _, labels = digits(4)
    path = write(tmp_path / "labels", idx_labels(labels) + b"\x00", False)
    with pytest.raises(DataError, match=r"trailing data.*found 5"):
        read_idx(path)


def test_corrupt_gzip_and_fake_gz_name(tmp_path):
    images, _ = digits(1)
    corrupt = tmp_path / "cut-images.gz"
    corrupt.write_bytes(gzip.compress(idx_images(images))[:40])
    with pytest.raises(DataError, match=r"cut-images\.gz.*corrupt gzip"):
        read_idx(corrupt)
    fake = write(tmp_path / "plain-images.gz", idx_images(images), False)
    with pytest.raises(DataError, match=r"plain-images\.gz.*not a gzip file"):
        read_idx(fake)


def test_directory_with_train_and_t10k_pairs_uses_t10k_for_eval(tmp_path):
    train_images, train_labels = digits(6, seed=1)
    eval_images, eval_labels = digits(4, seed=2)
    write(tmp_path / "train-images-idx3-ubyte.gz", idx_images(train_images), True)
    write(tmp_path / "train-labels-idx1-ubyte.gz", idx_labels(train_labels), True)
    write(tmp_path / "t10k-images-idx3-ubyte", idx_images(eval_images), False)
    write(tmp_path / "t10k-labels-idx1-ubyte", idx_labels(eval_labels), False)
    splits = load_digits("mnist", data_dir=str(tmp_path))
    np.testing.assert_array_equal(splits.train_images, train_images)
    np.testing.assert_array_equal(splits.eval_labels, eval_labels)
    assert splits.note == ""


def test_directory_missing_files_lists_what_was_expected(tmp_path):
    with pytest.raises(
        DataError, match=r"missing t10k-images-idx3-ubyte\[\.gz\], t10k-labels-idx1-ubyte"
    ):
        load_idx_dir(tmp_path)
    _, labels = digits(3)
    write(tmp_path / "t10k-labels-idx1-ubyte.gz", idx_labels(labels), True)
    with pytest.raises(DataError, match=r"missing t10k-images-idx3-ubyte"):
        load_idx_dir(tmp_path)


def test_image_and_label_counts_must_agree(tmp_path):
    images, labels = digits(4)
    write(tmp_path / "t10k-images-idx3-ubyte.gz", idx_images(images), True)
    write(tmp_path / "t10k-labels-idx1-ubyte.gz", idx_labels(labels[:3]), True)
    with pytest.raises(
        DataError, match=r"4 images but .*t10k-labels-idx1-ubyte\.gz holds 3 labels"
    ):
        load_idx_dir(tmp_path)


def test_unknown_data_choice_lists_the_choices():
    with pytest.raises(UsageError, match=r"data=mnist, data=synthetic, or data_dir=DIR"):
        load_digits("fashion")


def test_fixed_split_is_stable_across_versions():
    # The eval set behind every reported figure: if numpy's permutation ever
    # changes, this fails instead of the figures silently moving.
    train_index, eval_index = fixed_split(10)
    np.testing.assert_array_equal(np.sort(eval_index), np.sort(fixed_split(10)[1]))
    assert len(train_index) == 8 and len(eval_index) == 2
    assert sorted(np.concatenate([train_index, eval_index])) == list(range(10))
    np.testing.assert_array_equal(eval_index, np.random.default_rng(0).permutation(10)[8:])


@needs_shared_mnist
def test_real_t10k_files_match_readme_md5s():
    expected = {
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    }
    for name, md5 in expected.items():
        assert hashlib.md5((SHARED_MNIST / name).read_bytes()).hexdigest() == md5, name


@needs_shared_mnist
def test_real_t10k_only_directory_gives_a_fixed_disjoint_8000_2000_split():
    first, second = load_idx_dir(SHARED_MNIST), load_idx_dir(SHARED_MNIST)
    assert first.train_images.shape == (8000, 28, 28) and first.eval_images.shape == (2000, 28, 28)
    assert first.train_images.dtype == np.uint8 and first.train_labels.dtype == np.uint8
    assert "8,000 / 2,000" in first.note
    np.testing.assert_array_equal(first.eval_images, second.eval_images)
    np.testing.assert_array_equal(first.train_labels, second.train_labels)
    # Disjoint: no eval image appears in train (MNIST t10k has no exact duplicates).
    train_rows = {image.tobytes() for image in first.train_images}
    assert not any(image.tobytes() in train_rows for image in first.eval_images)
    assert set(np.unique(first.eval_labels)) == set(range(10))

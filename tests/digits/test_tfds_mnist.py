"""MNIST through tensorflow_datasets, on mock data (nothing downloads)."""

import numpy as np
import pytest

from tfnotes.digits.loading import load_digits
from tfnotes.digits.tfds_mnist import load_tfds_mnist
from tfnotes.errors import DataError

tfds = pytest.importorskip("tensorflow_datasets")


def test_mock_mnist_comes_back_as_uint8_28x28_digits():
    with tfds.testing.mock_data(num_examples=12):
        splits = load_digits("mnist")
    assert splits.source == "tfds:mnist"
    assert splits.train_images.shape == (12, 28, 28) and splits.eval_images.shape == (12, 28, 28)
    assert splits.train_images.dtype == np.uint8 and splits.eval_labels.dtype == np.uint8
    assert splits.train_labels.shape == (12,) and splits.train_labels.max() <= 9


def test_a_failed_download_is_one_line_naming_the_cause_and_the_offline_options(
    monkeypatch, tmp_path
):
    def offline(*args, **kwargs):
        raise ConnectionError("Failed to resolve storage.googleapis.com\nmore lines of traceback")

    from tfnotes.digits import tfds_mnist

    monkeypatch.setattr(tfds, "load", offline)
    monkeypatch.setattr(tfds_mnist, "can_download", lambda: True)  # the host answered, then
    with pytest.raises(DataError) as caught:
        load_tfds_mnist(data_dir=str(tmp_path))
    message = str(caught.value)
    assert "\n" not in message
    assert "ConnectionError: Failed to resolve" in message
    assert "data_dir=../shared/data/mnist" in message and "data=synthetic" in message


def test_offline_without_prepared_data_fails_at_once_naming_the_offline_options(
    tmp_path, monkeypatch
):
    # Before, tfds retried the download for minutes; offline it now reads only what
    # is prepared, and there is nothing in an empty data folder.
    from tfnotes.digits import tfds_mnist
    from tfnotes.errors import DataError

    monkeypatch.setattr(tfds_mnist, "can_download", lambda: False)
    with pytest.raises(DataError) as raised:
        tfds_mnist.load_tfds_mnist(data_dir=str(tmp_path))
    message = str(raised.value)
    assert "offline and not prepared" in message and "data=synthetic" in message
    assert "data_dir=" in message and "\n" not in message

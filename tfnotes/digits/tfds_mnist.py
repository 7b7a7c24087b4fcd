"""MNIST through tensorflow_datasets (downloads on first use, then cached).

Offline machines get one line naming the alternatives instead of tfds'
download traceback. Tests run this path under `tfds.testing.mock_data`.
"""

import numpy as np

from tfnotes.digits.splits import DigitSplits
from tfnotes.downloads import can_download
from tfnotes.errors import DataError

OFFLINE_OPTIONS = (
    "offline, use data_dir=DIR with the LeCun idx files (e.g. data_dir=../shared/data/mnist) "
    "or data=synthetic"
)


def load_tfds_mnist(data_dir=None) -> DigitSplits:
    """MNIST train (60,000) and test (10,000) splits as uint8 numpy arrays.

    `data_dir` is tfds' own cache directory (default `~/tensorflow_datasets`),
    not a directory of idx files. Any failure to download or prepare the data
    becomes a one-line `DataError` naming the offline options.
    """
    import tensorflow_datasets as tfds

    # Offline, tfds would retry the download for minutes: read only what is prepared.
    download = can_download()
    try:
        train, test = tfds.load(
            "mnist", split=["train", "test"], as_supervised=True, data_dir=data_dir,
            download=download,
        )
        train_images, train_labels = _to_numpy(tfds, train)
        eval_images, eval_labels = _to_numpy(tfds, test)
    except Exception as error:  # tfds raises many types (network, checksum, missing deps)
        if not download:
            raise DataError(
                "could not load MNIST through tensorflow_datasets: offline and not prepared "
                f"in its data folder; {OFFLINE_OPTIONS}"
            ) from error
        cause = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise DataError(
            "could not load MNIST through tensorflow_datasets "
            f"({type(error).__name__}: {cause}); {OFFLINE_OPTIONS}"
        ) from error
    return DigitSplits(
        train_images=_images(train_images),
        train_labels=np.asarray(train_labels, dtype=np.uint8),
        eval_images=_images(eval_images),
        eval_labels=np.asarray(eval_labels, dtype=np.uint8),
        source="tfds:mnist",
    )


def _to_numpy(tfds, dataset):
    """All (image, label) pairs of a tf.data split as two numpy arrays.

    Batched iteration rather than tfds' `batch_size=-1`, which aborts the
    process under `tfds.testing.mock_data` in tfds 4.9.
    """
    images, labels = [], []
    for image_batch, label_batch in tfds.as_numpy(dataset.batch(10_000)):
        images.append(image_batch)
        labels.append(label_batch)
    if not images:
        return np.zeros((0, 28, 28), np.uint8), np.zeros((0,), np.uint8)
    return np.concatenate(images), np.concatenate(labels)


def _images(batch) -> np.ndarray:
    """tfds gives `[N, 28, 28, 1]`; the project uses `[N, 28, 28]` uint8."""
    return np.asarray(batch, dtype=np.uint8).reshape(-1, 28, 28)

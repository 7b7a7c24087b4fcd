"""`data=coco_captions`: COCO 2014 captions (Karpathy splits) through TensorFlow Datasets.

The tfds builder ``coco_captions`` has splits ``train``, ``restval``, ``val`` and
``test``; train uses ``train`` (plus ``restval`` with ``max_images=0``), valid ``val``
and test ``test``. Images are resized to the configured size and held in memory,
so use ``max_images=`` to cap each split on a small machine. Nothing downloads
unless ``download=True``: the dataset must be prepared in ``data_dir`` (or the tfds
default folder) with ``tfds build coco_captions``. Tests run it under
``tfds.testing.mock_data``, which supports this builder (random images and words).
"""

from __future__ import annotations

import numpy as np

from tfnotes.captioning.dataset import CaptionData, CaptionSplit
from tfnotes.captioning.text import tokenize_caption
from tfnotes.errors import UsageError

SPLITS = {"train": ("train", "restval"), "valid": ("val",), "test": ("test",)}


def _load_split(tfds, names, data_dir, image_size, max_images, download):
    import tensorflow as tf

    images, captions, ids = [], [], []
    for name in names:
        if max_images and len(images) >= max_images:
            break
        try:
            dataset = tfds.load("coco_captions", split=name, data_dir=data_dir or None,
                                download=download)
        except Exception as error:  # DatasetNotFoundError, AssertionError, network errors
            raise UsageError(
                f"coco_captions split {name} is not available ({type(error).__name__}: "
                f"{' '.join(str(error).split())[:160]}); prepare it with `tfds build "
                "coco_captions` (about 20 GB) and pass data_dir=, or use data=shapes or "
                "data=flickr8k data_dir=DIR"
            ) from None
        for example in dataset:
            raw = example["captions"]["text"].numpy()
            texts = [tokenize_caption(text.decode("utf-8")) for text in raw]
            texts = [words for words in texts if words]
            if not texts:
                continue
            image = tf.image.resize(example["image"], (image_size, image_size), antialias=True)
            images.append(np.clip(np.round(image.numpy()), 0, 255).astype(np.uint8))
            captions.append(texts)
            ids.append(str(int(example["image/id"].numpy())))
            if max_images and len(images) >= max_images:
                break
    array = np.stack(images) if images else np.zeros((0, image_size, image_size, 3), np.uint8)
    return CaptionSplit(array, captions, ids)


def load_coco_captions(image_size: int, data_dir: str = "", max_images: int = 0,
                       download: bool = False) -> CaptionData:
    """COCO captions from tfds as `CaptionData` (see the module docstring).

    Args:
        image_size: side of the square images returned.
        data_dir: the tfds data folder ("" = tfds' default).
        max_images: at most this many images per split (0 = all).
        download: let tfds download and prepare the dataset when missing.
    """
    import tensorflow_datasets as tfds

    splits = {split: _load_split(tfds, names if not max_images else names[:1], data_dir,
                                 image_size, max_images, download)
              for split, names in SPLITS.items()}
    return CaptionData("coco_captions", splits["train"], splits["valid"], splits["test"])

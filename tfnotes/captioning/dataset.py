"""What every caption source returns, image loading with Pillow, and the tf.data pipelines.

A source (`shapes`, `flickr8k`, `coco`) returns `CaptionData`: three `CaptionSplit`s
whose images are uint8 arrays ``[N, S, S, 3]`` already resized to the configured
size, and whose captions are token lists (see `tfnotes.captioning.text`), several
per image.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from tfnotes.errors import DataError


@dataclasses.dataclass
class CaptionSplit:
    """Images with their reference captions.

    Attributes:
        images: uint8 ``[N, S, S, 3]``.
        captions: per image, a list of tokenised captions (lists of words).
        names: per image, a file name or scene id (shown in logs).
        groups: optional named subsets, name -> image indices (e.g. ``"three_shapes"``).
    """

    images: np.ndarray
    captions: list[list[list[str]]]
    names: list[str]
    groups: dict[str, list[int]] = dataclasses.field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.captions)

    def subset(self, indices) -> "CaptionSplit":
        """The images at `indices` (groups dropped)."""
        indices = list(indices)
        return CaptionSplit(self.images[indices], [self.captions[i] for i in indices],
                            [self.names[i] for i in indices])


@dataclasses.dataclass
class CaptionData:
    """Train / valid / test splits of one source, with a name for logs."""

    name: str
    train: CaptionSplit
    valid: CaptionSplit
    test: CaptionSplit
    skipped: int = 0  # rows or images left out because skip_bad=True


def load_image_file(path, size: int, where: str = "") -> np.ndarray:
    """uint8 ``[size, size, 3]``: the image at `path`, RGB, resized (aspect not kept).

    Raises `DataError` naming the file (and `where`, e.g. the caption file's line)
    when it is missing or cannot be decoded.
    """
    from PIL import Image, UnidentifiedImageError

    suffix = f" ({where})" if where else ""
    try:
        with Image.open(path) as image:
            image.draft("RGB", (size, size))  # JPEG: decode at a reduced scale, much faster
            image = image.convert("RGB").resize((size, size), Image.BILINEAR)
            return np.asarray(image, dtype=np.uint8)
    except FileNotFoundError:
        raise DataError(f"{path}{suffix}: image not found") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise DataError(f"{path}{suffix}: cannot read image ({error})") from None


def caption_pairs(split: CaptionSplit, ids: np.ndarray, owners: np.ndarray, batch_size: int,
                  seed: int):
    """A tf.data pipeline of ``({"image", "caption_in"}, caption_out)`` batches of every caption.

    Args:
        split: the images.
        ids: int32 ``[M, T + 1]`` encoded captions (`encode_captions`).
        owners: int ``[M]``, the image index of each caption.
        batch_size: captions per batch; the last partial batch is dropped (when there is
            a full one) so the compiled step sees one shape.
        seed: the seed of the reshuffle every epoch.
    """
    import tensorflow as tf

    if len(ids) == 0:
        raise DataError("no captions to train on (is the split empty?)")
    images = tf.constant(split.images)
    dataset = tf.data.Dataset.from_tensor_slices((owners.astype(np.int32), ids))
    dataset = dataset.shuffle(len(ids), seed=seed, reshuffle_each_iteration=True)
    drop = len(ids) >= batch_size

    def to_example(owner, caption):
        image = tf.cast(tf.gather(images, owner), tf.float32)
        return {"image": image, "caption_in": caption[:, :-1]}, caption[:, 1:]

    return dataset.batch(batch_size, drop_remainder=drop).map(to_example).prefetch(2)


def sampled_caption_batches(split: CaptionSplit, ids: np.ndarray, owners: np.ndarray,
                            batch_size: int, seed: int):
    """Training batches that show every image once per epoch with one of its captions,
    drawn at random each epoch (the usual way with several references per image).

    Same arguments and batch format as `caption_pairs`.
    """
    import tensorflow as tf

    if len(ids) == 0:
        raise DataError("no captions to train on (is the split empty?)")
    counts = np.bincount(owners, minlength=len(split)).astype(np.int32)
    firsts = (np.cumsum(counts) - counts).astype(np.int32)
    order = np.argsort(owners, kind="stable")
    images, captions = tf.constant(split.images), tf.constant(ids[order])
    counts_t, firsts_t = tf.constant(counts), tf.constant(firsts)
    having = np.flatnonzero(counts).astype(np.int32)
    dataset = tf.data.Dataset.from_tensor_slices(having)
    dataset = dataset.shuffle(len(having), seed=seed, reshuffle_each_iteration=True)

    def to_example(owner):
        pick = tf.random.uniform([], 0, tf.gather(counts_t, owner), dtype=tf.int32, seed=seed)
        caption = tf.gather(captions, tf.gather(firsts_t, owner) + pick)
        image = tf.cast(tf.gather(images, owner), tf.float32)
        return {"image": image, "caption_in": caption[:-1]}, caption[1:]

    drop = len(having) >= batch_size
    return dataset.map(to_example).batch(batch_size, drop_remainder=drop).prefetch(2)


def flatten_captions(split: CaptionSplit):
    """``(token_lists, owners)``: every caption of the split and the index of its image."""
    token_lists, owners = [], []
    for index, captions in enumerate(split.captions):
        token_lists.extend(captions)
        owners.extend([index] * len(captions))
    return token_lists, np.asarray(owners, np.int32)

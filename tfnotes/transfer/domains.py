"""The two domains: digits the project renders (A, the source) and real MNIST (B, the target).

Both come as `tfnotes.digits.DigitSplits` (uint8 `[N, 28, 28]`); `Domains` holds them
as float images `[N, 28, 28, 1]` in [0, 1]. The target's training digits are the
unlabelled pool of domain-adversarial training; `labelled_subset` picks the few whose
labels a method may use, the same digits in every method for a given seed.
"""

from dataclasses import dataclass

import numpy as np

from tfnotes.digits.loading import load_digits
from tfnotes.errors import UsageError

# The rendered source domain is the same in every run (seeds vary the training only).
SOURCE_RENDER_SEED = 0


@dataclass
class Domains:
    """Source and target digits, train and eval splits, as float images and int labels."""

    source_train: tuple  # (images [N, 28, 28, 1] float32 in [0, 1], labels [N] int32)
    source_eval: tuple
    target_train: tuple  # labels are only used through `labelled_subset`
    target_eval: tuple
    target_source: str  # where the target digits came from (tfds:mnist, a directory)


def _as_arrays(images, labels):
    return (np.asarray(images, np.float32)[..., None] / 255.0, np.asarray(labels, np.int32))


def load_domains(target_data: str, data_dir: str, source_count: int,
                 max_eval_images: int = 0, source_fonts: str = "pillow") -> Domains:
    """`source_count` rendered source digits and the MNIST target digits.

    `data_dir` (LeCun idx files, e.g. ../shared/data/mnist: its t10k pair splits
    8,000 / 2,000) wins over `target_data` (``mnist``: through tfds). The rendered
    digits use `SOURCE_RENDER_SEED`, so every run draws the same source domain.
    `max_eval_images` cuts both eval splits (0: all). `source_fonts`: the fonts the
    source digits are drawn in (``pillow``: one; ``matplotlib``: 21).
    """
    source = load_digits("synthetic", seed=SOURCE_RENDER_SEED, synthetic_count=source_count,
                         synthetic_fonts=source_fonts)
    target = load_digits(target_data, data_dir)
    cut = slice(None, max_eval_images or None)
    return Domains(
        source_train=_as_arrays(source.train_images, source.train_labels),
        source_eval=_as_arrays(source.eval_images[cut], source.eval_labels[cut]),
        target_train=_as_arrays(target.train_images, target.train_labels),
        target_eval=_as_arrays(target.eval_images[cut], target.eval_labels[cut]),
        target_source=data_dir or f"tfds:{target_data}",
    )


def labelled_subset(labels, count: int, seed: int) -> np.ndarray:
    """Indices of `count` labelled target digits, classes as balanced as they can be.

    A seeded permutation, then one digit of each class in turn (round robin), so 100
    labels are 10 per class whenever the pool holds 10 of each. Raises UsageError
    when `count` exceeds the pool.
    """
    labels = np.asarray(labels)
    if count > len(labels):
        raise UsageError(
            f"n_target_labels={count} is larger than the target's training split "
            f"({len(labels)} digits); choose at most {len(labels)}")
    order = np.random.default_rng(seed).permutation(len(labels))
    by_class = [list(order[labels[order] == digit]) for digit in np.unique(labels)]
    picked = []
    while len(picked) < count:
        for queue in by_class:
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    return np.array(sorted(picked), dtype=np.int64)

"""One entry point for the 28x28 digit data the VAE and GAN experiments share.

`load_digits` picks the source from the runner's `data` / `data_dir` keys:

- `data_dir=DIR`: LeCun idx files in DIR (`tfnotes.digits.idx_files`);
- `data=mnist`: MNIST through tensorflow_datasets (`tfnotes.digits.tfds_mnist`);
- `data=synthetic`: digits rendered by the project (`tfnotes.digits.rendering`).

Every source returns a `DigitSplits`: uint8 images `[N, 28, 28]` (white digit on
black, 0..255) and uint8 labels `[N]` in 0..9.
"""

from tfnotes.digits.splits import DigitSplits
from tfnotes.errors import UsageError

DATA_CHOICES = ("mnist", "synthetic")

# Fraction of the synthetic digits kept for evaluation (10,000 -> 8,000 / 2,000,
# the same shape as the split of the t10k-only idx directory).
SYNTHETIC_EVAL_FRACTION = 0.2


def load_digits(
    data: str, data_dir: str = "", seed: int = 0, synthetic_count: int = 10000,
    synthetic_fonts: str = "pillow",
) -> DigitSplits:
    """Load train/eval digits from the source the config names.

    A non-empty `data_dir` wins over `data` (the idx files there are read).
    `seed` only affects `data=synthetic` (which digits get rendered); the idx
    split and the tfds splits are fixed so eval sets stay comparable across runs.
    `synthetic_count` is the total number of rendered digits, train and eval;
    `synthetic_fonts` the fonts they are drawn in (`render_synthetic_digits`' `fonts`).
    """
    # Imports are local: tensorflow_datasets is slow to import and only one
    # source is needed per run.
    if data_dir:
        from tfnotes.digits.idx_files import load_idx_dir

        return load_idx_dir(data_dir)
    if data == "mnist":
        from tfnotes.digits.tfds_mnist import load_tfds_mnist

        return load_tfds_mnist()
    if data == "synthetic":
        return _synthetic_splits(seed, synthetic_count, synthetic_fonts)
    raise UsageError(
        f"unknown data={data!r}; choose data=mnist, data=synthetic, "
        "or data_dir=DIR with LeCun idx files"
    )


def load_digits_for_run(config, max_eval_images: int = 0) -> DigitSplits:
    """`load_digits` for an experiment's config, cut and announced.

    Reads `config.data`, `data_dir`, `seed`, `synthetic_count` and
    `max_train_images` (0: all); `max_eval_images` cuts the eval split (0: all).
    Prints the split sizes and the loader's note, so the run log says what was used.
    """
    splits = load_digits(
        config.data, config.data_dir, seed=config.seed, synthetic_count=config.synthetic_count
    )
    if splits.note:  # what the loader read, before the cuts below
        print(f"data: {splits.note}", flush=True)
    loaded = len(splits.train_images)
    train_cut = slice(None, config.max_train_images or None)
    eval_cut = slice(None, max_eval_images or None)
    splits.train_images, splits.train_labels = (
        splits.train_images[train_cut],
        splits.train_labels[train_cut],
    )
    splits.eval_images, splits.eval_labels = (
        splits.eval_images[eval_cut],
        splits.eval_labels[eval_cut],
    )
    train = f"{len(splits.train_images)} train"
    if len(splits.train_images) < loaded:
        train += f" (the first of {loaded}: max_train_images)"
    print(f"data: {splits.source}: {train} / {len(splits.eval_images)} eval digits", flush=True)
    return splits


def _synthetic_splits(seed: int, count: int, fonts: str = "pillow") -> DigitSplits:
    from tfnotes.digits.rendering import render_synthetic_digits

    if count < 20:
        raise UsageError(f"synthetic_count={count} is too small; use at least 20")
    images, labels = render_synthetic_digits(count, seed=seed, fonts=fonts)
    # The renderer emits labels in shuffled blocks of ten, so cutting at a
    # multiple of ten keeps both parts balanced.
    eval_count = max(10, int(round(count * SYNTHETIC_EVAL_FRACTION / 10)) * 10)
    train_count = count - eval_count
    return DigitSplits(
        train_images=images[:train_count],
        train_labels=labels[:train_count],
        eval_images=images[train_count:],
        eval_labels=labels[train_count:],
        source="synthetic",
        note=f"synthetic digits rendered with seed {seed}: {train_count} train / {eval_count} eval",
    )

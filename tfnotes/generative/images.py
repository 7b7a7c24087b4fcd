"""Image grids of digits for TensorBoard and PNG files.

The VAE and GAN experiments show their digits as one grid per summary: rows of
28x28 tiles with a one-pixel gap, values in [0, 1].
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def image_grid(images, rows: int, columns: int, gap: int = 1) -> np.ndarray:
    """Tiles `rows * columns` images `[N, H, W(, 1)]` (values in [0, 1]) into one `[H', W']` array.

    Image ``i`` goes to row ``i // columns``, column ``i % columns``; missing
    tiles (fewer than rows * columns images) stay black. The gap between tiles
    is mid-grey so black digit backgrounds stay apart.
    """
    images = np.asarray(images, dtype=np.float32)
    images = images.reshape(images.shape[0], images.shape[1], images.shape[2])
    if len(images) > rows * columns:
        raise ValueError(f"{len(images)} images do not fit a {rows}x{columns} grid")
    height, width = images.shape[1:]
    grid = np.full(
        (rows * (height + gap) - gap, columns * (width + gap) - gap), 0.5, dtype=np.float32
    )
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        top, left = row * (height + gap), column * (width + gap)
        grid[top : top + height, left : left + width] = np.clip(image, 0.0, 1.0)
    return grid


def write_image(run_dir, split: str, tag: str, grid: np.ndarray, step: int) -> None:
    """Writes one `[H, W]` grid or `[H, W, 3]` picture (values in [0, 1]) under ``run_dir/split``.

    Reuses the run directory's writer for `split` (``run_dir.summary_writers``),
    so a run keeps one event file per sub-run.
    """
    import tensorflow as tf

    writer = run_dir.summary_writers.get(split)
    if writer is None:
        writer = tf.summary.create_file_writer(str(run_dir.path / split))
        run_dir.summary_writers[split] = writer
    with writer.as_default():
        pixels = np.asarray(grid, np.float32)
        pixels = pixels[..., None] if pixels.ndim == 2 else pixels  # greyscale: one channel
        tf.summary.image(tag, pixels[None], step=step)
    writer.flush()


def save_png(path, grid: np.ndarray, scale: int = 2) -> Path:
    """Saves a `[H, W]` grid (values in [0, 1]) as a greyscale PNG, enlarged `scale` times."""
    from PIL import Image

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.round(np.clip(grid, 0.0, 1.0) * 255).astype(np.uint8)
    image = Image.fromarray(pixels, mode="L")
    if scale != 1:
        image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
    image.save(path)
    return path

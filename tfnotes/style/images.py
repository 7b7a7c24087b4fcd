"""Loading, resizing, saving and drawing images as float32 RGB arrays in [0, 1].

Every failure a user can cause (a missing file, a file Pillow cannot decode, an
empty folder) is a one-line `UsageError` or `DataError` naming the path.
"""

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, UnidentifiedImageError

from tfnotes.errors import DataError, UsageError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")


def _one_line(text):
    return " ".join(str(text).split())


def open_image(path, role="image"):
    """The RGB `PIL.Image` at `path`; `role` ("content", "style", ...) names it in errors."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{role} image not found: {path}")
    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise DataError(
            f"cannot read {role} image {path}: {_one_line(error) or 'not an image'}"
        ) from None


def scaled_size(width, height, longest_side, multiple=1):
    """(width, height) scaled so the longer side is `longest_side`, each rounded to `multiple`."""
    scale = longest_side / max(width, height)
    return tuple(
        max(multiple, int(round(side * scale / multiple)) * multiple) for side in (width, height)
    )


def to_array(image):
    """A PIL image as a float32 [H, W, 3] array in [0, 1]."""
    return np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0


def from_array(array):
    """A float [H, W, 3] array in [0, 1] (values outside are clipped) as a PIL image."""
    pixels = np.clip(np.asarray(array, dtype=np.float32), 0.0, 1.0)
    return Image.fromarray(np.round(pixels * 255.0).astype(np.uint8))


def resize_longest(image, longest_side, multiple=1):
    """A PIL image resized (up or down, bicubic) so its longer side is `longest_side`."""
    return image.resize(scaled_size(*image.size, longest_side, multiple), Image.BICUBIC)


def load_image(path, longest_side=None, role="image", multiple=1):
    """The image at `path` as float32 [H, W, 3] in [0, 1], resized if `longest_side` is set."""
    image = open_image(path, role)
    if longest_side:
        image = resize_longest(image, longest_side, multiple)
    return to_array(image)


def load_square(path, side, role="image"):
    """The centre square of the image at `path`, resized to side x side, as an array in [0, 1]."""
    image = open_image(path, role)
    width, height = image.size
    crop = min(width, height)
    left, top = (width - crop) // 2, (height - crop) // 2
    return to_array(
        image.crop((left, top, left + crop, top + crop)).resize((side, side), Image.BICUBIC)
    )


def save_image(array, path):
    """Write a float [H, W, 3] (or [1, H, W, 3]) array in [0, 1] as an image file."""
    array = np.asarray(array)
    if array.ndim == 4:
        array = array[0]
    from_array(array).save(path)


def list_images(directory, role="content"):
    """Sorted image files (by suffix) in `directory`; errors name the folder when there are none."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UsageError(f"{role} folder not found: {directory}")
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise DataError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {role} folder {directory}")
    return files


def draw_content(width, height, seed=0):
    """A synthetic content image: soft-edged shapes (a house, a sun, hills) on a sky gradient."""
    rng = np.random.default_rng(seed)
    sky = np.linspace([0.55, 0.75, 0.95], [0.95, 0.9, 0.8], height, dtype=np.float32)
    image = from_array(np.broadcast_to(sky[:, None, :], (height, width, 3)))
    draw = ImageDraw.Draw(image)
    for _ in range(3):
        cx, cy = rng.uniform(0, width), rng.uniform(0.6, 1.0) * height
        radius = rng.uniform(0.3, 0.6) * width
        colour = tuple(int(c) for c in rng.integers([40, 110, 30], [90, 170, 80]))
        draw.ellipse((cx - radius, cy - radius / 3, cx + radius, cy + radius), fill=colour)
    sun = rng.uniform(0.06, 0.12) * width
    sx, sy = rng.uniform(0.15, 0.85) * width, rng.uniform(0.1, 0.3) * height
    draw.ellipse((sx - sun, sy - sun, sx + sun, sy + sun), fill=(250, 210, 60))
    left, bottom = rng.uniform(0.2, 0.5) * width, 0.8 * height
    side = 0.3 * width
    draw.rectangle((left, bottom - side, left + side, bottom), fill=(180, 60, 50))
    draw.polygon(
        [
            (left - 0.1 * side, bottom - side),
            (left + 0.5 * side, bottom - 1.6 * side),
            (left + 1.1 * side, bottom - side),
        ],
        fill=(90, 50, 40),
    )
    return to_array(image.filter(ImageFilter.GaussianBlur(radius=max(1, width // 128))))


def draw_style(width, height, seed=1):
    """A synthetic style image: bold diagonal colour stripes with scattered dots."""
    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, size=(5, 3))
    image = Image.new("RGB", (width, height), tuple(int(c) for c in palette[0]))
    draw = ImageDraw.Draw(image)
    stripe = max(4, width // 10)
    for index, offset in enumerate(range(-height, width, stripe)):
        colour = tuple(int(c) for c in palette[index % len(palette)])
        draw.polygon(
            [
                (offset, 0),
                (offset + stripe, 0),
                (offset + stripe + height, height),
                (offset + height, height),
            ],
            fill=colour,
        )
    for _ in range(max(8, width * height // 400)):
        x, y, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(1, max(2, width / 40))
        draw.ellipse(
            (x - r, y - r, x + r, y + r),
            fill=tuple(int(c) for c in palette[rng.integers(len(palette))]),
        )
    return to_array(image)

"""`data=flickr8k data_dir=DIR`: Flickr8k in either of the layouts people have.

* Kaggle: ``DIR/Images/*.jpg`` and ``DIR/captions.txt``, a CSV with an
  ``image,caption`` header (captions with commas are quoted).
* Original: ``DIR/Flicker8k_Dataset/*.jpg`` (the archive's spelling; ``Flickr8k_Dataset``
  works too) and ``Flickr8k.token.txt`` (``NAME.jpg#K<TAB>caption``), in ``DIR`` or
  ``DIR/Flickr8k_text``.

The standard split files (``Flickr_8k.trainImages.txt``, ``.devImages.txt``,
``.testImages.txt``, in ``DIR`` or ``DIR/Flickr8k_text``) are used when present;
otherwise images are split 80/10/10, ordered by a CRC32 hash of their file name (the
same split every time, and an image keeps its split when others are added).

A row without a caption, a missing image or one that cannot be decoded raises a
`DataError` naming the caption file and line; with ``skip_bad=True`` the row (or
all rows of the image) is skipped instead and the counts are printed.
"""

from __future__ import annotations

import collections
import csv
import zlib
from pathlib import Path

import numpy as np

from tfnotes.captioning.dataset import CaptionData, CaptionSplit, load_image_file
from tfnotes.captioning.text import tokenize_caption
from tfnotes.errors import DataError, UsageError

SPLIT_FILES = {"train": "Flickr_8k.trainImages.txt", "valid": "Flickr_8k.devImages.txt",
               "test": "Flickr_8k.testImages.txt"}
TEXT_DIRS = ("", "Flickr8k_text")


def find_layout(data_dir) -> tuple[str, Path, Path]:
    """``(layout, images_dir, caption_file)`` for a Flickr8k folder; UsageError if neither."""
    root = Path(data_dir)
    if not root.is_dir():
        raise UsageError(f"data_dir={data_dir}: no such directory")
    if (root / "captions.txt").is_file():
        return "kaggle", root / "Images", root / "captions.txt"
    for text_dir in TEXT_DIRS:
        token_file = root / text_dir / "Flickr8k.token.txt"
        if token_file.is_file():
            for name in ("Flicker8k_Dataset", "Flickr8k_Dataset"):
                if (root / name).is_dir():
                    return "original", root / name, token_file
            raise UsageError(
                f"data_dir={data_dir}: found {token_file} but no Flicker8k_Dataset/ folder")
    raise UsageError(
        f"data_dir={data_dir} is not a Flickr8k folder: expected Images/ + captions.txt (Kaggle) "
        "or Flicker8k_Dataset/ + Flickr8k.token.txt (original)"
    )


def read_caption_rows(layout: str, caption_file: Path):
    """Yields ``(line_number, image_name, caption_or_None)`` for each row of the caption file."""
    try:
        text = caption_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{caption_file}: cannot read ({error})") from None
    lines = text.splitlines()
    if layout == "kaggle":
        for number, row in enumerate(csv.reader(lines), start=1):
            if number == 1 and [cell.strip().lower() for cell in row] == ["image", "caption"]:
                continue
            if not row or not any(cell.strip() for cell in row):
                continue  # blank line
            caption = ",".join(row[1:]).strip()
            yield number, row[0].strip(), caption or None
    else:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            key, _, caption = line.partition("\t")
            yield number, key.split("#", 1)[0].strip(), caption.strip() or None


def read_split_files(root: Path) -> dict[str, list[str]] | None:
    """The standard split lists, when all three files exist."""
    for text_dir in TEXT_DIRS:
        paths = {split: root / text_dir / name for split, name in SPLIT_FILES.items()}
        if all(path.is_file() for path in paths.values()):
            return {split: [line.strip() for line in path.read_text().splitlines() if line.strip()]
                    for split, path in paths.items()}
    return None


def hash_split(names) -> dict[str, list[str]]:
    """80/10/10 by CRC32 of the file name; valid and test get one image each from 3 images on."""
    ordered = sorted(names, key=lambda name: (zlib.crc32(name.encode()), name))
    held_out = max(1, round(0.1 * len(ordered))) if len(ordered) >= 3 else 0
    return {"test": ordered[:held_out], "valid": ordered[held_out:2 * held_out],
            "train": ordered[2 * held_out:]}


def load_flickr8k(data_dir, image_size: int, skip_bad: bool = False, max_images: int = 0,
                  log=print) -> CaptionData:
    """Flickr8k images (resized to `image_size`) with their tokenised captions.

    Args:
        data_dir: a folder in either layout (module docstring).
        image_size: side of the square images returned.
        skip_bad: skip bad rows and images (printing counts) instead of raising DataError.
        max_images: keep at most this many images per split (0 = all), for quick runs.
        log: where the skipped counts go.
    """
    layout, images_dir, caption_file = find_layout(data_dir)
    if not images_dir.is_dir():
        raise UsageError(f"data_dir={data_dir}: the {layout} layout needs the folder {images_dir}")
    captions, first_line = collections.defaultdict(list), {}
    bad = collections.Counter()

    def reject(kind, message):
        if not skip_bad:
            raise DataError(message)
        bad[kind] += 1

    for number, name, caption in read_caption_rows(layout, caption_file):
        if caption is None or not tokenize_caption(caption):
            reject("rows without a caption", f"{caption_file}: line {number}: row has no caption")
            continue
        if name not in first_line and not (images_dir / name).is_file():
            reject("rows naming a missing image",
                   f"{caption_file}: line {number}: image {name} not found in {images_dir}")
            continue
        first_line.setdefault(name, number)
        captions[name].append(tokenize_caption(caption))
    if not captions:
        raise DataError(f"{caption_file}: no usable captions")

    splits = read_split_files(Path(data_dir)) or hash_split(captions)
    result = {}
    for split in ("train", "valid", "test"):
        names = [name for name in splits[split] if name in captions]
        if max_images:
            names = names[:max_images]
        images, kept = [], []
        for name in names:
            where = f"{caption_file.name} line {first_line[name]}"
            try:
                images.append(load_image_file(images_dir / name, image_size, where))
                kept.append(name)
            except DataError:
                if not skip_bad:
                    raise
                bad["unreadable images"] += 1
        array = np.stack(images) if images else np.zeros((0, image_size, image_size, 3), np.uint8)
        result[split] = CaptionSplit(array, [captions[name] for name in kept], kept)
    if bad:
        counts = ", ".join(f"{count} {kind}" for kind, count in sorted(bad.items()))
        log(f"flickr8k: skipped {counts} (skip_bad=True)")
    if not len(result["train"]):
        raise DataError(f"{caption_file}: no training images left")
    return CaptionData(f"flickr8k ({layout} layout)", result["train"], result["valid"],
                       result["test"], skipped=sum(bad.values()))

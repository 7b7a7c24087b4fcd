"""Tiny Flickr8k folders in both layouts, written by the tests (with optional problems)."""

import numpy as np
from PIL import Image


def _write_images(folder, names, broken=()):
    """Small JPEGs (or broken files for the names in `broken`)."""
    folder.mkdir(parents=True)
    for index, name in enumerate(names):
        if name in broken:
            (folder / name).write_bytes(b"not a jpeg")
        else:
            Image.fromarray(np.full((20, 30, 3), index * 20, np.uint8)).save(folder / name)


NAMES = [f"{i:04d}_a.jpg" for i in range(10)]


def write_kaggle(root, missing=False, empty_row=False, broken=()):
    """A Kaggle-layout folder of 10 images, 2 captions each; problems go on fixed lines."""
    _write_images(root / "Images", NAMES, broken)
    lines = ["image,caption"]
    for name in NAMES:
        lines += [f"{name},A dog runs .", f'{name},"A dog, a ball and grass ."']
    if empty_row:
        lines.insert(4, f"{NAMES[1]},")
    if missing:
        lines.insert(6, "ghost.jpg,A ghost .")
    (root / "captions.txt").write_text("\n".join(lines) + "\n")


def write_original(root, missing=False, split_files=True):
    """An original-layout folder (5 captions per image, split files in Flickr8k_text/)."""
    _write_images(root / "Flicker8k_Dataset", NAMES)
    text = root / "Flickr8k_text"
    text.mkdir()
    lines = [f"{name}#{k}\tA child plays number {k} ." for name in NAMES for k in range(5)]
    if missing:
        lines.insert(2, "gone.jpg#0\tNobody .")
    (text / "Flickr8k.token.txt").write_text("\n".join(lines) + "\n")
    if split_files:
        for file, names in (
            ("trainImages", NAMES[:6]),
            ("devImages", NAMES[6:8]),
            ("testImages", NAMES[8:]),
        ):
            (text / f"Flickr_8k.{file}.txt").write_text("\n".join(names) + "\n")

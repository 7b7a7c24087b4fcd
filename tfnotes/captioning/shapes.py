"""`data=shapes`: scenes drawn with Pillow, captioned from their scene graph.

A scene holds one to three shapes (circle, square, triangle), each with a
colour, a size (small/large) and a cell of a 3x3 grid (jittered by a pixel or two).
Captions name every shape and, between shapes, their spatial relation, so colour,
shape, size, count and position all have to be read from the image:

    a small red circle above a large blue square
    a large blue square below a small red circle
    three shapes : a small red circle , a large blue square and a small green triangle

Shapes are listed in reading order (top row first, then left to right); "above"
means a higher grid row and "left of" the same row, further left. Each image gets
five captions in five phrasings. Splits come from one seeded stream of scenes
(train first, then valid, then test), so the same seed gives the same splits.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from tfnotes.captioning.dataset import CaptionData, CaptionSplit

COLOURS = {"red": (220, 40, 40), "green": (40, 170, 60), "blue": (50, 80, 230),
           "yellow": (235, 200, 30)}
SHAPES = ("circle", "square", "triangle")
SIZES = ("small", "large")
GRID = 3
REGIONS = (("at the top left", "at the top", "at the top right"),
           ("on the left", "in the centre", "on the right"),
           ("at the bottom left", "at the bottom", "at the bottom right"))
COUNT_WORDS = {1: "one", 2: "two", 3: "three"}
INVERSE = {"above": "below", "left of": "right of"}


@dataclasses.dataclass(frozen=True)
class Thing:
    """One shape of a scene: attributes and grid cell (row, column)."""

    colour: str
    shape: str
    size: str
    row: int
    column: int

    def words(self) -> str:
        """``"small red circle"``."""
        return f"{self.size} {self.colour} {self.shape}"


@dataclasses.dataclass(frozen=True)
class Scene:
    """The shapes of one image in reading order, with per-shape pixel jitter."""

    things: tuple[Thing, ...]
    jitter: tuple[tuple[int, int], ...]


def relation(first: Thing, second: Thing) -> str:
    """Where `first` is relative to `second`: above / below / left of / right of."""
    if first.row != second.row:
        return "above" if first.row < second.row else "below"
    return "left of" if first.column < second.column else "right of"


def sample_scene(rng: np.random.Generator, count: int | None = None) -> Scene:
    """A random scene with `count` (default 1-3, uniform) shapes in distinct grid cells."""
    count = count or int(rng.integers(1, 4))
    cells = sorted(rng.choice(GRID * GRID, size=count, replace=False).tolist())
    things = tuple(
        Thing(colour=str(rng.choice(list(COLOURS))), shape=str(rng.choice(SHAPES)),
              size=str(rng.choice(SIZES)), row=cell // GRID, column=cell % GRID)
        for cell in cells  # sorted cells = reading order
    )
    jitter = tuple((int(rng.integers(-2, 3)), int(rng.integers(-2, 3))) for _ in things)
    return Scene(things, jitter)


def scene_captions(scene: Scene) -> list[str]:
    """Five captions of the scene in five phrasings (see the module docstring)."""
    things = scene.things
    a = [f"a {thing.words()}" for thing in things]
    if len(things) == 1:
        region = REGIONS[things[0].row][things[0].column]
        return [a[0], f"there is one {things[0].words()}", f"{a[0]} {region}",
                f"one shape : {a[0]}", f"a picture of {a[0]} {region}"]
    rel = [relation(things[i], things[i + 1]) for i in range(len(things) - 1)]
    inv = [INVERSE[r] for r in rel]
    count = COUNT_WORDS[len(things)]
    if len(things) == 2:
        return [f"{a[0]} {rel[0]} {a[1]}", f"{a[1]} {inv[0]} {a[0]}",
                f"there is {a[0]} {rel[0]} {a[1]}", f"two shapes : {a[0]} and {a[1]}",
                f"{a[0]} is {rel[0]} {a[1]}"]
    return [f"{a[0]} {rel[0]} {a[1]} {rel[1]} {a[2]}",
            f"{a[2]} {inv[1]} {a[1]} {inv[0]} {a[0]}",
            f"{count} shapes : {a[0]} , {a[1]} and {a[2]}",
            f"{a[0]} and {a[1]} {rel[1]} {a[2]}",
            f"there are {count} shapes {a[0]} {rel[0]} {a[1]} {rel[1]} {a[2]}"]


def draw_scene(scene: Scene, size: int = 64) -> np.ndarray:
    """uint8 ``[size, size, 3]``: the scene on a light grey background."""
    from PIL import Image, ImageDraw

    scale = 4  # draw large, then downsample: anti-aliased edges
    canvas = size * scale
    image = Image.new("RGB", (canvas, canvas), (235, 235, 235))
    draw = ImageDraw.Draw(image)
    cell = canvas / GRID
    for thing, (dx, dy) in zip(scene.things, scene.jitter):
        cx = (thing.column + 0.5) * cell + dx * scale * size / 64
        cy = (thing.row + 0.5) * cell + dy * scale * size / 64
        radius = cell * (0.40 if thing.size == "large" else 0.22)
        colour = COLOURS[thing.colour]
        box = (cx - radius, cy - radius, cx + radius, cy + radius)
        if thing.shape == "circle":
            draw.ellipse(box, fill=colour)
        elif thing.shape == "square":
            inset = radius * 0.12
            draw.rectangle((box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset),
                           fill=colour)
        else:  # triangle
            draw.polygon([(cx, cy - radius), (cx + radius, cy + radius * 0.8),
                          (cx - radius, cy + radius * 0.8)], fill=colour)
    return np.asarray(image.resize((size, size), Image.LANCZOS), dtype=np.uint8)


def make_split(scenes: list[Scene], size: int, prefix: str) -> CaptionSplit:
    """Draws and captions scenes; groups ``one_shape`` / ``two_shapes`` / ``three_shapes``."""
    images = np.stack([draw_scene(scene, size) for scene in scenes]) if scenes else \
        np.zeros((0, size, size, 3), np.uint8)
    captions = [[caption.split() for caption in scene_captions(scene)] for scene in scenes]
    groups = {f"{COUNT_WORDS[n]}_shape{'s' if n > 1 else ''}":
              [i for i, scene in enumerate(scenes) if len(scene.things) == n] for n in (1, 2, 3)}
    names = [f"{prefix}-{index:05d}" for index in range(len(scenes))]
    return CaptionSplit(images, captions, names, groups)


def load_shapes(train_size: int, eval_size: int, image_size: int = 64,
                seed: int = 0) -> CaptionData:
    """Train / valid / test shape scenes: `train_size` and `eval_size` images (each eval split)."""
    rng = np.random.default_rng(seed)
    scenes = [sample_scene(rng) for _ in range(train_size + 2 * eval_size)]
    train, valid, test = (scenes[:train_size], scenes[train_size:train_size + eval_size],
                          scenes[train_size + eval_size:])
    return CaptionData("shapes", make_split(train, image_size, "train"),
                       make_split(valid, image_size, "valid"), make_split(test, image_size, "test"))

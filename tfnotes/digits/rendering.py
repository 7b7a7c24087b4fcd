"""Digits the project draws itself, so the generative experiments run offline.

Each digit is a glyph of Pillow's built-in font (the scalable FreeType font that
`ImageFont.load_default(size=...)` returns when Pillow has FreeType, else the
bitmap default font scaled up: no system fonts are assumed), thickened by a
random amount and put through a random affine map (rotation, scale, aspect,
slant, shift). ``fonts="matplotlib"`` draws each digit in one of 20 more fonts
too, the DejaVu, STIX and Computer Modern faces that matplotlib (a dependency)
ships, for a broader domain of printed digits. Like MNIST the result is a white
digit on black, fitted to a 20x20 box and centred by its centre of mass in a 28x28
image.
"""

import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

GLYPH_FONT_SIZE = 64
# Odd MaxFilter sizes: 1 keeps the font's stroke, 3 and 5 thicken it. Thicker
# pens close the gaps in the font's 5, 6 and 9, which then read as 8s.
STROKE_FILTER_SIZES = (1, 3, 5)
# The affine map writes at twice the final resolution; a 2x2 box reduction then
# anti-aliases the edges the way MNIST's own downsampling did.
SUPERSAMPLE = 2
# MNIST fits each digit to a 20x20 box inside the 28x28 image.
BOX_FRACTION = 20 / 28


# The faces of matplotlib's own fonts used by ``fonts="matplotlib"`` (mpl-data/fonts/ttf).
MATPLOTLIB_FONTS = (
    "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique",
    "DejaVuSansMono", "DejaVuSansMono-Bold", "DejaVuSansMono-Oblique", "DejaVuSerif",
    "DejaVuSerif-Bold", "DejaVuSerif-Italic", "DejaVuSerif-BoldItalic", "STIXGeneral",
    "STIXGeneralBol", "STIXGeneralItalic", "STIXGeneralBolIta", "cmr10", "cmb10", "cmss10",
    "cmtt10", "cmti10",
)
FONT_SETS = ("pillow", "matplotlib")


def render_synthetic_digits(count: int, seed: int = 0, size: int = 28, fonts: str = "pillow"):
    """Render `count` labelled digits: `(images uint8 [N, size, size], labels uint8 [N])`.

    Labels come in shuffled blocks of ten (each block holds every digit once),
    so the classes are balanced and any prefix of a multiple of ten is too.
    The same `seed` always gives the same images. `fonts`: ``pillow`` (Pillow's
    default font alone) or ``matplotlib`` (that font and `MATPLOTLIB_FONTS`).
    """
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    if fonts not in FONT_SETS:
        raise ValueError(f"fonts={fonts!r}; choose one of {FONT_SETS}")
    rng = np.random.default_rng(seed)
    glyphs = _glyphs(fonts)
    blocks = -(-count // 10)
    permutations = [rng.permutation(10) for _ in range(blocks)]
    labels = np.concatenate(permutations)[:count] if permutations else np.zeros(0, np.int64)
    images = np.empty((count, size, size), dtype=np.uint8)
    for index, label in enumerate(labels):
        # One draw among the digit's variants (with Pillow's font alone: its strokes).
        glyph = glyphs[int(label)][rng.integers(len(glyphs[int(label)]))]
        images[index] = _place(glyph, rng, size)
    return images, labels.astype(np.uint8)


def _font():
    try:
        font = ImageFont.load_default(size=GLYPH_FONT_SIZE)
    except TypeError:  # Pillow < 10.1 has no size argument
        font = ImageFont.load_default()
    return font


def _fonts(fonts: str) -> list:
    """Pillow's default font, then (``matplotlib``) the faces of `MATPLOTLIB_FONTS`."""
    chosen = [_font()]
    if fonts == "matplotlib":
        import matplotlib

        directory = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        chosen += [ImageFont.truetype(str(directory / f"{name}.ttf"), GLYPH_FONT_SIZE)
                   for name in MATPLOTLIB_FONTS]
    return chosen


def _glyphs(fonts: str = "pillow"):
    """Per digit, one glyph per font and stroke thickness, with its centre of mass."""
    glyphs = [[] for _ in range(10)]
    for font in _fonts(fonts):
        for digit, variants in enumerate(_font_glyphs(font)):
            glyphs[digit] += variants
    return glyphs


def _font_glyphs(font):
    """Per digit, one grayscale glyph of `font` per stroke thickness, with its centre of mass."""
    scalable = isinstance(font, ImageFont.FreeTypeFont)
    glyphs = []
    for digit in range(10):
        text = str(digit)
        left, top, right, bottom = font.getbbox(text)
        pad = 8
        canvas = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
        ImageDraw.Draw(canvas).text((pad - left, pad - top), text, fill=255, font=font)
        if not scalable:
            # The bitmap font is ~11 px tall: blow it up smoothly so thickening
            # and the affine map work at the same scale as the FreeType path.
            factor = max(1, GLYPH_FONT_SIZE // max(canvas.height, 1))
            canvas = canvas.resize((canvas.width * factor, canvas.height * factor), Image.BILINEAR)
            canvas = canvas.filter(ImageFilter.GaussianBlur(factor / 3))
        variants = []
        for filter_size in STROKE_FILTER_SIZES:
            image = canvas.filter(ImageFilter.MaxFilter(filter_size)) if filter_size > 1 else canvas
            image = image.crop(image.getbbox())
            pixels = np.asarray(image, dtype=np.float64)
            rows, cols = np.indices(pixels.shape)
            mass = pixels.sum()
            centre = ((cols * pixels).sum() / mass, (rows * pixels).sum() / mass)
            variants.append((image, centre))
        glyphs.append(variants)
    return glyphs


def _place(glyph, rng, size):
    """One jittered copy of a glyph, centred by mass in a `size` x `size` image."""
    image, (centre_x, centre_y) = glyph
    fit = SUPERSAMPLE * BOX_FRACTION * size / max(image.size)
    scale = fit * rng.uniform(0.8, 1.05)
    aspect = rng.uniform(0.8, 1.15)
    angle = math.radians(rng.uniform(-15.0, 15.0))
    slant = rng.uniform(-0.3, 0.2)
    shift_x, shift_y = rng.uniform(-1.0, 1.0, size=2) * SUPERSAMPLE
    # Forward map glyph -> output: rotation @ slant @ diag(scale*aspect, scale).
    cos, sin = math.cos(angle), math.sin(angle)
    forward = np.array([[cos, -sin], [sin, cos]]) @ np.array([[1.0, slant], [0.0, 1.0]])
    forward = forward @ np.diag([scale * aspect, scale])
    inverse = np.linalg.inv(forward)
    out_size = size * SUPERSAMPLE
    out_centre = np.array([out_size / 2 + shift_x, out_size / 2 + shift_y])
    # PIL's AFFINE data maps each output pixel back to an input pixel.
    offset = np.array([centre_x, centre_y]) - inverse @ out_centre
    data = (inverse[0, 0], inverse[0, 1], offset[0], inverse[1, 0], inverse[1, 1], offset[1])
    warped = image.transform(
        (out_size, out_size), Image.AFFINE, data, resample=Image.BILINEAR, fillcolor=0
    )
    return np.asarray(warped.reduce(SUPERSAMPLE), dtype=np.uint8)

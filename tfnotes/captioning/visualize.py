"""Pictures of captions: an image with its generated and reference captions, attention maps
per generated word, and the per-epoch TensorBoard callback that writes both."""

from __future__ import annotations

import textwrap

import keras
import numpy as np

from tfnotes.captioning.text import ids_to_words

PANEL = 128  # pixels per image panel


def _font(size=12):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType sizes
        return ImageFont.load_default()


def _enlarge(image, side=PANEL):
    from PIL import Image

    return Image.fromarray(np.asarray(image, np.uint8)).resize((side, side), Image.NEAREST)


def caption_panel(image, generated: str, references: list[str]) -> np.ndarray:
    """uint8 HxWx3: the image with the generated caption (blue) and references (black) below."""
    from PIL import Image, ImageDraw

    width = 420
    lines = [("generated: " + generated, (20, 60, 200))]
    for reference in references:
        lines += [(line, (0, 0, 0)) for line in textwrap.wrap("- " + reference, 64)]
    canvas = Image.new("RGB", (width, PANEL + 8 + 15 * len(lines)), "white")
    canvas.paste(_enlarge(image), (0, 0))
    draw = ImageDraw.Draw(canvas)
    for row, (text, colour) in enumerate(lines):
        draw.text((4, PANEL + 4 + 15 * row), text, fill=colour, font=_font())
    return np.asarray(canvas)


def attention_strip(image, words: list[str], attention, grid: tuple[int, int],
                    columns: int = 6) -> np.ndarray:
    """uint8: one panel per generated word (and ``<end>``), the image under its attention map.

    `attention` is ``[steps, h*w]``; each map is upsampled to the image (bilinear),
    scaled to its own maximum and shown as brightness over a dimmed copy of the image.
    """
    from PIL import Image, ImageDraw

    labels = list(words) + ["<end>"]
    base = np.asarray(_enlarge(image), np.float32)
    panels = []
    for step, label in enumerate(labels[:len(attention)]):
        weights = np.asarray(attention[step], np.float32).reshape(grid)
        heat = Image.fromarray((weights / max(weights.max(), 1e-8) * 255).astype(np.uint8))
        heat = np.asarray(heat.resize((PANEL, PANEL), Image.BILINEAR), np.float32)[..., None] / 255
        shown = base * (0.25 + 0.75 * heat) + np.array([255, 80, 0]) * 0.35 * heat
        panel = Image.new("RGB", (PANEL, PANEL + 18), "white")
        panel.paste(Image.fromarray(np.clip(shown, 0, 255).astype(np.uint8)), (0, 18))
        ImageDraw.Draw(panel).text((3, 2), label, fill=(0, 0, 0), font=_font(13))
        panels.append(np.asarray(panel))
    rows = []
    for begin in range(0, len(panels), columns):
        row = panels[begin:begin + columns]
        row += [np.full_like(panels[0], 255)] * (columns - len(row))
        rows.append(np.concatenate(row, axis=1))
    return np.concatenate(rows, axis=0)


def feature_grid(encoder) -> tuple[int, int]:
    """``(h, w)`` of the encoder's output grid."""
    shape = encoder.output_shape
    return int(shape[1]), int(shape[2])


class CaptionSamples(keras.callbacks.Callback):
    """Each epoch: caption a few test images greedily and write them to TensorBoard.

    Under ``RUN_DIR/test_samples``: a Markdown table (generated vs. reference
    captions), one image per example with its captions and, for an attending
    decoder, one strip of attention maps per example (a panel per generated word).

    Args:
        split: the `CaptionSplit` to show (the test split).
        vocabulary: the caption vocabulary.
        run_dir: the `RunDirectory`.
        generator: a `CaptionGenerator` over the model being trained.
        count: how many images.
    """

    def __init__(self, split, vocabulary, run_dir, generator, count=4):
        super().__init__()
        self.images = split.images[:count]
        self.references = [[" ".join(c) for c in caps] for caps in split.captions[:count]]
        self.vocabulary, self.run_dir, self.generator = vocabulary, run_dir, generator
        self.writer = None

    def on_epoch_end(self, epoch, logs=None):
        import tensorflow as tf

        if not len(self.images):
            return
        generator = self.generator
        encoder, decoder = generator.encoder, generator.decoder
        ids, attention = generator.greedy(self.images)
        captions = [ids_to_words(row, self.vocabulary) for row in ids]
        if self.writer is None:
            self.writer = tf.summary.create_file_writer(str(self.run_dir.path / "test_samples"))
        rows = ["| # | generated | references |", "|---|---|---|"]
        with self.writer.as_default():
            for index, (image, words) in enumerate(zip(self.images, captions)):
                refs = self.references[index]
                rows.append(f"| {index} | {' '.join(words)} | {'<br>'.join(refs)} |")
                panel = caption_panel(image, " ".join(words), refs)
                tf.summary.image(f"captions/{index}", panel[None], step=epoch)
                if decoder.attends:
                    steps = min(len(words) + 1, generator.max_len)
                    strip = attention_strip(image, words, attention[index, :steps],
                                            feature_grid(encoder))
                    tf.summary.image(f"attention/{index}", strip[None], step=epoch)
            tf.summary.text("test_captions", "\n".join(rows), step=epoch)
        self.writer.flush()

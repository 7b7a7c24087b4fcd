"""Scoring a split's generated captions, and the timings the captioning figures report."""

from __future__ import annotations

import statistics
import time

import numpy as np

from tfnotes.captioning.bleu_cider import caption_scores
from tfnotes.captioning.text import ids_to_words


def generated_captions(generator, split, vocabulary, beam_size=1, batch_size=50) -> list[str]:
    """One generated caption (space-separated words) per image of `split`."""
    ids = generator.generate(split.images, beam_size=beam_size, batch_size=batch_size)
    return [" ".join(ids_to_words(row, vocabulary)) for row in ids]


def score_captions(split, hypotheses, prefix="") -> dict:
    """BLEU-1..4 and CIDEr of `hypotheses` against the split's references, plus one BLEU-4
    per named group (``bleu4_three_shapes``...). Keys get `prefix`."""
    references = [[" ".join(caption) for caption in captions] for captions in split.captions]
    scores = caption_scores(references, hypotheses)
    for group, indices in split.groups.items():
        if indices:
            subset = caption_scores([references[i] for i in indices],
                                    [hypotheses[i] for i in indices])
            scores[f"bleu4_{group}"] = subset["bleu4"]
    return {prefix + name: value for name, value in scores.items()}


def caption_seconds(generator, images, beam_size=1, repeats=10) -> float:
    """Median seconds to caption one image (batch of 1), after one untimed compile call."""
    images = np.asarray(images[:max(1, min(repeats, len(images)))], np.float32)
    generator.generate(images[:1], beam_size=beam_size, batch_size=1)
    times = []
    for image in images:
        start = time.perf_counter()
        generator.generate(image[None], beam_size=beam_size, batch_size=1)
        times.append(time.perf_counter() - start)
    return statistics.median(times)

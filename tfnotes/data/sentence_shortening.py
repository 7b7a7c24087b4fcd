"""Training augmentation: copies of tagged sentences with their final slot chunks cut off.

"i d like to watch glass chin at the movie house at 17:32:30" asks for a screening;
so do "i d like to watch glass chin at the movie house" and "i d like to watch glass
chin". A cut removes the slot chunk that ends the sentence together with the O words
just before it ("at", "at the"), and only when another chunk comes earlier, so each
copy keeps its intent and well-formed BIO tags. On SNIPS most screening requests in
training carry a cinema or a time after the title, and a bare "see TITLE" reads as a
creative-work search; the copies show the bare form with its intent.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from tfnotes.data.slot_utterances import Utterance


def final_chunk_cut(tags: Sequence[str]) -> int | None:
    """Where a cut starts: the O words before the chunk that ends the sentence, then the chunk.

    None when the sentence ends with an O word, or its final chunk is its only one.
    """
    end = len(tags) - 1
    if end < 0 or tags[end] == "O":
        return None
    start = end
    kind = tags[end][2:]
    while tags[start].startswith("I-") and start > 0 and tags[start - 1] in (f"B-{kind}", f"I-{kind}"):
        start -= 1
    while start > 0 and tags[start - 1] == "O":
        start -= 1
    return start if start > 0 else None


def cut_points(tags: Sequence[str]) -> list[int]:
    """Every length the sentence can be cut to, one per chunk cut off, longest first."""
    points = []
    cut = final_chunk_cut(tags)
    while cut is not None:
        points.append(cut)
        cut = final_chunk_cut(tags[:cut])
    return points


def shortened_copies(utterances: Sequence[Utterance], rate: float, seed: int) -> list[Utterance]:
    """Copies of about `rate` of the cuttable `utterances`, each cut by 1 to all of its final chunks.

    The sentences and the number of chunks cut are drawn with `seed`; a copy
    keeps the utterance's intent.
    """
    rng = np.random.default_rng(seed)
    copies = []
    for utterance in utterances:
        points = cut_points(utterance.tags)
        if not points or rng.random() >= rate:
            continue
        length = points[rng.integers(len(points))]
        copies.append(Utterance(utterance.tokens[:length], utterance.tags[:length], utterance.intent))
    return copies

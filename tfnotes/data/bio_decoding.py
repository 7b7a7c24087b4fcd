"""BIO-constrained Viterbi decoding of per-token tag scores.

A tagger that picks each token's best tag alone can emit ``O I-city``, which
conlleval then counts as a chunk of its own. Decoding the whole sentence at once,
with the only-legal-transitions rule of BIO (``I-x`` only after ``B-x`` or
``I-x``), returns the best tag sequence that is well formed.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def bio_transition_mask(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Allowed transitions `[previous, next]` and allowed first tags for a tag list.

    Labels that are not tags (e.g. a ``<pad>`` entry) are never allowed.
    """
    labels = list(labels)
    is_tag = np.array([label == "O" or label[:2] in ("B-", "I-") for label in labels])
    is_inside = np.array([label.startswith("I-") for label in labels])
    slot_type = [label[2:] if label[:2] in ("B-", "I-") else None for label in labels]
    allowed = is_tag[:, None] & is_tag[None, :]
    for following, inside in enumerate(is_inside):
        if inside:
            allowed[:, following] &= np.array([kind == slot_type[following] for kind in slot_type])
    start = is_tag & ~is_inside
    return allowed, start


def viterbi_bio_decode(
    log_probs: np.ndarray,
    length: int,
    labels: Sequence[str],
    transitions: np.ndarray | None = None,
    start_scores: np.ndarray | None = None,
    end_scores: np.ndarray | None = None,
) -> list[int]:
    """The best-scoring well-formed BIO tag ids for one sentence.

    Args:
        log_probs: `[time, num_labels]` log-probabilities (or any additive scores).
        length: the number of real tokens; later rows are ignored.
        labels: the tag of each id, as in the tag vocabulary.
        transitions, start_scores, end_scores: a CRF's learned scores for tag
            pairs `[previous, next]`, first tags and last tags, added to the path
            score (see `tfnotes.layers.CRFScores`); none by default.
    """
    if length == 0:
        return []
    allowed, start = bio_transition_mask(labels)
    forbidden = np.where(allowed, 0.0, -np.inf)
    if transitions is not None:
        forbidden = forbidden + transitions
    scores = np.where(start, log_probs[0], -np.inf)
    if start_scores is not None:
        scores = scores + start_scores
    backpointers = []
    for step in range(1, length):
        candidates = scores[:, None] + forbidden  # [previous, next]
        best_previous = np.argmax(candidates, axis=0)
        scores = candidates[best_previous, np.arange(len(labels))] + log_probs[step]
        backpointers.append(best_previous)
    if end_scores is not None:
        scores = scores + end_scores
    path = [int(np.argmax(scores))]
    for best_previous in reversed(backpointers):
        path.append(int(best_previous[path[-1]]))
    return path[::-1]

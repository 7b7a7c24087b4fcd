"""BIO-constrained Viterbi decoding of per-token tag scores.

A tagger that picks each token's best tag alone can emit ``O I-city``, which
conlleval then counts as a chunk of its own. Decoding the whole sentence at once,
with the only-legal-transitions rule of BIO (``I-x`` only after ``B-x`` or
``I-x``), returns the best tag sequence that is well formed.

`joint_intent_bio_decode` goes one step further for a joint slot + intent model:
it picks the intent and the tag path together, among the pairs whose slot types
were seen with that intent in training (`tags_allowed_by_intent`), so a sentence
is never an ``AddToPlaylist`` request with a ``movie_name`` in it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Sequence

import numpy as np


def bio_transition_mask(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Allowed transitions `[previous, next]` and allowed first tags for a tag list.

    Labels that are not tags (e.g. a ``<pad>`` entry) are never allowed.
    """
    allowed, start = _bio_transition_mask(tuple(labels))
    return allowed.copy(), start.copy()


@functools.lru_cache(maxsize=16)
def _bio_transition_mask(labels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    # Cached: a joint decode runs one Viterbi per intent for every sentence.
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
            score (see `tfnotes.slots.crf.CRFScores`); none by default.
    """
    return best_bio_paths(log_probs, length, labels, transitions, start_scores, end_scores)[0][0]


def best_bio_paths(
    log_probs: np.ndarray,
    length: int,
    labels: Sequence[str],
    transitions: np.ndarray | None = None,
    start_scores: np.ndarray | None = None,
    end_scores: np.ndarray | None = None,
    allowed_tags: np.ndarray | None = None,
) -> tuple[list[list[int]], np.ndarray]:
    """The best well-formed BIO path under each of K tag restrictions, and its score.

    `allowed_tags` (`[K, num_labels]` booleans; default one row allowing every tag)
    restricts the k-th path to the tags of row k. Returns K paths of tag ids and
    their `[K]` scores (per-token scores plus the learned CRF scores along the
    path); one Viterbi pass runs all K together. See `viterbi_bio_decode`.
    """
    if allowed_tags is None:
        allowed_tags = np.ones((1, len(labels)), dtype=bool)
    count = len(allowed_tags)
    if length == 0:
        return [[] for _ in range(count)], np.zeros(count)
    allowed, start = _bio_transition_mask(tuple(labels))
    log_probs = np.where(
        allowed_tags[:, None, :], log_probs[None, :length], -np.inf
    )  # [K, time, labels]
    forbidden = np.where(allowed, 0.0, -np.inf)
    if transitions is not None:
        forbidden = forbidden + transitions
    scores = np.where(start, log_probs[:, 0], -np.inf)
    if start_scores is not None:
        scores = scores + start_scores
    backpointers = []
    for step in range(1, length):
        candidates = scores[:, :, None] + forbidden  # [K, previous, next]
        best_previous = np.argmax(candidates, axis=1)
        scores = (
            np.take_along_axis(candidates, best_previous[:, None, :], axis=1)[:, 0]
            + log_probs[:, step]
        )
        backpointers.append(best_previous)
    if end_scores is not None:
        scores = scores + end_scores
    last = np.argmax(scores, axis=-1)
    best_scores = scores[np.arange(count), last]
    paths = [last]
    for best_previous in reversed(backpointers):
        paths.append(best_previous[np.arange(count), paths[-1]])
    return np.stack(paths[::-1], axis=1).tolist(), best_scores


def slot_types_by_intent(examples: Iterable[tuple[str, Sequence[str]]]) -> dict[str, list[str]]:
    """The slot types seen with each intent, from ``(intent, tags)`` pairs of the training split."""
    seen: dict[str, set[str]] = {}
    for intent, tags in examples:
        kinds = seen.setdefault(intent, set())
        kinds.update(tag[2:] for tag in tags if tag[:2] in ("B-", "I-"))
    return {intent: sorted(kinds) for intent, kinds in sorted(seen.items())}


def tags_allowed_by_intent(
    slot_types: Mapping[str, Sequence[str]], tag_labels: Sequence[str], intent_labels: Sequence[str]
) -> np.ndarray:
    """`[num_intents, num_tags]` booleans: ``O`` and the B-/I- tags of the intent's slot types.

    Intents missing from `slot_types` (such as a reserved "unseen" id) get an
    all-False row, and `joint_intent_bio_decode` never chooses them.
    """
    allowed = np.zeros((len(intent_labels), len(tag_labels)), dtype=bool)
    for row, intent in enumerate(intent_labels):
        if intent not in slot_types:
            continue
        kinds = set(slot_types[intent])
        allowed[row] = [
            tag == "O" or (tag[:2] in ("B-", "I-") and tag[2:] in kinds) for tag in tag_labels
        ]
    return allowed


def joint_intent_bio_decode(
    tag_scores: np.ndarray,
    intent_log_probs: np.ndarray,
    length: int,
    labels: Sequence[str],
    allowed_by_intent: np.ndarray,
    transitions: np.ndarray | None = None,
    start_scores: np.ndarray | None = None,
    end_scores: np.ndarray | None = None,
) -> tuple[int, list[int]]:
    """`(intent id, tag ids)` maximising ``log p(intent) + path score`` over compatible pairs.

    For each intent with a non-empty row in `allowed_by_intent` the best BIO path
    using only its tags is found; the pair with the highest sum wins. With a CRF
    the path score is the log-probability of the path up to the sentence's log
    partition function, which is the same for every intent, so this is the most
    probable compatible (intent, tags) pair when intent and tags are otherwise
    taken as independent given the sentence.
    """
    candidates = [
        intent
        for intent in np.flatnonzero(allowed_by_intent.any(axis=1))
        if np.isfinite(intent_log_probs[intent])
    ]
    if not candidates:
        raise ValueError("no intent has both a finite score and an allowed tag")
    paths, scores = best_bio_paths(
        tag_scores,
        length,
        labels,
        transitions,
        start_scores,
        end_scores,
        allowed_by_intent[candidates],
    )
    totals = intent_log_probs[candidates] + scores
    best = int(np.argmax(totals))
    return int(candidates[best]), paths[best]

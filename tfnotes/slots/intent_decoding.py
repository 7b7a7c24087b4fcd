"""From a joint slot + intent model's raw outputs to tag strings and an intent per sentence.

A joint tagger outputs per-token slot scores (softmax logits, or a CRF's packed
scores, see `tfnotes.slots.crf.CRFScores`) and sentence intent logits. `SlotIntentDecoder`
turns them into tags and intents in one of three ways:

* ``argmax``: the best tag of each token on its own, the best intent.
* ``viterbi``: the best well-formed BIO path (with the CRF's learned transition
  scores when there are any), the best intent.
* ``joint``: the best (intent, BIO path) pair among those whose slot types were seen
  with the intent in training (`joint_intent_bio_decode`).

An ensemble of taggers trained side by side outputs ``slots_0``, ``intent_0``,
``slots_1``, ...; `average_ensemble_outputs` merges them into one ``slots`` /
``intent`` pair first (mean slot scores, mean intent log-probabilities).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from tfnotes.slots.bio_decoding import (
    joint_intent_bio_decode,
    tags_allowed_by_intent,
    viterbi_bio_decode,
)
from tfnotes.slots.crf import split_crf_scores

DECODE_MODES = ("viterbi", "argmax", "joint")


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Log-probabilities along the last axis (``-inf`` logits stay ``-inf``)."""
    return logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)


def average_ensemble_outputs(
    outputs: Mapping[str, np.ndarray], members: int
) -> dict[str, np.ndarray]:
    """One ``slots`` / ``intent`` pair from the ``slots_K`` / ``intent_K`` outputs of `members`.

    Slot scores (CRF scores included: emissions and transitions alike) are averaged,
    a product of experts that the same decoder reads; intents average log-probabilities.
    A single tagger's outputs are returned as they are.
    """
    if members == 1:
        return dict(outputs)
    slots = np.mean([outputs[f"slots_{index}"] for index in range(members)], axis=0)
    intent = np.mean([log_softmax(outputs[f"intent_{index}"]) for index in range(members)], axis=0)
    return {"slots": slots, "intent": intent}


class SlotIntentDecoder:
    """Decodes ``{"slots": [N, T, tags] (or CRF-packed), "intent": [N, intents]}`` arrays.

    Args:
        tag_labels: the tag of each tag id (id 0 is padding, never emitted).
        intent_labels: the intent of each intent id (id 0 is "unseen in training",
            never emitted).
        crf: whether ``slots`` holds `CRFScores` output.
        mode: one of `DECODE_MODES`.
        slot_types: intent -> slot types seen with it in training
            (`tfnotes.slots.bio_decoding.slot_types_by_intent`); needed by ``joint``.
    """

    def __init__(
        self,
        tag_labels: Sequence[str],
        intent_labels: Sequence[str],
        *,
        crf: bool,
        mode: str = "viterbi",
        slot_types: Mapping[str, Sequence[str]] | None = None,
    ):
        if mode not in DECODE_MODES:
            raise ValueError(f"decode mode must be one of {', '.join(DECODE_MODES)}, got {mode!r}")
        if crf and mode == "argmax":
            raise ValueError("a CRF's scores are decoded as whole paths; argmax does not apply")
        if mode == "joint" and slot_types is None:
            raise ValueError(
                "joint decoding needs the slot types seen with each intent in training"
            )
        self.tag_labels = list(tag_labels)
        self.intent_labels = list(intent_labels)
        self.crf = crf
        self.mode = mode
        self.allowed_by_intent = (
            tags_allowed_by_intent(slot_types, self.tag_labels, self.intent_labels)
            if mode == "joint"
            else None
        )

    def decode(
        self, outputs: Mapping[str, np.ndarray], lengths: Sequence[int]
    ) -> tuple[list[list[int]], list[int]]:
        """``(tag ids cut to each length, intent id)`` for every sentence."""
        lengths = [int(length) for length in lengths]
        intent_log_probs = np.array(outputs["intent"], dtype=np.float64)
        intent_log_probs[:, 0] = -np.inf
        intent_log_probs = log_softmax(intent_log_probs)
        learned: tuple = (None, None, None)
        if self.crf:
            emissions, *learned = split_crf_scores(outputs["slots"])
        tag_scores = np.array(emissions if self.crf else outputs["slots"], dtype=np.float64)
        tag_scores[..., 0] = -np.inf  # id 0 is padding, never a tag
        if not self.crf:
            tag_scores = log_softmax(tag_scores)
        if self.mode != "joint":
            if self.mode == "argmax":
                tag_ids = [
                    list(np.argmax(row[:length], axis=-1))
                    for row, length in zip(tag_scores, lengths)
                ]
            else:
                tag_ids = [
                    viterbi_bio_decode(row, length, self.tag_labels, *learned)
                    for row, length in zip(tag_scores, lengths)
                ]
            return tag_ids, list(np.argmax(intent_log_probs, axis=-1))
        pairs = [
            joint_intent_bio_decode(
                row, intents, length, self.tag_labels, self.allowed_by_intent, *learned
            )
            for row, intents, length in zip(tag_scores, intent_log_probs, lengths)
        ]
        return [path for _, path in pairs], [intent for intent, _ in pairs]

"""Slot-filling scores: conlleval chunk F1, intent accuracy, sentence accuracy.

Chunk scores come from the maintained ``seqeval`` library in its default mode
(``mode=None``), which its authors made compatible with ``conlleval.pl``, the
CoNLL-2000 script every slot-filling paper reports:

* a chunk is (type, first token, last token); a predicted chunk is correct only
  if all three match a gold chunk (partial overlap counts as wrong);
* ``B-x`` always starts a chunk, so ``B-x B-x`` is two chunks;
* ``I-x`` after ``O`` or after a chunk of another type starts a new chunk;
* sentences are joined with an ``O`` between them, so no chunk spans two;
* precision = correct / predicted, recall = correct / gold,
  F1 = 2PR / (P + R); each is 0 when its denominator is 0 (conlleval prints 0.00).

seqeval and conlleval differ only outside BIO: for IOBES input seqeval ends a
chunk after every ``E-``/``S-`` tag while conlleval knows no ``S-`` and keeps a
chunk open across ``E-x B-x``; they also differ for the bracket tags ``[``/``]``.
`chunk_scores` therefore accepts BIO tags only (`validate_bio`), where the two
agree token for token (the tests check them against a port of conlleval's
counting loop on random sequences). seqeval is imported on first use, keeping
``import tfnotes.slots.conlleval`` light.
"""

from __future__ import annotations

from collections.abc import Sequence

from tfnotes.errors import DataError
from tfnotes.slots.utterances import validate_bio


def chunk_scores(gold: Sequence[Sequence[str]],
                 predicted: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro-averaged chunk precision, recall and F1 over all sentences, as conlleval.

    Args:
        gold: one list of BIO tags per sentence.
        predicted: the same shape as ``gold``.

    Returns:
        ``{"precision": p, "recall": r, "f1": f}``, fractions in [0, 1].

    Raises:
        DataError: the two differ in sentence count or a sentence's length, or
            a tag is not ``O``/``B-type``/``I-type``.
    """
    check_parallel(gold, predicted)
    gold_lists = [list(tags) for tags in gold]
    predicted_lists = [list(tags) for tags in predicted]
    for index, (gold_tags, predicted_tags) in enumerate(zip(gold_lists, predicted_lists), start=1):
        validate_bio(gold_tags, f"gold sentence {index}")
        validate_bio(predicted_tags, f"predicted sentence {index}")
    if not gold_lists:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}

    from seqeval.metrics.sequence_labeling import precision_recall_fscore_support

    precision, recall, f1, _ = precision_recall_fscore_support(
        gold_lists, predicted_lists, average="micro", zero_division=0
    )
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1)}


def intent_accuracy(gold_intents: Sequence[str], predicted_intents: Sequence[str]) -> float:
    """Fraction of sentences whose intent is right (0.0 for no sentences)."""
    check_parallel(gold_intents, predicted_intents, what="intents")
    if not gold_intents:
        return 0.0
    right = sum(gold == predicted for gold, predicted in zip(gold_intents, predicted_intents))
    return right / len(gold_intents)


def sentence_accuracy(gold_tags: Sequence[Sequence[str]], predicted_tags: Sequence[Sequence[str]],
                      gold_intents: Sequence[str], predicted_intents: Sequence[str]) -> float:
    """Fraction of sentences with the intent and every slot tag right (0.0 for none)."""
    check_parallel(gold_tags, predicted_tags)
    check_parallel(gold_intents, predicted_intents, what="intents")
    if len(gold_tags) != len(gold_intents):
        raise DataError(f"{len(gold_tags)} tag sequences but {len(gold_intents)} intents")
    if not gold_tags:
        return 0.0
    right = sum(
        tuple(gold) == tuple(predicted) and gold_intent == predicted_intent
        for gold, predicted, gold_intent, predicted_intent
        in zip(gold_tags, predicted_tags, gold_intents, predicted_intents)
    )
    return right / len(gold_tags)


def check_parallel(gold: Sequence, predicted: Sequence, what: str = "sentences") -> None:
    """Raise `DataError` unless gold and predicted align (and, for tag lists, each length too)."""
    if len(gold) != len(predicted):
        raise DataError(f"{len(gold)} gold {what} but {len(predicted)} predicted")
    if what != "sentences":
        return
    for index, (gold_tags, predicted_tags) in enumerate(zip(gold, predicted), start=1):
        if isinstance(gold_tags, str) or isinstance(predicted_tags, str):
            raise DataError(f"sentence {index}: expected a list of tags, got a string")
        if len(gold_tags) != len(predicted_tags):
            raise DataError(
                f"sentence {index}: {len(gold_tags)} gold tags but {len(predicted_tags)} predicted"
            )

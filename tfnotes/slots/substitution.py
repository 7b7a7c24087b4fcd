"""Training augmentation: copies of tagged sentences with their slot values swapped.

"i d like to watch monk comes down the mountain" asks for a screening whatever the
film is called. A copy with the title replaced by another `movie_name` seen in
training ("i d like to watch the utopian society") keeps its intent and the tags of
its other words, so the tagger learns the sentence's frame rather than the title's
words. On SNIPS almost every test title is unseen in training (2 of 47 `movie_name`
and 9 of 147 `object_name` values), which is what the copies imitate.

Chunks are the scorer's, found as conlleval finds them (`chunk_spans`); a copy replaces each chunk
with a value of the same slot type drawn from the training sentences of the same
intent (an `object_type` of `RateBook` is "book" or "novel", of `SearchCreativeWork`
"tv show" or "song"). Types named in `shared_types` instead draw from one pool over
all intents: a `movie_name` copy may carry a book title, and the intent must come
from the words around it. Nothing here imports TensorFlow.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from tfnotes.errors import UsageError
from tfnotes.slots.utterances import Utterance


def chunk_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(start, end, type)`` of each chunk, end exclusive, split as conlleval splits them.

    ``B-x`` starts a chunk; ``I-x`` continues one of type ``x`` and otherwise starts
    a new one (after ``O`` or after another type). The chunks are seqeval's, the
    library that `tfnotes.slots.conlleval.chunk_scores` scores with, imported on first use
    as there (it pulls in scikit-learn).
    """
    from seqeval.metrics.sequence_labeling import get_entities

    return [(start, last + 1, kind) for kind, start, last in get_entities(list(tags))]


SlotValues = dict[tuple[str, str], list[tuple[str, ...]]]
SHARED_POOL = ("*", "*")  # the `slot_values` key of the values pooled over `shared_types`


def _pool(intent: str, kind: str, shared_types: Collection[str]) -> tuple[str, str]:
    return SHARED_POOL if kind in shared_types else (intent, kind)


def slot_values(utterances: Sequence[Utterance], shared_types: Collection[str] = ()) -> SlotValues:
    """``(intent, slot type)`` -> the distinct values (token tuples) seen, in order of appearance.

    The values of the types in `shared_types` go into one pool under `SHARED_POOL`
    whatever their intent and type: titles (`movie_name`, `object_name`, `track`)
    swapped across intents cannot tell the intent by their words.
    """
    values: dict[tuple[str, str], dict[tuple[str, ...], None]] = {}
    for utterance in utterances:
        for start, end, kind in chunk_spans(utterance.tags):
            values.setdefault(_pool(utterance.intent, kind, shared_types), {})[
                utterance.tokens[start:end]
            ] = None
    return {key: list(found) for key, found in values.items()}


def substituted(
    utterance: Utterance,
    values: SlotValues,
    rng: np.random.Generator,
    shared_types: Collection[str] = (),
) -> Utterance:
    """The utterance with each chunk replaced by a random value of its type and intent.

    The new chunk is tagged ``B-x I-x ...``.

    A chunk of a type in `shared_types` gets a value from the shared pool and keeps its own tag.
    """
    tokens: list[str] = []
    tags: list[str] = []
    previous_end = 0
    for start, end, kind in chunk_spans(utterance.tags):
        tokens += utterance.tokens[previous_end:start]
        tags += utterance.tags[previous_end:start]
        choices = values[_pool(utterance.intent, kind, shared_types)]
        value = choices[rng.integers(len(choices))]
        tokens += value
        tags += [f"B-{kind}"] + [f"I-{kind}"] * (len(value) - 1)
        previous_end = end
    tokens += utterance.tokens[previous_end:]
    tags += utterance.tags[previous_end:]
    return Utterance(tuple(tokens), tuple(tags), utterance.intent)


def substituted_copies(
    utterances: Sequence[Utterance],
    copies: int,
    seed: int,
    max_len: int,
    shared_types: Collection[str] = (),
) -> list[Utterance]:
    """`copies` swapped copies of each utterance that has a chunk, none over `max_len` tokens.

    Values of the types in `shared_types` come from one pool over all intents (see `slot_values`).

    A copy that would be too long is drawn again (up to 10 times) and otherwise left
    out, so the padded width of the training data does not grow.
    """
    values = slot_values(utterances, shared_types)
    rng = np.random.default_rng(seed)
    result = []
    for _ in range(copies):
        for utterance in utterances:
            if not chunk_spans(utterance.tags):
                continue
            for _attempt in range(10):
                copy = substituted(utterance, values, rng, shared_types)
                if len(copy.tokens) <= max_len:
                    result.append(copy)
                    break
    return result


def checked_shared_types(
    listed: str, slot_types: dict[str, list[str]], data_name: str
) -> list[str]:
    """The types of ``substitution_shared_types=a,b``; UsageError for one the data lacks."""
    shared_types = [kind for kind in listed.split(",") if kind]
    known = sorted({kind for kinds in slot_types.values() for kind in kinds})
    unknown = [kind for kind in shared_types if kind not in known]
    if unknown:
        raise UsageError(
            f"substitution_shared_types: no slot type {', '.join(unknown)} "
            f"in the {data_name} training split; "
            f"it has {', '.join(known)}"
        )
    return shared_types

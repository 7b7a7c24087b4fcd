"""Plain-Python containers for slot-filling data: utterances, datasets, BIO checks.

An utterance is a tokenised sentence with one BIO slot tag per token and one
intent label, the shape of ATIS and SNIPS::

    tokens: leave  taipei               on  november                  2nd
    tags:   O      B-fromloc.city_name  O   B-depart_date.month_name  B-depart_date.day_number
    intent: flight

Nothing here imports TensorFlow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from tfnotes.errors import DataError

OUTSIDE_TAG = "O"


@dataclasses.dataclass(frozen=True)
class Utterance:
    """One tagged sentence.

    Attributes:
        tokens: the words, already split.
        tags: one BIO slot tag per token (``O``, ``B-type`` or ``I-type``).
        intent: the sentence's intent label.
        focus: indices of tokens whose tag only the context decides (the city in
            "arrive taipei" vs "leave taipei"); empty for ordinary utterances.
    """

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    intent: str
    focus: tuple[int, ...] = ()

    def __post_init__(self):
        # Accept lists for convenience; store tuples so utterances stay hashable.
        for name in ("tokens", "tags", "focus"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if len(self.tokens) != len(self.tags):
            raise DataError(
                f"utterance has {len(self.tags)} tags for {len(self.tokens)} tokens: "
                f"{' '.join(self.tokens)!r}"
            )
        for index in self.focus:
            if not 0 <= index < len(self.tokens):
                raise DataError(
                    f"focus index {index} is outside the utterance {' '.join(self.tokens)!r}"
                )

    @property
    def text(self) -> str:
        """The tokens joined by single spaces."""
        return " ".join(self.tokens)


@dataclasses.dataclass
class SlotDataset:
    """Train, validation and test utterances, plus optional held-out minimal pairs.

    Attributes:
        train, valid, test: the splits.
        minimal_pairs: utterances built in consecutive pairs (items ``2k`` and
            ``2k + 1``) that differ only in the word(s) deciding the tags of
            their `Utterance.focus` tokens; empty for benchmark data.
        name: a short name for reports (``"synthetic_atis"``, ``"snips"``).
    """

    train: list[Utterance]
    valid: list[Utterance]
    test: list[Utterance]
    minimal_pairs: list[Utterance] = dataclasses.field(default_factory=list)
    name: str = ""

    def splits(self) -> dict[str, list[Utterance]]:
        """The named splits, ``minimal_pairs`` included only when non-empty."""
        named = {"train": self.train, "valid": self.valid, "test": self.test}
        if self.minimal_pairs:
            named["minimal_pairs"] = self.minimal_pairs
        return named


def is_bio_tag(tag: str) -> bool:
    """True for ``O`` and for ``B-type`` / ``I-type`` with a non-empty type."""
    if tag == OUTSIDE_TAG:
        return True
    return len(tag) > 2 and tag[0] in "BI" and tag[1] == "-" and not tag[2:].isspace()


def validate_bio(tags: Iterable[str], where: str) -> None:
    """Raise `DataError` unless every tag is a well-formed BIO tag.

    Only malformed tag strings are errors. Sequences are not checked: an ``I-x``
    after ``O`` (or after another type) is legal and, as in conlleval, simply
    starts a new chunk.

    Args:
        tags: the tags of one utterance.
        where: prefix for the message, usually ``"FILE:LINE"``.
    """
    for position, tag in enumerate(tags, start=1):
        if not is_bio_tag(tag):
            raise DataError(
                f"{where}: invalid BIO tag {tag!r} at token {position} "
                "(expected O, B-<type> or I-<type>)"
            )


def slot_types(tags: Iterable[str]) -> set[str]:
    """The chunk types named by some tags: ``B-toloc.city_name`` -> ``toloc.city_name``."""
    return {tag[2:] for tag in tags if tag != OUTSIDE_TAG}

"""Turn utterances into padded integer arrays, with vocabularies built on train only.

Input encodings of the course notes, all produced by `encode_utterances`:

* ``word_ids [N, T]``: ids into the word `Vocabulary`, for ``encoding=embedding``.
  The notes' one-hot encoding (1-of-N with an "other" dimension for unseen
  words) is the same array: ``one_hot(word_ids, len(vocabs.words))``, with the
  ``<unk>`` id (1) as the "other" dimension and the ``<pad>`` id (0) masked.
* ``trigram_ids [N, T, K]``: word hashing, the letter trigrams of ``#word#``
  (see `word_hash_trigrams`) as ids into a trigram vocabulary, 0-padded, for a
  bag-of-trigrams embedding.
* ``char_ids [N, T, C]``: the characters of each word, for a character encoder.

Targets: ``tag_ids [N, T]`` (0 = ``<pad>`` at padded positions) and
``intent_ids [N]``; ``lengths [N]`` counts real tokens and ``tag_weights
[N, T]`` is 1.0 on real tokens whose tag was seen in training.

Unseen labels: a `LabelVocabulary` has no "unknown" class to learn. A tag or
intent that does not occur in the training split (possible in a benchmark's
test split) maps to the reserved id 0 (``<pad>`` for tags, ``<unseen>`` for
intents), gets weight 0 in ``tag_weights``, and can be counted with
`LabelVocabulary.unseen`. Score against the original strings (as
`tfnotes.slots.conlleval` does), so such a label still counts as a miss.

`save_vocabularies` / `load_vocabularies` keep all five vocabularies (and an
``extra`` dict such as ``max_len`` and the config) in one JSON file, so a saved
run can encode a raw sentence (see `tokenize`) later.
"""

from __future__ import annotations

import collections
import dataclasses
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from tfnotes.errors import DataError, UsageError
from tfnotes.slots.utterances import Utterance
from tfnotes.text.vocabulary import PAD, JsonTable, Vocabulary

UNSEEN_INTENT = "<unseen>"
WORD_BOUNDARY = "#"
VOCABULARIES_FORMAT = "tfnotes.vocabularies"
EncodedSplit = dict  # str -> numpy array; see `encode_utterances`


def tokenize(text: str) -> tuple[str, ...]:
    """Lower-case and split on whitespace, the form of ATIS, SNIPS and the synthetic corpus."""
    return tuple(text.lower().split())


def word_hash_trigrams(word: str) -> list[str]:
    """Letter trigrams of ``#word#``: ``"boy"`` -> ``["#bo", "boy", "oy#"]``."""
    if not word:
        return []
    marked = f"{WORD_BOUNDARY}{word}{WORD_BOUNDARY}"
    return [marked[start:start + 3] for start in range(len(marked) - 2)]


class LabelVocabulary(JsonTable):
    """A label <-> id table for slot tags or intents, with no unknown label.

    Id 0 is a reserved label (``<pad>`` for tags, ``<unseen>`` for intents);
    training labels follow, sorted. A label never seen in training encodes to 0
    (see the module docstring).
    """

    def __init__(self, labels: Sequence[str]):
        """Wrap a full id -> label list whose first entry is the reserved label."""
        if not labels:
            raise UsageError("a LabelVocabulary needs its reserved label")
        if len(set(labels)) != len(labels):
            raise DataError("label vocabulary has duplicate labels")
        self.labels = list(labels)
        self.index = {label: position for position, label in enumerate(self.labels)}
        self.reserved_id = 0

    @classmethod
    def build(cls, labels: Iterable[str], reserved: str = PAD) -> "LabelVocabulary":
        """All distinct training labels, sorted, after the reserved one.

        Args:
            labels: flat labels, e.g. ``(t for u in train for t in u.tags)``.
            reserved: the label of id 0.
        """
        return cls([reserved] + sorted(set(labels) - {reserved}))

    def encode(self, labels: Iterable[str]) -> list[int]:
        """Ids of the labels; unseen labels get the reserved id 0."""
        return [self.index.get(label, self.reserved_id) for label in labels]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Labels of the ids."""
        return [self.labels[int(label_id)] for label_id in ids]

    def unseen(self, labels: Iterable[str]) -> collections.Counter:
        """How often each label missing from this vocabulary occurs in ``labels``."""
        return collections.Counter(label for label in labels if label not in self.index)

    def __len__(self) -> int:
        return len(self.labels)

    def __contains__(self, label: str) -> bool:
        return label in self.index

    def to_dict(self) -> dict:
        """A JSON-ready description."""
        return {"kind": "labels", "labels": self.labels}

    @classmethod
    def from_dict(cls, description: dict) -> "LabelVocabulary":
        """Inverse of `to_dict`."""
        return cls(description["labels"])



@dataclasses.dataclass
class Vocabularies:
    """Everything needed to encode a split: words, characters, trigrams, tags, intents."""

    words: Vocabulary
    chars: Vocabulary
    trigrams: Vocabulary
    tags: LabelVocabulary
    intents: LabelVocabulary

    def sizes(self) -> dict[str, int]:
        """Table sizes by field name, for embedding and output layers."""
        return {field.name: len(getattr(self, field.name)) for field in dataclasses.fields(self)}


def build_vocabularies(train: Sequence[Utterance], max_words: int | None = None,
                       min_word_count: int = 1) -> Vocabularies:
    """Build all vocabularies from the training utterances only.

    Args:
        train: the training split.
        max_words: cap on the word vocabulary (pad and unk included); None = all.
        min_word_count: words seen fewer times in training become ``<unk>``.
    """
    words = [utterance.tokens for utterance in train]
    return Vocabularies(
        words=Vocabulary.build(words, max_size=max_words, min_count=min_word_count),
        chars=Vocabulary.build(token for tokens in words for token in tokens),
        trigrams=Vocabulary.build(
            word_hash_trigrams(token) for tokens in words for token in tokens),
        tags=LabelVocabulary.build((tag for utterance in train for tag in utterance.tags), PAD),
        intents=LabelVocabulary.build((utterance.intent for utterance in train), UNSEEN_INTENT),
    )


def char_ids(word: str, chars: Vocabulary, max_word_len: int | None = None) -> list[int]:
    """Ids of the word's characters (its first ``max_word_len`` when given)."""
    return chars.encode(word[:max_word_len] if max_word_len else word)


def encode_tokens(token_lists: Sequence[Sequence[str]], vocabs: Vocabularies,
                  max_len: int | None = None, max_word_len: int = 20,
                  max_trigrams: int = 20) -> EncodedSplit:
    """Model inputs for tokenised sentences (no labels needed): see `encode_utterances`."""
    count = len(token_lists)
    if max_len is None:
        max_len = max((len(tokens) for tokens in token_lists), default=0) or 1
    word_ids = np.zeros((count, max_len), np.int32)
    char_array = np.zeros((count, max_len, max_word_len), np.int32)
    trigram_array = np.zeros((count, max_len, max_trigrams), np.int32)
    lengths = np.zeros((count,), np.int32)
    cache: dict[str, tuple[list[int], list[int]]] = {}
    for row, tokens in enumerate(token_lists):
        tokens = list(tokens)[:max_len]
        lengths[row] = len(tokens)
        word_ids[row, :len(tokens)] = vocabs.words.encode(tokens)
        for column, token in enumerate(tokens):
            if token not in cache:
                cache[token] = (char_ids(token, vocabs.chars, max_word_len),
                                vocabs.trigrams.encode(word_hash_trigrams(token)[:max_trigrams]))
            characters, trigrams = cache[token]
            char_array[row, column, :len(characters)] = characters
            trigram_array[row, column, :len(trigrams)] = trigrams
    return {"word_ids": word_ids, "char_ids": char_array, "trigram_ids": trigram_array,
            "lengths": lengths}


def encode_utterances(utterances: Sequence[Utterance], vocabs: Vocabularies,
                      max_len: int | None = None, max_word_len: int = 20,
                      max_trigrams: int = 20) -> EncodedSplit:
    """Encode a split into padded int32 numpy arrays.

    Args:
        utterances: the split.
        vocabs: from `build_vocabularies` on the training split.
        max_len: T, tokens per row; None = the longest utterance here. Longer
            utterances are cut (``lengths`` then counts the kept tokens).
        max_word_len: C, characters kept per word.
        max_trigrams: K, trigrams kept per word.

    Returns:
        ``word_ids [N,T]``, ``char_ids [N,T,C]``, ``trigram_ids [N,T,K]``,
        ``tag_ids [N,T]``, ``tag_weights [N,T]`` (float32), ``intent_ids [N]``,
        ``lengths [N]``; padding is 0 everywhere.
    """
    encoded = encode_tokens([utterance.tokens for utterance in utterances], vocabs,
                            max_len=max_len, max_word_len=max_word_len, max_trigrams=max_trigrams)
    tag_ids = np.zeros_like(encoded["word_ids"])
    for row, utterance in enumerate(utterances):
        length = encoded["lengths"][row]
        tag_ids[row, :length] = vocabs.tags.encode(utterance.tags[:length])
    encoded["tag_ids"] = tag_ids
    encoded["tag_weights"] = (tag_ids != vocabs.tags.reserved_id).astype(np.float32)
    encoded["intent_ids"] = np.array(
        vocabs.intents.encode(utterance.intent for utterance in utterances), np.int32
    ).reshape(len(utterances))
    return encoded


def save_vocabularies(path, vocabs: Vocabularies, extra: dict | None = None) -> None:
    """Write all vocabularies, plus an optional JSON-ready ``extra`` dict, to one JSON file.

    ``extra`` holds what a later run needs besides the tables (``max_len``, the config).
    """
    document = {"format": VOCABULARIES_FORMAT, "version": 1}
    for field in dataclasses.fields(Vocabularies):
        document[field.name] = getattr(vocabs, field.name).to_dict()
    document["extra"] = dict(extra or {})
    Path(path).write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


def load_vocabularies(path) -> tuple[Vocabularies, dict]:
    """Read a file written by `save_vocabularies`: ``(vocabularies, extra)``.

    Raises `DataError` when the file is unreadable or not such a file.
    """
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"{path}: cannot read vocabularies ({error})") from None
    if not isinstance(document, dict) or document.get("format") != VOCABULARIES_FORMAT:
        raise DataError(f"{path}: not a tfnotes vocabularies file")
    try:
        vocabs = Vocabularies(
            words=Vocabulary.from_dict(document["words"]),
            chars=Vocabulary.from_dict(document["chars"]),
            trigrams=Vocabulary.from_dict(document["trigrams"]),
            tags=LabelVocabulary.from_dict(document["tags"]),
            intents=LabelVocabulary.from_dict(document["intents"]),
        )
    except (KeyError, TypeError) as error:
        raise DataError(f"{path}: vocabularies file lacks {error}") from None
    return vocabs, document.get("extra", {})

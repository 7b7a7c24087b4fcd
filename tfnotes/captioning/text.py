"""Caption text: tokenising, a vocabulary built on train only, padded id arrays and back.

Every caption becomes ``<start> w1 ... wn <end>`` followed by ``<pad>`` (id 0) up
to a fixed length. The model reads ``ids[:, :-1]`` and predicts ``ids[:, 1:]``;
target id 0 is ignored by the loss (``ignore_class=0``), and `ids_to_words` stops at
``<end>`` and drops padding, so padding never counts in the loss or in BLEU/CIDEr.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from tfnotes.errors import DataError
from tfnotes.text.vocabulary import PAD, UNK, Vocabulary

START = "<start>"
END = "<end>"
RESERVED = (PAD, UNK, START, END)  # ids 0, 1, 2, 3
PAD_ID, UNK_ID, START_ID, END_ID = range(4)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def tokenize_caption(text: str) -> list[str]:
    """Lower-cased words of a caption; punctuation dropped (``"A dog, running."`` -> 3 words)."""
    return _WORD.findall(str(text).lower())


def build_caption_vocabulary(token_lists: Iterable[Sequence[str]], max_size: int | None = None,
                             min_count: int = 1) -> Vocabulary:
    """A `Vocabulary` of the training captions with ``<pad> <unk> <start> <end>`` as ids 0-3.

    `Vocabulary.build` reserves exactly pad and unk, so the two caption markers are
    inserted after them here; words follow by training frequency (ties alphabetical).

    Args:
        token_lists: tokenised captions of the training split only.
        max_size: the largest vocabulary, the four reserved tokens included; None = no limit.
        min_count: words seen fewer times become ``<unk>``.
    """
    words_size = None if max_size is None else max(max_size - 2, 2)
    lists = ([t for t in tokens if t not in (START, END)] for tokens in token_lists)
    words = Vocabulary.build(lists, max_size=words_size, min_count=min_count)
    return Vocabulary(list(RESERVED) + words.tokens[2:])


def encode_captions(token_lists: Sequence[Sequence[str]], vocabulary: Vocabulary,
                    max_words: int) -> np.ndarray:
    """int32 ``[N, max_words + 2]``: ``<start>``, up to `max_words` word ids, ``<end>``, padding."""
    ids = np.full((len(token_lists), max_words + 2), PAD_ID, np.int32)
    for row, tokens in enumerate(token_lists):
        words = vocabulary.encode(list(tokens)[:max_words])
        ids[row, :len(words) + 2] = [START_ID, *words, END_ID]
    return ids


def ids_to_words(ids: Iterable[int], vocabulary: Vocabulary) -> list[str]:
    """The words of a generated id row: stops at ``<end>``, skips ``<pad>`` and ``<start>``."""
    words = []
    for token_id in ids:
        token_id = int(token_id)
        if token_id == END_ID:
            break
        if token_id in (PAD_ID, START_ID):
            continue
        words.append(vocabulary.tokens[token_id])
    return words


def save_caption_vocabulary(path, vocabulary: Vocabulary, extra: dict | None = None) -> None:
    """Writes the vocabulary and a JSON-ready ``extra`` dict (image size, config) to one file."""
    document = {"format": "tfnotes.caption_vocabulary", "vocabulary": vocabulary.to_dict(),
                "extra": dict(extra or {})}
    Path(path).write_text(json.dumps(document, indent=1), encoding="utf-8")


def load_caption_vocabulary(path) -> tuple[Vocabulary, dict]:
    """Reads `save_caption_vocabulary` output: ``(vocabulary, extra)``; DataError if unreadable."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        vocabulary = Vocabulary.from_dict(document["vocabulary"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DataError(f"{path}: not a caption vocabulary file ({error})") from None
    if tuple(vocabulary.tokens[:4]) != RESERVED:
        raise DataError(f"{path}: the first four tokens must be {', '.join(RESERVED)}")
    return vocabulary, document.get("extra", {})

"""Corpora for language models: a UTF-8 text file, the PTB tutorial's files, a generated one.

Every reader returns a `LanguageCorpus`: the splits as numpy int32 id arrays and the
`TokenVocabulary` built from the training split only.

- `read_text_corpus(DIR)`: ``DIR/input.txt`` (Tiny Shakespeare's layout), split as
  nanoGPT does: the first 90% of the characters for training, the last 10% for
  validation. Character level by default (``level="word"``: whitespace words, ``<eos>``
  at each line end).
- `read_ptb_corpus(DIR)`: ``ptb.train.txt``, ``ptb.valid.txt``, ``ptb.test.txt`` of the
  TF1 tutorial's ``simple-examples/data``: words, ``<eos>`` at each line end.
- `synthetic_corpus(seed)`: nested brackets (`tfnotes.language.brackets`), character level.

A token of the validation or test split that training never saw maps to the unknown
symbol (``<unk>`` for words, U+FFFD for characters); `LanguageCorpus.unknown_counts`
says how many there were.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tfnotes.errors import DataError, UsageError

UNKNOWN_WORD = "<unk>"  # PTB's own spelling: its files already hold it
UNKNOWN_CHAR = "\ufffd"  # the replacement character, so a sample still prints
END_OF_SENTENCE = "<eos>"
LEVELS = ("char", "word")
TEXT_FILE = "input.txt"
PTB_FILES = {"train": "ptb.train.txt", "valid": "ptb.valid.txt", "test": "ptb.test.txt"}
TRAIN_FRACTION = 0.9  # nanoGPT's split of input.txt


class TokenVocabulary:
    """Token <-> id table in TF1 ``ptb_word_lm`` order, plus an unknown symbol.

    Ids follow training frequency, ties in token order (the TF1 reader's
    ``_build_vocab``: ``sorted(counts.items(), key=lambda x: (-x[1], x[0]))``), so a
    vocabulary built from the PTB training file numbers words exactly as a 2017
    checkpoint does. The unknown symbol keeps its place when training has it (PTB's
    ``<unk>``); otherwise it is appended as the last id. There is no padding id:
    language-model windows are never padded.

    Args:
        tokens: the id -> token list.
        level: ``"char"`` (tokens join with "") or ``"word"`` (with spaces).
        unknown: the token unseen tokens map to; must be in `tokens`.
    """

    def __init__(self, tokens: Sequence[str], level: str, unknown: str):
        if level not in LEVELS:
            raise UsageError(f"level={level} is not allowed; choose one of: {', '.join(LEVELS)}")
        if len(set(tokens)) != len(tokens):
            raise DataError("vocabulary has duplicate tokens")
        if unknown not in tokens:
            raise DataError(f"vocabulary has no unknown symbol {unknown!r}")
        self.tokens = list(tokens)
        self.level = level
        self.unknown = unknown
        self.index = {token: position for position, token in enumerate(self.tokens)}
        self.unknown_id = self.index[unknown]

    @classmethod
    def build(cls, tokens: Sequence[str], level: str, max_size: int = 0) -> "TokenVocabulary":
        """The vocabulary of a training token list (`max_size` > 0 keeps the most frequent)."""
        unknown = UNKNOWN_CHAR if level == "char" else UNKNOWN_WORD
        counts = collections.Counter(tokens)
        ranked = [token for token, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
        if max_size:
            ranked = ranked[:max_size] if unknown in ranked[:max_size] else ranked[:max_size - 1]
        if unknown not in ranked:
            ranked.append(unknown)
        return cls(ranked, level, unknown)

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        """int32 ids of `tokens`; unseen tokens get `unknown_id`."""
        get, unknown_id = self.index.get, self.unknown_id
        return np.fromiter((get(token, unknown_id) for token in tokens), np.int32, len(tokens))

    def unknown_count(self, tokens: Sequence[str]) -> int:
        """How many of `tokens` the table does not hold (they encode as unknown)."""
        return sum(token not in self.index for token in tokens)

    def decode(self, ids) -> list[str]:
        """The tokens of `ids`."""
        return [self.tokens[int(token_id)] for token_id in ids]

    def detokenize(self, ids) -> str:
        """`ids` as text: characters joined, or words by spaces with ``<eos>`` as a line end."""
        tokens = self.decode(ids)
        if self.level == "char":
            return "".join(tokens)
        text = " ".join(tokens)
        for spaced in (f" {END_OF_SENTENCE} ", f" {END_OF_SENTENCE}", f"{END_OF_SENTENCE} "):
            text = text.replace(spaced, "\n")
        return text.replace(END_OF_SENTENCE, "\n")

    def tokenize(self, text: str) -> list[str]:
        """`text` as this vocabulary's tokens (see `tokenize`)."""
        return tokenize(text, self.level)

    def __len__(self) -> int:
        return len(self.tokens)

    def to_dict(self) -> dict:
        """A JSON-ready description (`from_dict` reads it back)."""
        return {"kind": "token_vocabulary", "level": self.level, "unknown": self.unknown,
                "tokens": self.tokens}

    @classmethod
    def from_dict(cls, description: dict) -> "TokenVocabulary":
        """Inverse of `to_dict`."""
        return cls(description["tokens"], description["level"], description["unknown"])


@dataclasses.dataclass
class LanguageCorpus:
    """A tokenized corpus: id arrays per split and the training vocabulary.

    Attributes:
        name: where it came from (a path or ``synthetic``).
        vocabulary: the `TokenVocabulary` of the training split.
        train, valid: int32 id arrays.
        test: int32 ids, or None when the corpus has no test split.
        unknown_counts: split -> tokens that training never saw (mapped to unknown).
    """

    name: str
    vocabulary: TokenVocabulary
    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray | None = None
    unknown_counts: dict = dataclasses.field(default_factory=dict)

    @property
    def level(self) -> str:
        """``char`` or ``word``."""
        return self.vocabulary.level

    def splits(self) -> dict:
        """``{"train": ids, "valid": ids[, "test": ids]}``."""
        found = {"train": self.train, "valid": self.valid}
        if self.test is not None:
            found["test"] = self.test
        return found

    def describe(self) -> str:
        """One line: sizes of the splits and vocabulary, and any unknown tokens."""
        unit = "characters" if self.level == "char" else "words"
        sizes = " / ".join(f"{len(ids):,} {split}" for split, ids in self.splits().items())
        line = f"{self.name}: {sizes} {unit}, vocabulary {len(self.vocabulary)}"
        unseen = {split: count for split, count in self.unknown_counts.items() if count}
        if unseen:
            counts = ", ".join(f"{count} in {split}" for split, count in unseen.items())
            line += (f"; {unit} never seen in training map to "
                     f"{self.vocabulary.unknown!r}: {counts}")
        return line


def tokenize(text: str, level: str) -> list[str]:
    """Characters of `text`, or its whitespace words with ``<eos>`` at each line end.

    The word form is the TF1 reader's ``f.read().replace("\\n", "<eos>").split()``
    on PTB's lines (which begin and end with a space).
    """
    if level == "char":
        return list(text)
    if level == "word":
        return text.replace("\n", f" {END_OF_SENTENCE} ").split()
    raise UsageError(f"level={level} is not allowed; choose one of: {', '.join(LEVELS)}")


def read_utf8(path: Path) -> str:
    """The text of `path`; DataError naming the file (and line) if it is empty or not UTF-8."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise DataError(f"{path}:{line}: not UTF-8 text ({error.reason} at byte {error.start})")
    if not text.strip():
        raise DataError(f"{path}: the file is empty")
    return text


def read_text_corpus(data_dir, level: str = "char", max_vocab: int = 0) -> LanguageCorpus:
    """``DIR/input.txt`` split 90% / 10% (train / validation) as nanoGPT does.

    Raises:
        UsageError: the folder or its input.txt does not exist.
        DataError: input.txt is empty, not UTF-8, or too short to split.
    """
    folder = Path(data_dir)
    path = folder / TEXT_FILE
    if not folder.is_dir():
        raise UsageError(f"data=text data_dir={data_dir}: no such directory")
    if not path.is_file():
        raise UsageError(f"data=text: {path} does not exist (data_dir= must hold {TEXT_FILE})")
    tokens = tokenize(read_utf8(path), level)
    cut = int(len(tokens) * TRAIN_FRACTION)
    if cut < 2 or len(tokens) - cut < 2:
        raise DataError(f"{path}: {len(tokens)} tokens are too few to split 90% / 10%")
    return _encoded(str(path), tokens[:cut], {"valid": tokens[cut:]}, level, max_vocab)


def read_ptb_corpus(data_dir, level: str = "word", max_vocab: int = 0) -> LanguageCorpus:
    """``ptb.{train,valid,test}.txt`` of the TF1 tutorial's ``simple-examples/data``.

    Raises:
        UsageError: the folder, or one of the three files, does not exist.
        DataError: a file is empty or not UTF-8.
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        raise UsageError(f"data=ptb data_dir={data_dir}: no such directory")
    paths = {split: folder / name for split, name in PTB_FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise UsageError(
            f"data=ptb: {', '.join(missing)} does not exist (data_dir= must hold "
            f"{', '.join(PTB_FILES.values())}, as simple-examples/data does)"
        )
    tokens = {split: tokenize(read_utf8(path), level) for split, path in paths.items()}
    train = tokens.pop("train")
    return _encoded(str(folder), train, tokens, level, max_vocab)


def synthetic_corpus(seed: int = 0, lines: int = 4000, max_depth: int = 3) -> LanguageCorpus:
    """The nested-bracket corpus of `tfnotes.language.brackets`: train, valid and test text."""
    from tfnotes.language.brackets import bracket_text

    train = bracket_text(np.random.default_rng([seed, 0]), lines, max_depth)
    held_out = max(lines // 10, 1)
    valid = bracket_text(np.random.default_rng([seed, 1]), held_out, max_depth)
    test = bracket_text(np.random.default_rng([seed, 2]), held_out, max_depth)
    return _encoded("synthetic brackets", list(train), {"valid": list(valid), "test": list(test)},
                    "char", 0)


def _encoded(name, train_tokens, held_out: dict, level, max_vocab) -> LanguageCorpus:
    vocabulary = TokenVocabulary.build(train_tokens, level, max_vocab)
    encoded = {split: vocabulary.encode(tokens) for split, tokens in held_out.items()}
    unknown = {"train": vocabulary.unknown_count(train_tokens)}
    unknown.update({split: vocabulary.unknown_count(tokens) for split, tokens in held_out.items()})
    return LanguageCorpus(
        name=name,
        vocabulary=vocabulary,
        train=vocabulary.encode(train_tokens),
        valid=encoded["valid"],
        test=encoded.get("test"),
        unknown_counts=unknown,
    )

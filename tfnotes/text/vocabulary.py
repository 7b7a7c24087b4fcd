"""`Vocabulary`: the token <-> id table shared by slot filling and captioning.

Id 0 is ``<pad>`` and id 1 is ``<unk>``; the rest follow by training frequency.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Iterable, Sequence

from tfnotes.errors import DataError, UsageError

PAD = "<pad>"
UNK = "<unk>"


class JsonTable:
    """`to_json` / `from_json` for a table that defines `to_dict` / `from_dict`."""

    def to_json(self) -> str:
        """The table as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text):
        """Inverse of `to_json`; also accepts the already-parsed dict."""
        return cls.from_dict(json.loads(text) if isinstance(text, str) else text)


class Vocabulary(JsonTable):
    """A token <-> id table with ``<pad>`` = 0 and ``<unk>`` = 1.

    Ids 0 and 1 belong to the two reserved tokens; the rest follow in order of
    training frequency (ties alphabetical), so the table is deterministic.
    """

    def __init__(self, tokens: Sequence[str]):
        """Wrap a full id -> token list whose first two entries are pad and unk."""
        if len(tokens) < 2:
            raise UsageError("a Vocabulary needs at least the pad and unknown tokens")
        if len(set(tokens)) != len(tokens):
            raise DataError("vocabulary has duplicate tokens")
        self.tokens = list(tokens)
        self.index = {token: position for position, token in enumerate(self.tokens)}
        self.pad_id, self.unk_id = 0, 1

    @classmethod
    def build(cls, token_lists: Iterable[Iterable[str]], max_size: int | None = None,
              min_count: int = 1, reserved: Sequence[str] = (PAD, UNK)) -> "Vocabulary":
        """Count tokens (of the training split only) and keep the frequent ones.

        Args:
            token_lists: e.g. ``[u.tokens for u in dataset.train]``.
            max_size: the largest vocabulary, reserved tokens included; None = no limit.
            min_count: drop tokens seen fewer times.
            reserved: pad and unknown tokens, in that order (ids 0 and 1).
        """
        if len(reserved) != 2:
            raise UsageError(f"reserved must be (pad, unknown), got {tuple(reserved)!r}")
        if max_size is not None and max_size < 2:
            raise UsageError(f"max_size must be at least 2, got {max_size}")
        counts = collections.Counter(token for tokens in token_lists for token in tokens)
        kept = [token for token, count in counts.items()
                if count >= min_count and token not in reserved]
        ranked = sorted(kept, key=lambda token: (-counts[token], token))
        if max_size is not None:
            ranked = ranked[:max_size - len(reserved)]
        return cls(list(reserved) + ranked)

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Ids of the tokens; unknown tokens get `unk_id`."""
        return [self.index.get(token, self.unk_id) for token in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens of the ids."""
        return [self.tokens[int(token_id)] for token_id in ids]

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: str) -> bool:
        return token in self.index

    def to_dict(self) -> dict:
        """A JSON-ready description."""
        return {"kind": "vocabulary", "tokens": self.tokens}

    @classmethod
    def from_dict(cls, description: dict) -> "Vocabulary":
        """Inverse of `to_dict`."""
        return cls(description["tokens"])

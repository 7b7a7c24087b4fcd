"""The synthetic corpus: nested brackets whose closing type only a memory can tell.

Each line holds one or two bracket pairs of four kinds, ``()``, ``[]``, ``{}``, ``<>``,
each filled with random letters and, up to `max_depth`, another pair::

    c{dgb(hfae<egbh>acd)dbhf}
    [aeb{fgdch}bdee]gd<hhbea{cfbga}bbhg>

Between an opening bracket and its closing one there are always at least five
letters, so no context of five characters (a 6-gram) sees which kind is open: an
n-gram model can only guess the kind of a closing bracket from the frequencies (and
the inner pair it may just have closed), while a recurrent model can remember it.
`closer_accuracy` scores a model at the closing positions, `ngram_closer_accuracy`
the best n-gram of a given order, counted on the training text.
"""

from __future__ import annotations

import collections

import numpy as np

OPENERS = "([{<"
CLOSERS = ")]}>"
LETTERS = "abcdefgh"
NGRAM_ORDER = 6  # five characters of context: never the opening bracket


def bracket_text(rng: np.random.Generator, lines: int, max_depth: int = 3) -> str:
    """`lines` lines of nested bracket pairs (at most `max_depth` deep), from `rng`."""
    if max_depth < 1:
        raise ValueError(f"max_depth must be at least 1, got {max_depth}")
    out: list[str] = []
    for _ in range(lines):
        for _ in range(int(rng.integers(1, 3))):
            out.extend(_letters(rng, 0, 2))
            _pair(rng, 1, max_depth, out)
        out.append("\n")
    return "".join(out)


def _letters(rng, low, high):
    return rng.choice(list(LETTERS), size=int(rng.integers(low, high + 1))).tolist()


def _pair(rng, depth, max_depth, out):
    kind = int(rng.integers(len(OPENERS)))
    out.append(OPENERS[kind])
    out.extend(_letters(rng, 2, 6))
    if depth < max_depth and rng.random() < 0.6:
        _pair(rng, depth + 1, max_depth, out)
    out.extend(_letters(rng, 3, 6))  # at least 3 + 2: the opener is >= 6 characters back
    out.append(CLOSERS[kind])


def closer_ids(vocabulary) -> np.ndarray:
    """The ids of the closing brackets in `vocabulary` (those it holds)."""
    return np.array([vocabulary.index[c] for c in CLOSERS if c in vocabulary.index], np.int32)


def closer_accuracy(logits: np.ndarray, targets: np.ndarray, closers: np.ndarray) -> float:
    """Share of closing-bracket targets whose kind the model ranks first among the closers.

    Args:
        logits: ``[..., vocabulary]`` scores for the next token.
        targets: ``[...]`` the next tokens' ids.
        closers: ids of the closing brackets (`closer_ids`).
    """
    targets = np.asarray(targets)
    at_closer = np.isin(targets, closers)
    if not at_closer.any():
        return float("nan")
    scores = np.asarray(logits)[at_closer][:, closers]
    return float(np.mean(closers[np.argmax(scores, axis=-1)] == targets[at_closer]))


def ngram_closer_accuracy(train_text: str, eval_text: str, order: int = NGRAM_ORDER) -> float:
    """`closer_accuracy` of the count-based n-gram model of `order`, with back-off.

    At each closing bracket of `eval_text` it predicts the closing kind seen most
    often in `train_text` after the longest context (up to ``order - 1`` characters)
    that training saw before a closing bracket; ties go to the first in `CLOSERS`.
    """
    counts = collections.defaultdict(collections.Counter)
    for position, char in enumerate(train_text):
        if char in CLOSERS:
            for length in range(order):
                counts[train_text[max(position - length, 0):position]][char] += 1
    correct = total = 0
    for position, char in enumerate(eval_text):
        if char not in CLOSERS:
            continue
        total += 1
        for length in range(order - 1, -1, -1):
            seen = counts.get(eval_text[max(position - length, 0):position])
            if seen:
                best = max(CLOSERS, key=lambda closer: (seen[closer], -CLOSERS.index(closer)))
                correct += best == char
                break
    return correct / total if total else float("nan")

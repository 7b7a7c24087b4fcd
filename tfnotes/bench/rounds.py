"""Interleaved timing: every variant of a case once per round, A B C A B C ...

Load that comes and goes then lands on all variants of a round alike, so the ratio
of two variants within a round is steadier than either figure alone; the median and
the spread of each ratio over the rounds say how steady.
"""

from __future__ import annotations

import statistics
from typing import Callable


def interleaved_rounds(timers: dict[str, Callable[[int], float]], rounds: int,
                       calls: int) -> dict[str, list[float]]:
    """``{name: [seconds per call in round 1, 2, ...]}``, timing the variants in turn.

    `timers` maps a variant's name to ``time(calls) -> seconds per call`` (a local
    step or a `tfnotes.bench.remote.RemoteWorker` job), already warmed up.
    """
    samples = {name: [] for name in timers}
    for _ in range(rounds):
        for name, time in timers.items():
            samples[name].append(time(calls))
    return samples


def ratio_summary(numerator: list[float], denominator: list[float]) -> dict[str, float]:
    """Median, min and max over rounds of ``denominator[r] / numerator[r]``.

    With seconds in, that is the speed-up of the numerator's variant over the
    denominator's: 1.3 means 1.3x as many tokens per second.
    """
    ratios = [slow / fast for fast, slow in zip(numerator, denominator, strict=True)]
    return {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}

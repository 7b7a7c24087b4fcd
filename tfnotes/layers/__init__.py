"""Reusable Keras layers that are not recurrent cells (those live in `tfnotes.cells`)."""

from tfnotes.layers.gradient_reversal import (
    GradientReversal,
    GradientReversalSchedule,
    adaptation_strength,
)

__all__ = ["GradientReversal", "GradientReversalSchedule", "adaptation_strength"]

"""Metrics for the experiments; importing this package does not import TensorFlow.

* `conlleval`: `chunk_scores` (conlleval chunk precision/recall/F1 via seqeval),
  `intent_accuracy`, `sentence_accuracy`.
"""

from tfnotes.metrics.conlleval import chunk_scores, intent_accuracy, sentence_accuracy

__all__ = ["chunk_scores", "intent_accuracy", "sentence_accuracy"]

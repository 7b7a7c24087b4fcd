"""Metrics for the experiments.

* `conlleval`: `chunk_scores` (conlleval chunk precision/recall/F1 via seqeval),
  `intent_accuracy`, `sentence_accuracy`.
* `elbo`: Bernoulli/Gaussian log-densities, analytic KL, ELBO and the
  importance-weighted bound (keras.ops, usable inside compiled steps).
* `generative`: Frechet distance, FID, inception score, label accuracy.
* `digit_judge`: the cached MNIST classifier whose features and predictions
  feed the generative metrics.
"""

from tfnotes.metrics.conlleval import chunk_scores, intent_accuracy, sentence_accuracy
from tfnotes.metrics.generative import (
    feature_statistics,
    fid,
    frechet_distance,
    inception_score,
    label_accuracy,
)

__all__ = [
    "chunk_scores", "feature_statistics", "fid", "frechet_distance", "inception_score",
    "intent_accuracy", "label_accuracy", "sentence_accuracy",
]

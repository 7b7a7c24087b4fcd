"""Small reusable Keras layers the experiments build on (token encoders, sequence context)."""

from tfnotes.layers.crf import CRFNegativeLogLikelihood, CRFScores, crf_log_likelihood, split_crf_scores
from tfnotes.layers.sequence_context import AppendSequenceMean
from tfnotes.layers.token_features import CharacterCNN, OneHotTokens, SummedEmbedding
from tfnotes.layers.unknown_words import RandomUnknownWords

__all__ = [
    "AppendSequenceMean",
    "CharacterCNN",
    "CRFNegativeLogLikelihood",
    "CRFScores",
    "OneHotTokens",
    "RandomUnknownWords",
    "SummedEmbedding",
    "crf_log_likelihood",
    "split_crf_scores",
]

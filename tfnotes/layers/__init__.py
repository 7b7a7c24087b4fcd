"""Small reusable Keras layers the experiments build on (token encoders, sequence context)."""

from tfnotes.layers.sequence_context import AppendSequenceMean
from tfnotes.layers.token_features import CharacterCNN, OneHotTokens, SummedEmbedding

__all__ = ["AppendSequenceMean", "CharacterCNN", "OneHotTokens", "SummedEmbedding"]

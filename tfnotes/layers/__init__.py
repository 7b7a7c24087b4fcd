"""Small reusable Keras layers the experiments build on (token encoders)."""

from tfnotes.layers.token_features import CharacterCNN, OneHotTokens, SummedEmbedding

__all__ = ["CharacterCNN", "OneHotTokens", "SummedEmbedding"]

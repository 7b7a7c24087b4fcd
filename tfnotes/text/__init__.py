"""Text vocabularies shared by the tasks that read words (slot filling, captioning).

`Vocabulary` maps tokens to ids with ``<pad>`` = 0 and ``<unk>`` = 1.
"""

from tfnotes.text.vocabulary import PAD, UNK, Vocabulary

__all__ = ["PAD", "UNK", "Vocabulary"]

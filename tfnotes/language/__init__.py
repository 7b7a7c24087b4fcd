"""Language modelling: corpora, truncated-BPTT batches, the stateful model, sampling.

Readers (`corpus`: a UTF-8 text file, the PTB tutorial's files, the nested-bracket
corpus of `brackets`), the TF1 ``ptb_producer`` window layout (`batching`), the model
of TF1's ``ptb_word_lm`` over `tfnotes.cells` (`model`), its optimizer, step decay and
scores (`training`), and sampling with a temperature (`sampling`). Importing it
registers `TiedEmbedding` for `keras.models.load_model`.
"""

from tfnotes.language.batching import bptt_dataset, bptt_windows, tokens_per_epoch
from tfnotes.language.corpus import (
    LanguageCorpus,
    TokenVocabulary,
    read_ptb_corpus,
    read_text_corpus,
    synthetic_corpus,
    tokenize,
)
from tfnotes.language.model import (
    StatefulResetCallback,
    TiedEmbedding,
    build_language_model,
    reset_states,
    with_batch_shape,
)
from tfnotes.language.sampling import EpochSample, Sampler

__all__ = [
    "EpochSample",
    "LanguageCorpus",
    "Sampler",
    "StatefulResetCallback",
    "TiedEmbedding",
    "TokenVocabulary",
    "bptt_dataset",
    "bptt_windows",
    "build_language_model",
    "read_ptb_corpus",
    "read_text_corpus",
    "reset_states",
    "synthetic_corpus",
    "tokenize",
    "tokens_per_epoch",
    "with_batch_shape",
]

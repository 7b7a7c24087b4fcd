"""Data sources for the experiments, one module per source.

* `slot_utterances`: `Utterance`, `SlotDataset`, `validate_bio`.
* `seq_files`: `load_seq_dir` for the ATIS/SNIPS ``seq.in``/``seq.out``/``label`` layout.
* `synthetic_atis`: `generate_synthetic_atis`, the embedded flight-request corpus.
* `token_encoding`: vocabularies and padded numpy arrays for the models.
* `digits`: `load_digits` / `DigitSplits`, MNIST-style digits from idx files
  (`mnist_idx`), TensorFlow Datasets (`mnist_tfds`) or rendered by Pillow
  (`synthetic_digits`).
"""

from tfnotes.data.digits import DigitSplits, load_digits
from tfnotes.data.mnist_idx import load_idx_dir, read_idx
from tfnotes.data.seq_files import load_seq_dir
from tfnotes.data.slot_utterances import SlotDataset, Utterance, is_bio_tag, validate_bio
from tfnotes.data.synthetic_atis import generate_synthetic_atis
from tfnotes.data.token_encoding import (
    LabelVocabulary,
    Vocabularies,
    Vocabulary,
    build_vocabularies,
    char_ids,
    encode_tokens,
    encode_utterances,
    load_vocabularies,
    save_vocabularies,
    tokenize,
    word_hash_trigrams,
)

__all__ = [
    "DigitSplits", "load_digits", "load_idx_dir", "read_idx",
    "LabelVocabulary", "SlotDataset", "Utterance", "Vocabularies", "Vocabulary",
    "build_vocabularies", "char_ids", "encode_tokens", "encode_utterances",
    "generate_synthetic_atis", "is_bio_tag", "load_seq_dir", "load_vocabularies",
    "save_vocabularies", "tokenize", "validate_bio", "word_hash_trigrams",
]

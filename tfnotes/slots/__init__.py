"""Slot filling: everything the tagger of "arrive Taipei on November 2nd" needs.

Corpus readers (`seq_files`, `synthetic_atis`, `utterances`), slot-value copies
(`substitution`), encoding and batching (`encoding`, `batching`), the tagger's
layers (`token_features`, `unknown_words`, `sequence_context`, `crf`) and model
(`tagger`), decoding (`bio_decoding`, `intent_decoding`) and scoring (`conlleval`).
Importing it registers the layers for `keras.models.load_model`.
"""

from tfnotes.slots.conlleval import chunk_scores, intent_accuracy, sentence_accuracy
from tfnotes.slots.crf import (
    CRFNegativeLogLikelihood,
    CRFScores,
    crf_log_likelihood,
    split_crf_scores,
)
from tfnotes.slots.encoding import (
    LabelVocabulary,
    Vocabularies,
    build_vocabularies,
    char_ids,
    encode_tokens,
    encode_utterances,
    load_vocabularies,
    save_vocabularies,
    tokenize,
    word_hash_trigrams,
)
from tfnotes.slots.seq_files import load_seq_dir
from tfnotes.slots.sequence_context import AppendSequenceMean
from tfnotes.slots.synthetic_atis import generate_synthetic_atis
from tfnotes.slots.token_features import CharacterCNN, OneHotTokens, SummedEmbedding
from tfnotes.slots.unknown_words import RandomUnknownWords
from tfnotes.slots.utterances import SlotDataset, Utterance, is_bio_tag, validate_bio
from tfnotes.text.vocabulary import Vocabulary

__all__ = [
    "AppendSequenceMean", "CRFNegativeLogLikelihood", "CRFScores", "CharacterCNN",
    "LabelVocabulary", "OneHotTokens", "RandomUnknownWords", "SlotDataset", "SummedEmbedding",
    "Utterance", "Vocabularies", "Vocabulary", "build_vocabularies", "char_ids",
    "chunk_scores", "crf_log_likelihood", "encode_tokens", "encode_utterances",
    "generate_synthetic_atis", "intent_accuracy", "is_bio_tag", "load_seq_dir",
    "load_vocabularies", "save_vocabularies", "sentence_accuracy", "split_crf_scores",
    "tokenize", "validate_bio", "word_hash_trigrams",
]

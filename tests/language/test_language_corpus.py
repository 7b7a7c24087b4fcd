"""Corpus readers: the 90/10 text split, PTB words, the bracket corpus, unknowns, bad input."""

import pathlib

import numpy as np
import pytest

from tfnotes.errors import DataError, UsageError
from tfnotes.language import (
    TokenVocabulary,
    read_ptb_corpus,
    read_text_corpus,
    synthetic_corpus,
)
from tfnotes.language.brackets import CLOSERS, OPENERS, ngram_closer_accuracy
from tfnotes.language.corpus import UNKNOWN_CHAR

SHAKESPEARE = pathlib.Path(__file__).resolve().parents[2].parent / "shared/data/shakespeare"


def write(folder, name, text):
    """Writes `text` to folder/name (making the folder); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_text_is_split_90_10_with_the_vocabulary_of_the_training_part(tmp_path):
    text = "abcab\n" * 15  # 90 characters of training text
    corpus = read_text_corpus(write(tmp_path, "input.txt", text + "aZZbcaébb\n"))
    assert len(corpus.train) == 90 and len(corpus.valid) == 10 and corpus.test is None
    vocabulary = corpus.vocabulary
    # Training frequency order (a, b: 30 each; c 15; newline 15), then the unknown symbol.
    assert vocabulary.tokens == ["a", "b", "\n", "c", UNKNOWN_CHAR]
    assert vocabulary.detokenize(corpus.train) == text
    assert vocabulary.detokenize(corpus.valid) == f"a{UNKNOWN_CHAR * 2}bca{UNKNOWN_CHAR}bb\n"
    assert corpus.unknown_counts == {"train": 0, "valid": 3}
    assert "map to '\ufffd': 3 in valid" in corpus.describe()


def test_the_vocabulary_follows_the_tf1_reader_and_keeps_ptbs_own_unknown():
    # TF1 _build_vocab: sorted by (-count, word); PTB's "<unk>" keeps its rank.
    words = "b <unk> a b <eos> c a b <eos>".split()
    vocabulary = TokenVocabulary.build(words, "word")
    assert vocabulary.tokens == ["b", "<eos>", "a", "<unk>", "c"]
    assert vocabulary.unknown_id == 3
    np.testing.assert_array_equal(vocabulary.encode(["c", "zebra"]), [4, 3])
    again = TokenVocabulary.from_dict(vocabulary.to_dict())
    assert again.tokens == vocabulary.tokens and again.level == "word"
    assert TokenVocabulary.build(words, "word", max_size=3).tokens == ["b", "<eos>", "<unk>"]


def test_ptb_words_end_each_line_with_eos(tmp_path):
    folder = tmp_path / "data"
    write(folder, "ptb.train.txt", " the cat sat \n the dog sat \n")
    write(folder, "ptb.valid.txt", " the cow sat \n")
    write(folder, "ptb.test.txt", " a dog \n")
    corpus = read_ptb_corpus(folder)
    vocabulary = corpus.vocabulary
    assert vocabulary.decode(corpus.train) == "the cat sat <eos> the dog sat <eos>".split()
    assert vocabulary.decode(corpus.valid) == ["the", "<unk>", "sat", "<eos>"]
    assert vocabulary.decode(corpus.test) == ["<unk>", "dog", "<eos>"]
    assert corpus.unknown_counts == {"train": 0, "valid": 1, "test": 1}
    assert vocabulary.detokenize(corpus.train) == "the cat sat\nthe dog sat\n"


@pytest.mark.parametrize(
    "files, error, named",
    [
        ({}, UsageError, "input.txt does not exist"),
        ({"input.txt": "  \n"}, DataError, "input.txt: the file is empty"),
        ({"input.txt": b"ok\nbad \xff\n"}, DataError, "input.txt:2: not UTF-8"),
        ({"input.txt": "x"}, DataError, "too few to split"),
    ],
)
def test_bad_text_input_is_one_line_naming_the_file(tmp_path, files, error, named):
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(error) as raised:
        read_text_corpus(tmp_path)
    assert "\n" not in str(raised.value) and named in str(raised.value)
    assert str(tmp_path) in str(raised.value)


def test_a_ptb_folder_missing_a_split_is_one_line_naming_the_file(tmp_path):
    write(tmp_path, "ptb.train.txt", " a b \n")
    write(tmp_path, "ptb.valid.txt", " a \n")
    with pytest.raises(UsageError) as raised:
        read_ptb_corpus(tmp_path)
    message = str(raised.value)
    assert "\n" not in message and f"{tmp_path / 'ptb.test.txt'} does not exist" in message
    with pytest.raises(UsageError, match="no such directory"):
        read_ptb_corpus(tmp_path / "absent")
    write(tmp_path, "ptb.test.txt", "")
    with pytest.raises(DataError, match="ptb.test.txt: the file is empty"):
        read_ptb_corpus(tmp_path)


def test_the_bracket_corpus_is_balanced_deterministic_and_beyond_a_6_gram():
    corpus = synthetic_corpus(seed=3, lines=400)
    again = synthetic_corpus(seed=3, lines=400)
    np.testing.assert_array_equal(corpus.train, again.train)
    assert not np.array_equal(corpus.train[:500], synthetic_corpus(seed=4, lines=400).train[:500])
    text = corpus.vocabulary.detokenize(corpus.train)
    assert len(corpus.valid) > 0 and len(corpus.test) > 0
    for line in text.splitlines():
        stack = []
        for position, char in enumerate(line):
            if char in OPENERS:
                stack.append((OPENERS.index(char), position))
            elif char in CLOSERS:
                kind, opened = stack.pop()
                assert CLOSERS.index(char) == kind and position - opened >= 6
        assert not stack
    # Five characters of context never hold the opener: the best 6-gram guesses.
    valid_text = corpus.vocabulary.detokenize(corpus.valid)
    assert ngram_closer_accuracy(text, valid_text) < 0.6


@pytest.mark.skipif(
    not (SHAKESPEARE / "input.txt").is_file(), reason="no ../shared/data/shakespeare/input.txt"
)
def test_tiny_shakespeare_has_its_published_size():
    corpus = read_text_corpus(SHAKESPEARE)
    assert len(corpus.train) + len(corpus.valid) == 1_115_394
    assert len(corpus.train) == 1_003_854  # int(0.9 * n), nanoGPT's split
    assert len(corpus.vocabulary) == 66  # 65 symbols and the unknown one
    assert corpus.unknown_counts["valid"] == 0

"""Vocabularies, word hashing, padded arrays, and vocabulary files."""

import json

import numpy as np
import pytest

from tfnotes.errors import DataError
from tfnotes.slots import (
    LabelVocabulary,
    Utterance,
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

TRAIN = [
    Utterance(("leave", "taipei", "today"),
              ("O", "B-fromloc.city_name", "B-depart_date.today_relative"), "flight"),
    Utterance(("arrive", "taipei"), ("O", "B-toloc.city_name"), "flight"),
    Utterance(("cheapest", "fare", "to", "new", "york"),
              ("B-cost_relative", "O", "O", "B-toloc.city_name", "I-toloc.city_name"), "airfare"),
]


def test_word_hash_trigrams():
    assert word_hash_trigrams("boy") == ["#bo", "boy", "oy#"]
    assert word_hash_trigrams("a") == ["#a#"]
    assert word_hash_trigrams("taipei") == ["#ta", "tai", "aip", "ipe", "pei", "ei#"]


def test_tokenize_lowercases_and_splits():
    expected = ("leave", "taipei", "on", "november", "2nd")
    assert tokenize("  Leave Taipei\ton November 2nd ") == expected


def test_vocabulary_ids_order_and_unknowns():
    vocabulary = Vocabulary.build([["b", "a", "b"], ["c", "b", "a"], ["d"]])
    # By frequency, then alphabetical.
    assert vocabulary.tokens == ["<pad>", "<unk>", "b", "a", "c", "d"]
    assert (vocabulary.pad_id, vocabulary.unk_id) == (0, 1)
    assert vocabulary.encode(["a", "zzz", "d"]) == [3, 1, 5]
    assert vocabulary.decode([2, 1]) == ["b", "<unk>"]
    assert len(Vocabulary.build([["b", "a", "b"], ["c", "b", "a"]], min_count=2)) == 4
    assert Vocabulary.build([["b", "a", "b"], ["c"]], max_size=3).tokens == ["<pad>", "<unk>", "b"]


def test_vocabulary_json_round_trip():
    vocabulary = Vocabulary.build([["x", "y", "y"]])
    text = vocabulary.to_json()
    assert isinstance(text, str)
    for source in (text, json.loads(text)):
        restored = Vocabulary.from_json(source)
        assert restored.tokens == vocabulary.tokens
        assert restored.encode(["y", "q"]) == vocabulary.encode(["y", "q"])
    labels = LabelVocabulary.build(["O", "B-a"])
    assert LabelVocabulary.from_json(labels.to_json()).labels == ["<pad>", "B-a", "O"]


def test_label_vocabulary_maps_unseen_labels_to_reserved_id_and_counts_them():
    tags = LabelVocabulary.build(["O", "B-a", "I-a", "O"])
    assert tags.labels == ["<pad>", "B-a", "I-a", "O"]
    assert tags.encode(["O", "B-new", "I-a"]) == [3, 0, 2]
    assert tags.unseen(["O", "B-new", "B-new", "I-other"]) == {"B-new": 2, "I-other": 1}


def test_vocabularies_come_from_train_only():
    vocabs = build_vocabularies(TRAIN)
    assert "york" in vocabs.words and "boston" not in vocabs.words
    assert vocabs.intents.labels == ["<unseen>", "airfare", "flight"]
    assert vocabs.tags.labels[0] == "<pad>" and "I-toloc.city_name" in vocabs.tags
    assert "#ta" in vocabs.trigrams and "tai" in vocabs.trigrams
    assert vocabs.sizes() == {"words": len(vocabs.words), "chars": len(vocabs.chars),
                              "trigrams": len(vocabs.trigrams), "tags": len(vocabs.tags),
                              "intents": 3}
    assert len(build_vocabularies(TRAIN, max_words=4).words) == 4


def test_encode_utterances_exact_arrays():
    vocabs = build_vocabularies(TRAIN)
    test = [Utterance(("leave", "boston"), ("O", "B-fromloc.city_name"), "flight"),
            Utterance(("to",), ("B-unseen_tag",), "ground_service")]
    encoded = encode_utterances(test, vocabs, max_word_len=4, max_trigrams=3)
    assert set(encoded) == {"word_ids", "char_ids", "trigram_ids", "tag_ids", "tag_weights",
                            "intent_ids", "lengths"}
    words = vocabs.words
    leave, to = words.encode(["leave", "to"])
    np.testing.assert_array_equal(encoded["word_ids"], [[leave, 1], [to, 0]])
    assert encoded["word_ids"].dtype == np.int32 and encoded["word_ids"].shape == (2, 2)
    np.testing.assert_array_equal(encoded["lengths"], [2, 1])
    assert encoded["char_ids"].shape == (2, 2, 4) and encoded["trigram_ids"].shape == (2, 2, 3)
    np.testing.assert_array_equal(encoded["char_ids"][0, 1], vocabs.chars.encode("bost"))
    np.testing.assert_array_equal(encoded["char_ids"][1, 0], vocabs.chars.encode("to") + [0, 0])
    trigrams = vocabs.trigrams
    trigram_ids = encoded["trigram_ids"]
    np.testing.assert_array_equal(trigram_ids[0, 0], trigrams.encode(["#le", "lea", "eav"]))
    np.testing.assert_array_equal(trigram_ids[1, 0], trigrams.encode(["#to", "to#"]) + [0])
    assert not encoded["char_ids"][1, 1].any() and not encoded["trigram_ids"][1, 1].any()
    tag_ids = vocabs.tags.encode(["O", "B-fromloc.city_name"])
    # The unseen tag and the padding both get id 0.
    np.testing.assert_array_equal(encoded["tag_ids"], [tag_ids, [0, 0]])
    np.testing.assert_array_equal(encoded["tag_weights"], [[1, 1], [0, 0]])
    np.testing.assert_array_equal(encoded["intent_ids"], [vocabs.intents.encode(["flight"])[0], 0])


def test_one_hot_is_word_ids_with_unk_as_other():
    vocabs = build_vocabularies(TRAIN)
    word_ids = encode_tokens([("leave", "mars")], vocabs)["word_ids"]
    one_hot = np.eye(len(vocabs.words))[word_ids]
    assert one_hot.shape == (1, 2, len(vocabs.words))
    assert one_hot[0, 1, vocabs.words.unk_id] == 1  # the unseen word lands in "other"


def test_max_len_pads_and_truncates():
    vocabs = build_vocabularies(TRAIN)
    padded = encode_utterances(TRAIN, vocabs, max_len=7)
    assert padded["word_ids"].shape == (3, 7) and padded["tag_ids"].shape == (3, 7)
    cut = encode_utterances(TRAIN, vocabs, max_len=2)
    np.testing.assert_array_equal(cut["lengths"], [2, 2, 2])
    np.testing.assert_array_equal(cut["tag_ids"], padded["tag_ids"][:, :2])
    assert char_ids("taipei", vocabs.chars, max_word_len=3) == vocabs.chars.encode("tai")


def test_save_and_load_vocabularies(tmp_path):
    vocabs = build_vocabularies(TRAIN)
    path = tmp_path / "vocabularies.json"
    save_vocabularies(path, vocabs, extra={"max_len": 9})
    restored, extra = load_vocabularies(path)
    assert extra == {"max_len": 9}
    assert restored.sizes() == vocabs.sizes()
    sentence = [Utterance(tokenize("Leave New York today"), ("O",) * 4, "flight")]
    before, after = encode_utterances(sentence, vocabs), encode_utterances(sentence, restored)
    for name in before:
        np.testing.assert_array_equal(before[name], after[name])


def test_loading_a_wrong_file_is_a_data_error(tmp_path):
    path = tmp_path / "v.json"
    path.write_text('{"format": "something else"}')
    with pytest.raises(DataError, match="not a tfnotes vocabularies file"):
        load_vocabularies(path)
    path.write_text("{not json")
    with pytest.raises(DataError, match="cannot read vocabularies"):
        load_vocabularies(path)
    path.write_text('{"format": "tfnotes.vocabularies", "words": {"tokens": ["<pad>", "<unk>"]}}')
    with pytest.raises(DataError, match="lacks 'chars'"):
        load_vocabularies(path)

"""Utterance, SlotDataset and the BIO tag check."""

import pytest

from tfnotes.errors import DataError
from tfnotes.slots import SlotDataset, Utterance, is_bio_tag, validate_bio


@pytest.mark.parametrize("tag", ["O", "B-x", "I-x", "B-toloc.city_name", "I-a-b"])
def test_well_formed_tags_pass(tag):
    assert is_bio_tag(tag)
    validate_bio([tag], "f:1")


@pytest.mark.parametrize(
    "tag", ["", "o", "B", "B-", "I-", "b-x", "X-x", "O-x", "E-x", "S-x", "B_x", "Bx"])
def test_malformed_tags_fail_naming_place_and_token(tag):
    assert not is_bio_tag(tag)
    with pytest.raises(DataError) as error:
        validate_bio(["O", tag], "train/seq.out:7")
    message = str(error.value)
    assert message.startswith("train/seq.out:7: ")
    assert repr(tag) in message and "token 2" in message
    assert "\n" not in message


def test_i_tag_after_o_or_other_type_is_a_valid_sequence():
    # conlleval reads these as chunk starts, so they are not errors.
    validate_bio(["O", "I-a", "I-b", "B-a", "I-a"], "f:1")


def test_utterance_stores_tuples_and_is_hashable():
    utterance = Utterance(["leave", "taipei"], ["O", "B-fromloc.city_name"], "flight", [1])
    assert utterance.tokens == ("leave", "taipei")
    assert utterance.focus == (1,)
    assert utterance.text == "leave taipei"
    same = Utterance(("leave", "taipei"), ("O", "B-fromloc.city_name"), "flight", (1,))
    assert len({utterance, same}) == 1
    with pytest.raises(AttributeError):
        utterance.intent = "airfare"


def test_utterance_rejects_tag_count_mismatch_and_bad_focus():
    with pytest.raises(DataError, match="1 tags for 2 tokens"):
        Utterance(("a", "b"), ("O",), "x")
    with pytest.raises(DataError, match="focus index 2"):
        Utterance(("a", "b"), ("O", "O"), "x", (2,))


def test_slot_dataset_defaults_are_independent():
    first, second = SlotDataset([], [], []), SlotDataset([], [], [])
    first.minimal_pairs.append(Utterance(("a",), ("O",), "x"))
    assert second.minimal_pairs == []
    assert second.name == ""
    assert list(first.splits()) == ["train", "valid", "test", "minimal_pairs"]
    assert list(second.splits()) == ["train", "valid", "test"]


def test_slot_types_drop_prefixes_and_outside():
    from tfnotes.slots.utterances import slot_types

    assert slot_types(["O", "B-a.b", "I-a.b", "I-c"]) == {"a.b", "c"}

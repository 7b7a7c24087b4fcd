"""SlotIntentDecoder and ensemble averaging on hand-made model outputs."""

import numpy as np
import pytest

from tfnotes.slots.bio_decoding import (
    joint_intent_bio_decode,
    tags_allowed_by_intent,
    viterbi_bio_decode,
)
from tfnotes.slots.intent_decoding import SlotIntentDecoder, average_ensemble_outputs, log_softmax

TAGS = ["<pad>", "O", "B-city", "I-city", "B-date"]
INTENTS = ["<unseen>", "flight", "weather"]
SLOT_TYPES = {"flight": ["city", "date"], "weather": ["date"]}


def random_outputs(seed=0, crf=False, count=3, time=4):
    rng = np.random.default_rng(seed)
    slots = rng.normal(size=(count, time, len(TAGS)))
    if crf:  # CRFScores packing: transitions, start and end rows after the tokens
        extra = rng.normal(size=(len(TAGS) + 2, len(TAGS)))
        slots = np.concatenate([slots, np.broadcast_to(extra, (count, *extra.shape))], axis=1)
    return {"slots": slots, "intent": rng.normal(size=(count, len(INTENTS)))}


def test_argmax_picks_each_best_tag_and_intent_never_the_reserved_ids():
    outputs = {"slots": np.zeros((1, 3, len(TAGS))), "intent": np.array([[9.0, 1.0, 2.0]])}
    outputs["slots"][0, :, 0] = 9.0  # padding scores highest, but is never a tag
    outputs["slots"][0, [0, 1, 2], [2, 3, 1]] = 1.0
    tag_ids, intent_ids = SlotIntentDecoder(TAGS, INTENTS, crf=False, mode="argmax").decode(
        outputs, [2]
    )
    assert tag_ids == [[2, 3]] and intent_ids == [2]


def test_viterbi_and_joint_modes_agree_with_the_decoding_functions():
    outputs = random_outputs(crf=True)
    emissions = outputs["slots"][:, :4].copy()
    emissions[..., 0] = -np.inf
    transitions, start, end = (
        outputs["slots"][0, 4:9],
        outputs["slots"][0, 9],
        outputs["slots"][0, 10],
    )
    lengths = [4, 2, 3]
    tag_ids, intent_ids = SlotIntentDecoder(TAGS, INTENTS, crf=True).decode(outputs, lengths)
    for row, length in enumerate(lengths):
        assert tag_ids[row] == viterbi_bio_decode(
            emissions[row], length, TAGS, transitions, start, end
        )
    intents = outputs["intent"].copy()
    intents[:, 0] = -np.inf
    assert intent_ids == list(np.argmax(intents, axis=-1))

    joint = SlotIntentDecoder(TAGS, INTENTS, crf=True, mode="joint", slot_types=SLOT_TYPES)
    tag_ids, intent_ids = joint.decode(outputs, lengths)
    allowed = tags_allowed_by_intent(SLOT_TYPES, TAGS, INTENTS)
    for row, length in enumerate(lengths):
        expected = joint_intent_bio_decode(
            emissions[row],
            log_softmax(intents[row]),
            length,
            TAGS,
            allowed,
            transitions,
            start,
            end,
        )
        assert (intent_ids[row], tag_ids[row]) == expected


def test_average_ensemble_outputs_means_slot_scores_and_intent_log_probabilities():
    first, second = random_outputs(seed=1), random_outputs(seed=2)
    members = {
        "slots_0": first["slots"],
        "intent_0": first["intent"],
        "slots_1": second["slots"],
        "intent_1": second["intent"],
    }
    averaged = average_ensemble_outputs(members, 2)
    np.testing.assert_allclose(averaged["slots"], (first["slots"] + second["slots"]) / 2)
    np.testing.assert_allclose(
        averaged["intent"], (log_softmax(first["intent"]) + log_softmax(second["intent"])) / 2
    )
    assert average_ensemble_outputs(first, 1).keys() == first.keys()


def test_bad_decoder_settings_are_refused():
    with pytest.raises(ValueError, match="argmax"):
        SlotIntentDecoder(TAGS, INTENTS, crf=True, mode="argmax")
    with pytest.raises(ValueError, match="slot types"):
        SlotIntentDecoder(TAGS, INTENTS, crf=False, mode="joint")
    with pytest.raises(ValueError, match="decode mode"):
        SlotIntentDecoder(TAGS, INTENTS, crf=False, mode="beam")

"""Slot-value substitution: conlleval's chunks, values per intent and type, the copies it makes."""

import numpy as np

from tfnotes.slots import chunk_scores
from tfnotes.slots.substitution import (
    SHARED_POOL,
    chunk_spans,
    slot_values,
    substituted,
    substituted_copies,
)
from tfnotes.slots.utterances import Utterance, validate_bio

WATCH = Utterance(
    tuple("i d like to watch glass chin at the movie house".split()),
    (
        "O",
        "O",
        "O",
        "O",
        "O",
        "B-movie_name",
        "I-movie_name",
        "O",
        "O",
        "B-object_location_type",
        "I-object_location_type",
    ),
    "SearchScreeningEvent",
)
SEE = Utterance(
    tuple("i want to see the trouble with girls".split()),
    ("O", "O", "O", "O", "B-movie_name", "I-movie_name", "I-movie_name", "I-movie_name"),
    "SearchScreeningEvent",
)
BOOK = Utterance(
    tuple("rate this novel five".split()),
    ("O", "B-object_select", "B-object_type", "B-rating_value"),
    "RateBook",
)
SHOW = Utterance(
    tuple("find the tv show dallas".split()),
    ("O", "O", "B-object_type", "I-object_type", "B-object_name"),
    "SearchCreativeWork",
)
NO_SLOTS = Utterance(("hello",), ("O",), "SearchScreeningEvent")


def test_chunks_split_as_conlleval_splits_them():
    assert chunk_spans(WATCH.tags) == [(5, 7, "movie_name"), (9, 11, "object_location_type")]
    assert chunk_spans(("B-a", "B-a", "I-a")) == [
        (0, 1, "a"),
        (1, 3, "a"),
    ]  # B- always starts a chunk
    assert chunk_spans(("O", "I-a", "I-b", "O")) == [
        (1, 2, "a"),
        (2, 3, "b"),
    ]  # I- after O or another type too
    assert chunk_spans(("O", "O")) == []


def test_chunk_spans_agree_with_the_conlleval_scorer():
    # Dropping one chunk from the prediction costs exactly that chunk in the scorer's recall.
    rng = np.random.default_rng(0)
    tags = [["O", "B-a", "I-a", "B-b", "I-a", "I-b"][i] for i in rng.integers(0, 6, size=40)]
    spans = chunk_spans(tags)
    start, end, _ = spans[len(spans) // 2]
    without_one = list(tags)
    without_one[start:end] = ["O"] * (end - start)
    assert chunk_scores([tags], [without_one])["recall"] == (len(spans) - 1) / len(spans)


def test_values_are_kept_per_intent_and_slot_type():
    values = slot_values([WATCH, SEE, BOOK, SHOW])
    assert values["SearchScreeningEvent", "movie_name"] == [
        ("glass", "chin"),
        ("the", "trouble", "with", "girls"),
    ]
    assert values["RateBook", "object_type"] == [("novel",)]
    assert values["SearchCreativeWork", "object_type"] == [("tv", "show")]


def test_a_copy_swaps_every_chunk_and_keeps_the_other_words_and_the_intent():
    values = slot_values([WATCH, SEE])
    copies = {substituted(WATCH, values, np.random.default_rng(seed)).text for seed in range(20)}
    assert copies == {
        "i d like to watch glass chin at the movie house",
        "i d like to watch the trouble with girls at the movie house",
    }
    copy = substituted(WATCH, values, np.random.default_rng(1))
    assert copy.intent == WATCH.intent
    validate_bio(copy.tags, "copy")
    assert [(kind, copy.tokens[start:end]) for start, end, kind in chunk_spans(copy.tags)][1] == (
        "object_location_type",
        ("movie", "house"),
    )


def test_copies_depend_on_the_seed_respect_max_len_and_skip_sentences_without_slots():
    utterances = [WATCH, SEE, NO_SLOTS] * 20
    copies = substituted_copies(utterances, copies=2, seed=0, max_len=11)
    assert max(len(copy.tokens) for copy in copies) <= 11
    # Every SEE copy fits; WATCH with "the trouble with girls" would be 13 words, so it is drawn
    # again, and left out when ten draws in a row give that title (it happens once in these 40).
    watch_copies = [copy.text for copy in copies if copy.tokens[4] == "watch"]
    assert len(copies) - len(watch_copies) == 40 and 36 <= len(watch_copies) < 40
    assert set(watch_copies) == {WATCH.text}
    assert copies == substituted_copies(utterances, copies=2, seed=0, max_len=11)
    assert copies != substituted_copies(utterances, copies=2, seed=1, max_len=11)
    assert substituted_copies(utterances, copies=0, seed=0, max_len=11) == []


def test_shared_types_pool_their_values_over_intents_and_keep_each_chunk_tag():
    values = slot_values([WATCH, SHOW, BOOK], shared_types={"movie_name", "object_name"})
    assert values[SHARED_POOL] == [("glass", "chin"), ("dallas",)]
    assert ("SearchScreeningEvent", "movie_name") not in values
    assert values["SearchCreativeWork", "object_type"] == [
        ("tv", "show")
    ]  # other types stay per intent
    copies = {
        substituted(SHOW, values, np.random.default_rng(seed), {"movie_name", "object_name"})
        for seed in range(20)
    }
    assert {copy.text for copy in copies} == {
        "find the tv show dallas",
        "find the tv show glass chin",
    }
    assert {copy.intent for copy in copies} == {"SearchCreativeWork"}
    assert {copy.tags[-1] for copy in copies} == {"B-object_name", "I-object_name"}

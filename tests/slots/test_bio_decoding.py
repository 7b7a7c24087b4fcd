"""BIO-constrained Viterbi and joint intent + slot decoding against worked cases, brute force."""

import itertools

import numpy as np
import pytest

from tfnotes.slots.bio_decoding import (
    best_bio_paths,
    bio_transition_mask,
    joint_intent_bio_decode,
    slot_types_by_intent,
    tags_allowed_by_intent,
    viterbi_bio_decode,
)

LABELS = ["<pad>", "O", "B-city", "I-city", "B-date", "I-date"]


def is_well_formed(tags):
    previous = "O"
    for tag in tags:
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            return False
        previous = tag
    return True


def test_transition_mask_allows_inside_only_after_the_same_type():
    allowed, start = bio_transition_mask(LABELS)
    assert allowed[2, 3] and allowed[3, 3] and not allowed[1, 3] and not allowed[4, 3]
    assert not allowed[:, 0].any() and not allowed[0].any()
    assert start.tolist() == [False, True, True, False, True, False]


def test_greedy_o_then_inside_becomes_a_begin():
    # Token-wise best is "O I-city"; the legal best turns I-city into B-city.
    log_probs = np.log(
        np.array(
            [
                [0.0, 0.5, 0.4, 0.0, 0.1, 0.0],
                [0.0, 0.1, 0.3, 0.6, 0.0, 0.0],
            ]
        )
        + 1e-9
    )
    assert [LABELS[i] for i in viterbi_bio_decode(log_probs, 2, LABELS)] == ["B-city", "I-city"]


def test_matches_brute_force_on_random_scores():
    rng = np.random.default_rng(0)
    for _ in range(20):
        log_probs = rng.normal(size=(4, len(LABELS)))
        best = max(
            (
                path
                for path in itertools.product(range(1, len(LABELS)), repeat=4)
                if is_well_formed([LABELS[i] for i in path])
            ),
            key=lambda path: sum(log_probs[t, i] for t, i in enumerate(path)),
        )
        assert viterbi_bio_decode(log_probs, 4, LABELS) == list(best)


def test_length_cuts_the_padding_and_zero_length_is_empty():
    log_probs = np.zeros((5, len(LABELS)))
    assert len(viterbi_bio_decode(log_probs, 3, LABELS)) == 3
    assert viterbi_bio_decode(log_probs, 0, LABELS) == []


# --- joint intent + slot decoding ----------------------------------------------------------

INTENTS = ["<unseen>", "book_flight", "weather"]
SLOT_TYPES = {"book_flight": ["city", "date"], "weather": ["date"]}


def path_score(path, scores, transitions, start, end):
    total = start[path[0]] + end[path[-1]] + sum(scores[t, tag] for t, tag in enumerate(path))
    return total + sum(transitions[a, b] for a, b in zip(path, path[1:]))


def test_best_bio_paths_return_their_scores_and_keep_to_each_restriction():
    rng = np.random.default_rng(1)
    scores, transitions = (
        rng.normal(size=(4, len(LABELS))),
        rng.normal(size=(len(LABELS), len(LABELS))),
    )
    start, end = rng.normal(size=len(LABELS)), rng.normal(size=len(LABELS))
    every_tag = np.ones(len(LABELS), dtype=bool)
    no_city = np.array([label not in ("B-city", "I-city") for label in LABELS])
    (free, restricted), path_scores = best_bio_paths(
        scores, 4, LABELS, transitions, start, end, allowed_tags=np.stack([every_tag, no_city])
    )
    assert free == viterbi_bio_decode(scores, 4, LABELS, transitions, start, end)
    assert not {LABELS[i] for i in restricted} & {"B-city", "I-city"}
    for path, score in zip((free, restricted), path_scores):
        assert score == pytest.approx(path_score(path, scores, transitions, start, end))


def test_slot_types_by_intent_and_the_allowed_tags_they_give():
    examples = [
        ("weather", ["O", "B-date"]),
        ("book_flight", ["B-city", "I-city", "O"]),
        ("book_flight", ["O", "B-date", "I-date"]),
    ]
    assert slot_types_by_intent(examples) == {"book_flight": ["city", "date"], "weather": ["date"]}
    allowed = tags_allowed_by_intent(SLOT_TYPES, LABELS, INTENTS)
    assert allowed.tolist() == [
        [False] * 6,  # <unseen>: never chosen
        [False, True, True, True, True, True],  # book_flight: O, city, date
        [False, True, False, False, True, True],  # weather: O, date
    ]


def test_joint_decoding_lets_a_confident_slot_overrule_a_hesitant_intent():
    # The intent head leans to "weather" (0.6 / 0.4), but the second word is very
    # likely a city, which only "book_flight" sentences have.
    scores = np.log(
        np.array(
            [
                [1e-9, 0.9, 0.05, 1e-9, 0.05, 1e-9],
                [1e-9, 0.05, 0.9, 1e-9, 0.05, 1e-9],
            ]
        )
    )
    intents = np.log(np.array([1e-9, 0.4, 0.6]))
    allowed = tags_allowed_by_intent(SLOT_TYPES, LABELS, INTENTS)
    intent, path = joint_intent_bio_decode(scores, intents, 2, LABELS, allowed)
    assert INTENTS[intent] == "book_flight" and [LABELS[i] for i in path] == ["O", "B-city"]
    # Without the city, the intent head's choice stands.
    scores[1] = np.log([1e-9, 0.9, 0.05, 1e-9, 0.05, 1e-9])
    intent, path = joint_intent_bio_decode(scores, intents, 2, LABELS, allowed)
    assert INTENTS[intent] == "weather" and [LABELS[i] for i in path] == ["O", "O"]


def test_joint_decoding_matches_brute_force_over_compatible_pairs():
    rng = np.random.default_rng(2)
    allowed = tags_allowed_by_intent(SLOT_TYPES, LABELS, INTENTS)
    for _ in range(10):
        scores, transitions = (
            rng.normal(size=(3, len(LABELS))),
            rng.normal(size=(len(LABELS), len(LABELS))),
        )
        start, end = rng.normal(size=len(LABELS)), rng.normal(size=len(LABELS))
        intents = np.log(rng.dirichlet(np.ones(len(INTENTS))))
        intents[0] = -np.inf
        pairs = [
            (
                intents[intent] + path_score(path, scores, transitions, start, end),
                intent,
                list(path),
            )
            for intent in (1, 2)
            for path in itertools.product(range(1, len(LABELS)), repeat=3)
            if is_well_formed([LABELS[i] for i in path]) and all(allowed[intent, i] for i in path)
        ]
        _, best_intent, best_path = max(pairs)
        assert joint_intent_bio_decode(
            scores, intents, 3, LABELS, allowed, transitions, start, end
        ) == (best_intent, best_path)

"""BIO-constrained Viterbi decoding against hand-worked cases and brute force."""

import itertools

import numpy as np

from tfnotes.data.bio_decoding import bio_transition_mask, viterbi_bio_decode

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
    log_probs = np.log(np.array([
        [0.0, 0.5, 0.4, 0.0, 0.1, 0.0],
        [0.0, 0.1, 0.3, 0.6, 0.0, 0.0],
    ]) + 1e-9)
    assert [LABELS[i] for i in viterbi_bio_decode(log_probs, 2, LABELS)] == ["B-city", "I-city"]


def test_matches_brute_force_on_random_scores():
    rng = np.random.default_rng(0)
    for _ in range(20):
        log_probs = rng.normal(size=(4, len(LABELS)))
        best = max(
            (path for path in itertools.product(range(1, len(LABELS)), repeat=4)
             if is_well_formed([LABELS[i] for i in path])),
            key=lambda path: sum(log_probs[t, i] for t, i in enumerate(path)),
        )
        assert viterbi_bio_decode(log_probs, 4, LABELS) == list(best)


def test_length_cuts_the_padding_and_zero_length_is_empty():
    log_probs = np.zeros((5, len(LABELS)))
    assert len(viterbi_bio_decode(log_probs, 3, LABELS)) == 3
    assert viterbi_bio_decode(log_probs, 0, LABELS) == []

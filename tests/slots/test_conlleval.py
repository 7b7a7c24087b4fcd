"""conlleval chunk scores (through seqeval), intent and sentence accuracy.

Expected values are worked out by hand from conlleval's rules; a line-by-line
port of conlleval.pl's counting loop checks seqeval on random tag sequences.
"""

import random
import warnings

import pytest
from seqeval.metrics.sequence_labeling import get_entities

from tfnotes.errors import DataError
from tfnotes.slots import chunk_scores, intent_accuracy, sentence_accuracy


def scores(precision, recall):
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


# (gold sentences, predicted sentences, expected precision, expected recall)
HAND_CASES = {
    "identical": ([["O", "B-a", "I-a", "O", "B-b"]], [["O", "B-a", "I-a", "O", "B-b"]], 1.0, 1.0),
    # gold chunk a[1..2] starts with I-; predicted with B-: same chunk.
    "I after O starts a chunk": ([["O", "I-a", "I-a"]], [["O", "B-a", "I-a"]], 1.0, 1.0),
    # gold: a[0], b[1]; predicted: one chunk a[0..1] -> 0 of 1 predicted, 0 of 2 gold.
    "I after other type starts a chunk": ([["B-a", "I-b"]], [["B-a", "I-a"]], 0.0, 0.0),
    "I after other type, matched": ([["B-a", "I-b"]], [["B-a", "B-b"]], 1.0, 1.0),
    # gold: a[0], a[1]; predicted: a[0..1] -> 0/1 and 0/2.
    "B after B is two chunks": ([["B-a", "B-a"]], [["B-a", "I-a"]], 0.0, 0.0),
    # predicted a[0..1] vs gold a[0..2]: overlap is not a match; b[4] right.
    "partial overlap is wrong": ([["B-a", "I-a", "I-a", "O", "B-b"]],
                                 [["B-a", "I-a", "O", "O", "B-b"]], 0.5, 0.5),
    "same span other type is wrong": ([["B-a", "I-a"]], [["B-b", "I-b"]], 0.0, 0.0),
    # 3 gold chunks (a, b, c), 2 predicted (a right, d wrong): P 1/2, R 1/3.
    "mixed": ([["B-a", "O", "B-b", "I-b"], ["B-c"]], [["B-a", "O", "O", "B-d"], ["O"]], 0.5, 1 / 3),
    # sentences are separate: I-a opening sentence 2 does not continue sentence 1's chunk.
    "no chunk spans sentences": ([["O", "B-a"], ["I-a", "O"]],
                                 [["O", "B-a"], ["B-a", "O"]], 1.0, 1.0),
    "nothing predicted": ([["B-a", "O"]], [["O", "O"]], 0.0, 0.0),
    "no chunks at all": ([["O", "O"]], [["O", "O"]], 0.0, 0.0),
    # 2 predicted, 1 gold, 1 correct.
    "extra prediction": ([["B-a", "O", "O"]], [["B-a", "O", "B-a"]], 0.5, 1.0),
}


@pytest.mark.parametrize("case", list(HAND_CASES))
def test_hand_computed_cases(case):
    gold, predicted, precision, recall = HAND_CASES[case]
    result = chunk_scores(gold, predicted)
    assert result == pytest.approx(scores(precision, recall))
    assert all(type(value) is float and 0.0 <= value <= 1.0 for value in result.values())


def test_mixed_case_f1_value():
    gold, predicted, _, _ = HAND_CASES["mixed"]
    assert chunk_scores(gold, predicted)["f1"] == pytest.approx(0.4)  # 2 * (1/2 * 1/3) / (5/6)


@pytest.mark.parametrize("tags, chunks", [
    (["O", "I-a", "I-a"], [("a", 1, 2)]),
    (["B-a", "I-b"], [("a", 0, 0), ("b", 1, 1)]),
    (["B-a", "B-a"], [("a", 0, 0), ("a", 1, 1)]),
    (["I-a", "O", "I-a", "B-a", "I-a"], [("a", 0, 0), ("a", 2, 2), ("a", 3, 4)]),
    (["B-toloc.city_name", "I-toloc.city_name"], [("toloc.city_name", 0, 1)]),
])
def test_seqeval_chunks_follow_conlleval_rules(tags, chunks):
    assert get_entities(tags) == chunks


def test_no_warnings_when_nothing_is_predicted():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert chunk_scores([["B-a"]], [["O"]])["f1"] == 0.0
        assert chunk_scores([], [])["f1"] == 0.0


def conlleval_counts(gold_sentences, predicted_sentences):
    """(correct, gold, predicted) chunk counts from a port of conlleval.pl's main loop."""
    def split(tag):
        head, dash, chunk_type = tag.partition("-")
        return (head, chunk_type) if dash else (tag, "")

    def end_of_chunk(previous, tag, previous_type, chunk_type):
        end = (previous, tag) in {("B", "B"), ("B", "O"), ("I", "B"), ("I", "O"),
                                  ("E", "E"), ("E", "I"), ("E", "O")}
        type_changed = previous not in ("O", ".") and previous_type != chunk_type
        return end or type_changed or previous in ("[", "]")

    def start_of_chunk(previous, tag, previous_type, chunk_type):
        start = (previous, tag) in {("B", "B"), ("I", "B"), ("O", "B"), ("O", "I"),
                                    ("E", "E"), ("E", "I"), ("O", "E")}
        type_changed = tag not in ("O", ".") and previous_type != chunk_type
        return start or type_changed or tag in ("[", "]")

    lines = []
    for gold, predicted in zip(gold_sentences, predicted_sentences):
        lines += list(zip(gold, predicted)) + [("O", "O")]  # a boundary line reads as O O
    correct_chunks = found_correct = found_guessed = 0
    in_correct = False
    last_correct, last_correct_type, last_guessed, last_guessed_type = "O", "", "O", ""
    for gold_tag, guessed_tag in lines:
        correct, correct_type = split(gold_tag)
        guessed, guessed_type = split(guessed_tag)
        if in_correct:
            correct_ends = end_of_chunk(last_correct, correct, last_correct_type, correct_type)
            guessed_ends = end_of_chunk(last_guessed, guessed, last_guessed_type, guessed_type)
            if correct_ends and guessed_ends and last_guessed_type == last_correct_type:
                in_correct = False
                correct_chunks += 1
            elif correct_ends != guessed_ends or guessed_type != correct_type:
                in_correct = False
        correct_starts = start_of_chunk(last_correct, correct, last_correct_type, correct_type)
        guessed_starts = start_of_chunk(last_guessed, guessed, last_guessed_type, guessed_type)
        if correct_starts and guessed_starts and guessed_type == correct_type:
            in_correct = True
        found_correct += correct_starts
        found_guessed += guessed_starts
        last_correct, last_correct_type, last_guessed, last_guessed_type = (
            correct, correct_type, guessed, guessed_type)
    if in_correct:
        correct_chunks += 1
    return correct_chunks, found_correct, found_guessed


def conlleval_scores(gold, predicted):
    correct, gold_count, predicted_count = conlleval_counts(gold, predicted)
    return scores(correct / predicted_count if predicted_count else 0.0,
                  correct / gold_count if gold_count else 0.0)


@pytest.mark.parametrize("case", list(HAND_CASES))
def test_conlleval_port_agrees_with_hand_cases(case):
    gold, predicted, precision, recall = HAND_CASES[case]
    assert conlleval_scores(gold, predicted) == pytest.approx(scores(precision, recall))


def test_seqeval_matches_conlleval_on_random_bio_sequences():
    rng = random.Random(0)
    tags = ["O", "O", "B-a", "I-a", "B-b", "I-b", "I-c"]
    for _ in range(300):
        lengths = [rng.randint(1, 8) for _ in range(rng.randint(1, 4))]
        gold = [[rng.choice(tags) for _ in range(n)] for n in lengths]
        # Predictions near the gold, so that correct chunks happen often.
        predicted = [[tag if rng.random() < 0.7 else rng.choice(tags) for tag in sentence]
                     for sentence in gold]
        expected = conlleval_scores(gold, predicted)
        assert chunk_scores(gold, predicted) == pytest.approx(expected), (gold, predicted)


def test_iobes_is_where_seqeval_and_conlleval_differ_so_it_is_rejected():
    # conlleval keeps one chunk across "E-a B-a"; seqeval ends a chunk after every E-.
    assert conlleval_counts([["B-a", "E-a", "B-a"]], [["B-a", "E-a", "B-a"]])[1] == 1
    assert len(get_entities(["B-a", "E-a", "B-a"])) == 2
    with pytest.raises(DataError, match="invalid BIO tag 'E-a'"):
        chunk_scores([["B-a", "E-a"]], [["B-a", "E-a"]])


def test_misaligned_inputs_are_data_errors():
    with pytest.raises(DataError, match="1 gold sentences but 2 predicted"):
        chunk_scores([["O"]], [["O"], ["O"]])
    with pytest.raises(DataError, match="sentence 1: 2 gold tags but 1 predicted"):
        chunk_scores([["O", "B-a"]], [["O"]])
    with pytest.raises(DataError, match="predicted sentence 1: invalid BIO tag"):
        chunk_scores([["O"]], [["B-"]])


def test_intent_accuracy():
    assert intent_accuracy(["a", "b", "c", "d"], ["a", "b", "x", "d"]) == 0.75
    assert intent_accuracy([], []) == 0.0
    with pytest.raises(DataError):
        intent_accuracy(["a"], [])


def test_sentence_accuracy_needs_intent_and_every_tag():
    gold_tags = [["O", "B-a"], ["B-b"], ["O"], ["I-a"]]
    predicted_tags = [["O", "B-a"], ["B-b"], ["B-a"], ["I-a"]]
    gold_intents = ["x", "y", "x", "z"]
    predicted_intents = ["x", "x", "x", "z"]
    # 1: right; 2: wrong intent; 3: wrong tag; 4: right.
    assert sentence_accuracy(gold_tags, predicted_tags, gold_intents, predicted_intents) == 0.5
    # A tuple and a list with the same tags are equal.
    assert sentence_accuracy([("O",)], [["O"]], ["x"], ["x"]) == 1.0
    with pytest.raises(DataError, match="2 tag sequences but 1 intents"):
        sentence_accuracy([["O"], ["O"]], [["O"], ["O"]], ["x"], ["x"])

"""The generated ATIS-like corpus: determinism, splits, tags, and the Taipei minimal pairs."""

import collections
import random
import time

import pytest

from tfnotes.errors import UsageError
from tfnotes.slots import generate_synthetic_atis, validate_bio
from tfnotes.slots.synthetic_atis import ARRIVE_VERBS, CITIES, LEAVE_VERBS


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic_atis(seed=0)


def test_sizes_and_name(corpus):
    assert corpus.name == "synthetic_atis"
    assert [len(corpus.train), len(corpus.valid), len(corpus.test), len(corpus.minimal_pairs)] == [
        4000, 500, 500, 200]


def test_generation_is_fast():
    start = time.perf_counter()
    generate_synthetic_atis(seed=3)
    assert time.perf_counter() - start < 1.0


def test_same_seed_same_data_other_seed_other_data(corpus):
    again = generate_synthetic_atis(seed=0)
    assert again == corpus
    other = generate_synthetic_atis(seed=1)
    assert other.train != corpus.train
    assert other.minimal_pairs != corpus.minimal_pairs


def test_splits_and_minimal_pairs_are_disjoint(corpus):
    sets = [{u.tokens for u in split}
            for split in (corpus.train, corpus.valid, corpus.test, corpus.minimal_pairs)]
    assert [len(s) for s in sets] == [4000, 500, 500, 200]  # no duplicates inside a split
    for first in range(4):
        for second in range(first + 1, 4):
            assert not sets[first] & sets[second], (first, second)


def test_tags_are_bio_and_atis_style(corpus):
    tags = collections.Counter()
    for split in corpus.splits().values():
        for utterance in split:
            validate_bio(utterance.tags, utterance.text)
            tags.update(utterance.tags)
    for expected in ["B-toloc.city_name", "I-toloc.city_name", "B-fromloc.city_name",
                     "I-fromloc.city_name", "B-depart_date.month_name", "B-depart_date.day_number",
                     "I-depart_date.day_number", "B-depart_date.day_name",
                     "B-arrive_date.month_name", "B-arrive_date.day_number",
                     "B-depart_time.period_of_day", "B-depart_time.time", "I-depart_time.time",
                     "B-arrive_time.time", "B-airline_name", "B-class_type", "B-city_name",
                     "B-transport_type", "B-flight_number", "B-round_trip", "B-stoploc.city_name"]:
        assert tags[expected] >= 5, expected
    train_tags = {tag for u in corpus.train for tag in u.tags}
    assert 35 <= len(train_tags) <= 60


def test_intents_and_variety(corpus):
    intents = collections.Counter(u.intent for u in corpus.train)
    assert set(intents) == {
        "flight", "airfare", "ground_service", "airline", "flight_time", "quantity"}
    assert intents.most_common(1)[0][0] == "flight"
    assert min(intents.values()) >= 100
    assert len({token for u in corpus.train for token in u.tokens}) >= 250
    assert {u.intent for u in corpus.test} == set(intents)


def test_cities_serve_both_roles_about_equally_in_training(corpus):
    roles = collections.defaultdict(collections.Counter)
    for utterance in corpus.train:
        for token, tag in zip(utterance.tokens, utterance.tags):
            if tag in ("B-toloc.city_name", "B-fromloc.city_name"):
                roles[token][tag] += 1
    first_words = {city.split()[0] for city in CITIES}
    assert set(roles) == first_words
    for word, counts in roles.items():
        share = counts["B-toloc.city_name"] / sum(counts.values())
        assert 0.25 < share < 0.75, (word, counts)


def test_course_example_is_the_first_pair(corpus):
    arrive, leave = corpus.minimal_pairs[:2]
    assert arrive.text == "arrive taipei on november 2nd"
    assert arrive.tags == ("O", "B-toloc.city_name", "O",
                           "B-arrive_date.month_name", "B-arrive_date.day_number")
    assert leave.text == "leave taipei on november 2nd"
    assert leave.tags == ("O", "B-fromloc.city_name", "O",
                          "B-depart_date.month_name", "B-depart_date.day_number")
    assert arrive.focus == leave.focus == (1,)


def strip_verb(utterance, verbs):
    """The utterance text with its verb phrase replaced by a placeholder."""
    text = f" {utterance.text} "
    for verb in sorted(verbs, key=len, reverse=True):
        if f" {verb} " in text:
            return text.replace(f" {verb} ", " VERB ", 1)
    raise AssertionError(f"no verb in {utterance.text!r}")


def test_pairs_differ_only_in_the_verb_and_flip_city_and_date_roles(corpus):
    pairs = list(zip(corpus.minimal_pairs[0::2], corpus.minimal_pairs[1::2]))
    dated = 0
    for arrive, leave in pairs:
        assert strip_verb(arrive, ARRIVE_VERBS) == strip_verb(leave, LEAVE_VERBS)
        assert [arrive.tokens[i] for i in arrive.focus] == [leave.tokens[i] for i in leave.focus]
        assert arrive.focus and {arrive.tags[i][2:] for i in arrive.focus} == {"toloc.city_name"}
        assert {leave.tags[i][2:] for i in leave.focus} == {"fromloc.city_name"}
        arrive_rest = [tag for i, tag in enumerate(arrive.tags)
                       if i not in arrive.focus and tag != "O"]
        leave_rest = [tag for i, tag in enumerate(leave.tags)
                      if i not in leave.focus and tag != "O"]
        assert all(tag[2:].startswith(("arrive_date.", "arrive_time.")) for tag in arrive_rest)
        assert [tag.replace("arrive_date", "depart_date").replace("arrive_time", "depart_time")
                for tag in arrive_rest] == leave_rest
        dated += bool(arrive_rest)
        assert arrive.intent == leave.intent == "flight"
    assert dated > len(pairs) // 2


def test_context_blind_taggers_sit_at_chance_on_the_pairs(corpus):
    # The best a tagger that sees only the word can do: the word's majority tag in training.
    by_word = collections.defaultdict(collections.Counter)
    for utterance in corpus.train:
        for token, tag in zip(utterance.tokens, utterance.tags):
            by_word[token][tag] += 1
    majority = {word: counts.most_common(1)[0][0] for word, counts in by_word.items()}
    rng = random.Random(0)
    arbitrary = {word: rng.choice(["B-toloc.city_name", "B-fromloc.city_name", "I-toloc.city_name"])
                 for word in by_word}
    scores = {}
    for name, tagger in (("majority", majority), ("arbitrary", arbitrary)):
        right = total = 0
        for utterance in corpus.minimal_pairs:
            for index in utterance.focus:
                right += tagger.get(utterance.tokens[index]) == utterance.tags[index]
                total += 1
        scores[name] = right / total
    # Each pair holds the same city word once per role, so no word-only tagger beats 0.5.
    assert scores["arbitrary"] <= 0.5
    assert 0.45 <= scores["majority"] <= 0.5


def test_pairs_need_more_than_the_previous_word(corpus):
    pairs = list(zip(corpus.minimal_pairs[0::2], corpus.minimal_pairs[1::2]))
    same_previous_word = sum(
        arrive.tokens[arrive.focus[0] - 1] == leave.tokens[leave.focus[0] - 1]
        for arrive, leave in pairs)
    assert same_previous_word >= 5
    distances = set()
    for arrive, _ in pairs:
        verb_position = next(i for i, token in enumerate(arrive.tokens)
                             if token in {verb.split()[0] for verb in ARRIVE_VERBS})
        distances.add(arrive.focus[0] - verb_position)
    assert len(distances) >= 4


def test_training_set_teaches_verb_decided_cities(corpus):
    # Sentences with one city whose role only a verb phrase gives away, both ways round.
    roles = collections.Counter()
    for utterance in corpus.train:
        text = f" {utterance.text} "
        city_tags = {tag for tag in utterance.tags if tag.endswith("loc.city_name")}
        verbs = [verb for verb in ARRIVE_VERBS + LEAVE_VERBS if f" {verb} " in text]
        if len(city_tags) == 1 and verbs and " from " not in text.replace(" leave from ", " ") \
                .replace(" depart from ", " ").replace(" take off from ", " "):
            roles[city_tags.pop()] += 1
    assert roles["B-toloc.city_name"] >= 300 and roles["B-fromloc.city_name"] >= 300


@pytest.mark.parametrize(
    "arguments", [{"minimal_pair_count": 3}, {"train_size": -1}, {"test_size": 2.5}])
def test_bad_sizes_are_usage_errors(arguments):
    with pytest.raises(UsageError):
        generate_synthetic_atis(**arguments)


def test_small_corpus_without_pairs():
    small = generate_synthetic_atis(seed=5, train_size=30, valid_size=5, test_size=5,
                                    minimal_pair_count=0)
    sizes = [len(small.train), len(small.valid), len(small.test), small.minimal_pairs]
    assert sizes == [30, 5, 5, []]
    assert all(u.focus == () for u in small.train)

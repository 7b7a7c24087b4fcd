"""Final-chunk cuts: where they start, how far they go, and the copies they make."""

from tfnotes.data.sentence_shortening import cut_points, final_chunk_cut, shortened_copies
from tfnotes.data.slot_utterances import Utterance, validate_bio

WATCH = Utterance(
    tuple("i d like to watch glass chin at the movie house at 17:32:30".split()),
    ("O", "O", "O", "O", "O", "B-movie_name", "I-movie_name", "O", "O",
     "B-object_location_type", "I-object_location_type", "O", "B-timeRange"),
    "SearchScreeningEvent",
)


def test_a_cut_takes_the_final_chunk_and_the_o_words_before_it():
    assert final_chunk_cut(WATCH.tags) == 11  # "at 17:32:30"
    assert cut_points(WATCH.tags) == [11, 7]  # then "at the movie house"; the title stays


def test_no_cut_when_the_sentence_ends_with_an_o_word_or_has_one_chunk():
    assert final_chunk_cut(("O", "B-movie_name", "O")) is None  # "when is X playing"
    assert final_chunk_cut(("O", "B-movie_name", "I-movie_name")) is None
    assert final_chunk_cut(()) is None


def test_adjacent_chunks_and_an_i_tag_after_another_type_are_separate_chunks():
    # conlleval: I-b after B-a starts a new chunk, so it is cut alone.
    assert cut_points(("O", "B-a", "I-a", "B-b", "I-b")) == [3]
    assert cut_points(("B-a", "I-b")) == [1]


def test_copies_keep_their_intent_and_valid_bio_and_depend_on_the_seed():
    utterances = [WATCH] * 200
    copies = shortened_copies(utterances, rate=0.5, seed=0)
    assert 60 < len(copies) < 140
    assert {len(copy.tokens) for copy in copies} == {11, 7}
    for copy in copies:
        assert copy.intent == WATCH.intent and len(copy.tags) == len(copy.tokens)
        validate_bio(copy.tags, "copy")
        assert copy.tokens == WATCH.tokens[: len(copy.tokens)]
    assert shortened_copies(utterances, 0.5, seed=0) == copies != shortened_copies(utterances, 0.5, seed=1)
    assert shortened_copies(utterances, 0.0, seed=0) == []

"""The slot tagger's model and training pipeline (tfnotes.slots.tagger and .batching)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from experiments import slot_filling
from tfnotes.slots import batching, tagger


@pytest.mark.parametrize("cell", ["elman", "jordan", "basic_rnn", "basic_lstm", "dense"])
@pytest.mark.parametrize("encoding", ["one_hot"])
def test_every_cell_builds_a_model_that_tags_each_token(cell, encoding):
    config = slot_filling.Config(
        cell=cell, encoding=encoding, units=4, embedding_dim=4, num_layers=2
    )
    model = tagger.build_model(
        config, {"words": 11, "chars": 5, "trigrams": 7, "tags": 6, "intents": 3}
    )
    outputs = model({"word_ids": np.array([[3, 4, 1, 0]], dtype="int32")})
    assert tuple(outputs["slots"].shape) == (1, 4, 6) and tuple(outputs["intent"].shape) == (1, 3)


def test_training_batches_are_full_and_padded_to_their_length_bucket():
    from tfnotes.slots import build_vocabularies, encode_utterances, generate_synthetic_atis

    corpus = generate_synthetic_atis(
        seed=0, train_size=300, valid_size=20, test_size=20, minimal_pair_count=10
    )
    vocabularies = build_vocabularies(corpus.train)
    encoded = encode_utterances(corpus.train, vocabularies, max_len=40)
    config = slot_filling.Config(batch_size=8, length_buckets=3, char_encoder=True)
    boundaries = batching.training_boundaries(encoded, config)
    assert len(boundaries) == 3 and boundaries[-1] == encoded["lengths"].max() + 1
    train, _ = batching.tagger_datasets(encoded, encoded, config)
    widths, steps = set(), 0
    for inputs, targets in train:
        width = inputs["word_ids"].shape[1]
        widths.add(width)
        steps += 1
        assert inputs["word_ids"].shape[0] == 8 and targets["slots"].shape == (8, width)
        assert inputs["char_ids"].shape[:2] == (8, width)
        real = (inputs["word_ids"].numpy() != 0).sum(axis=1)
        assert real.max() <= width and (targets["slots"].numpy() != 0).sum() == real.sum()
    assert widths == {bound - 1 for bound in boundaries}
    assert steps == batching.training_steps(encoded, config) == int(train.cardinality())


def test_ensemble_taggers_start_from_different_weights():
    config = slot_filling.Config(ensemble=2, units=4, embedding_dim=4, crf=True)
    model = tagger.build_model(
        config, {"words": 11, "chars": 5, "trigrams": 7, "tags": 6, "intents": 3}
    )
    outputs = model({"word_ids": np.array([[3, 4, 1, 0]], dtype="int32")})
    assert set(outputs) == {"slots_0", "intent_0", "slots_1", "intent_1"}
    first, second = (keras.ops.convert_to_numpy(outputs[f"intent_{member}"]) for member in (0, 1))
    assert not np.allclose(first, second)

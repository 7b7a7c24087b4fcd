"""Sampling: temperature, banned tokens, seeded draws from a batch-1 copy of the model."""

import numpy as np
import pytest

from tfnotes.errors import UsageError
from tfnotes.language import Sampler, TokenVocabulary, build_language_model
from tfnotes.language.sampling import softmax_sample


def test_a_low_temperature_picks_the_most_likely_token_and_banned_ones_never():
    logits = np.array([1.0, 3.0, 2.0, 2.9])
    rng = np.random.default_rng(0)
    assert {softmax_sample(logits, 0.01, rng) for _ in range(50)} == {1}
    assert 1 not in {softmax_sample(logits, 5.0, rng, banned=[1]) for _ in range(200)}
    with pytest.raises(UsageError, match="temperature=0"):
        softmax_sample(logits, 0, rng)


def test_sampling_is_seeded_and_starts_with_the_prime():
    vocabulary = TokenVocabulary.build(list("abcd\nabca"), "char")
    model = build_language_model(len(vocabulary), batch_size=4, num_steps=5, units=8)
    sampler = Sampler(model, vocabulary)
    text = sampler.sample("ab", 30, temperature=1.0, seed=7)
    assert text.startswith("ab") and len(text) == 32
    assert "\ufffd" not in text  # the unknown character is never drawn
    assert sampler.sample("ab", 30, temperature=1.0, seed=7) == text
    assert sampler.sample("ab", 30, temperature=1.0, seed=8) != text
    with pytest.raises(UsageError, match="no tokens"):
        sampler.sample("", 5)

"""Sampling text from a trained language model, one token at a time, with a temperature.

The training model is stateful with a fixed batch; `Sampler` keeps a batch-1 copy
(`tfnotes.language.model.with_batch_shape`), reads the prime through it, then feeds
each drawn token back. Draws come from a seeded NumPy generator, so a seed gives the
same text every time.
"""

from __future__ import annotations

import numpy as np

from tfnotes.errors import UsageError
from tfnotes.language.model import copy_weights, reset_states, with_batch_shape


def softmax_sample(logits, temperature: float, rng: np.random.Generator, banned=()) -> int:
    """A token id drawn from ``softmax(logits / temperature)``, never one of `banned`."""
    if not temperature > 0:
        raise UsageError(f"temperature={temperature} must be positive")
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    scaled[list(banned)] = -np.inf
    scaled -= scaled.max()
    weights = np.exp(scaled)
    return int(rng.choice(len(weights), p=weights / weights.sum()))


class Sampler:
    """Draws text from `model` (a `build_language_model` model of any batch shape).

    Args:
        model: the trained model; its weights are copied now and by `refresh`.
        vocabulary: its `tfnotes.language.corpus.TokenVocabulary`.
    """

    def __init__(self, model, vocabulary):
        self.source = model
        self.vocabulary = vocabulary
        self.model = with_batch_shape(model, 1, None)
        # An unknown symbol training never produced (a character's U+FFFD) is not drawn.
        self.banned = [vocabulary.unknown_id] if vocabulary.level == "char" else []

    def refresh(self) -> None:
        """Copies the source model's current weights (e.g. after an epoch of training)."""
        copy_weights(self.source, self.model)

    def sample_ids(self, prime_ids, length: int, temperature: float = 1.0, seed: int = 0):
        """`length` ids drawn after reading `prime_ids` (at least one id) from a zero state."""
        if len(prime_ids) == 0:
            raise UsageError("sampling needs a prime of at least one token")
        if length < 0:
            raise UsageError(f"length={length} must not be negative")
        rng = np.random.default_rng(seed)
        reset_states(self.model)
        logits = self._next_logits(np.asarray(prime_ids, np.int32))
        drawn = []
        for _ in range(length):
            drawn.append(softmax_sample(logits, temperature, rng, self.banned))
            logits = self._next_logits(np.asarray(drawn[-1:], np.int32))
        return drawn

    def sample(self, prime: str, length: int, temperature: float = 1.0, seed: int = 0) -> str:
        """The prime followed by `length` drawn tokens, as text."""
        tokens = self.vocabulary.tokenize(prime)
        if not tokens:
            raise UsageError("nothing to prime with: the prime has no tokens")
        prime_ids = self.vocabulary.encode(tokens)
        drawn = self.sample_ids(prime_ids, length, temperature, seed)
        return self.vocabulary.detokenize([*prime_ids, *drawn])

    def _next_logits(self, ids: np.ndarray) -> np.ndarray:
        logits = self.model.predict_on_batch(ids[None, :])
        return np.asarray(logits)[0, -1]


class EpochSample:
    """``epoch -> markdown``: a sample after each epoch, for `TextSummaryCallback`.

    Args:
        model: the model being trained.
        vocabulary: its vocabulary.
        prime: the text the sample starts from.
        length: tokens to draw.
        temperature: the sampling temperature.
        seed: the generator's seed (the same for every epoch, so epochs compare).
    """

    def __init__(self, model, vocabulary, prime: str, length: int, temperature: float, seed=0):
        self.sampler = Sampler(model, vocabulary)
        self.prime, self.length = prime, length
        self.temperature, self.seed = temperature, seed
        self.last = ""

    def __call__(self, epoch: int) -> str:
        self.sampler.refresh()
        self.last = self.sampler.sample(self.prime, self.length, self.temperature, self.seed)
        fence = "\n".join("    " + line for line in self.last.split("\n"))
        return f"epoch {epoch + 1}, temperature {self.temperature}:\n\n{fence}"

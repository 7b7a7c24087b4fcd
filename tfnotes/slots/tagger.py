"""The joint slot + intent tagger: a Keras model over encoded words, and `Tagger`.

`build_model` makes the functional model from the experiment's settings (any
`tfnotes.cells` cell or a dense layer, optional character CNN, self-attention,
slot-gating, CRF, an ensemble of K taggers); `Tagger` couples a model with its
vocabularies and decoder to tag raw utterances and score them. `losses`,
`loss_weights` and `make_optimizer` are what the experiment compiles it with.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import keras
import numpy as np

from tfnotes import cells as tfcells
from tfnotes.slots.conlleval import chunk_scores, intent_accuracy, sentence_accuracy
from tfnotes.slots.crf import CRFNegativeLogLikelihood, CRFScores
from tfnotes.slots.encoding import Vocabularies, encode_utterances
from tfnotes.slots.intent_decoding import SlotIntentDecoder, average_ensemble_outputs
from tfnotes.slots.sequence_context import AppendSequenceMean
from tfnotes.slots.token_features import CharacterCNN, OneHotTokens, SummedEmbedding
from tfnotes.slots.unknown_words import RandomUnknownWords

PREDICT_BATCH = 128  # utterances per compiled prediction call (inputs are padded to it)


def make_cell(config, input_keep=1.0):
    """One recurrent cell of the configured kind, wrapped for dropout."""
    cell = tfcells.make_cell(config.cell, config.units)
    if config.dropout > 0:
        cell = tfcells.DropoutWrapper(
            cell, input_keep_prob=input_keep, output_keep_prob=1.0 - config.dropout
        )
    return cell


def sequence_layer(config, index, prefix=""):
    """The index-th sequence layer: a (bidirectional) RNN over a tfnotes cell, or a dense layer."""
    if config.cell == "dense":
        return keras.layers.Dense(
            config.units * (2 if config.bidirectional else 1),
            activation="tanh",
            name=f"{prefix}dense_{index}",
        )
    layer = tfcells.recurrent_layer(
        make_cell(config), fused=config.fused, return_sequences=True,
        name=f"{prefix}rnn_{index}",
    )
    if config.bidirectional:
        layer = keras.layers.Bidirectional(layer, name=f"{prefix}birnn_{index}")
    return layer


def build_model(config, sizes):
    """The joint slot + intent tagger as a functional Keras model over integer inputs.

    Outputs ``slots`` and ``intent``; with ``ensemble=K`` the K taggers share only
    the inputs and output ``slots_0``, ``intent_0``, ... (see `tagger_outputs`).
    """
    inputs = {"word_ids": keras.Input((None,), dtype="int32", name="word_ids")}
    if config.encoding == "word_hashing":
        inputs["trigram_ids"] = keras.Input((None, None), dtype="int32", name="trigram_ids")
    if config.char_encoder:
        inputs["char_ids"] = keras.Input((None, None), dtype="int32", name="char_ids")
    if config.ensemble == 1:
        outputs = tagger_outputs(inputs, config, sizes)
    else:
        outputs = {}
        for member in range(config.ensemble):
            outputs.update(
                {
                    f"{name}_{member}": tensor
                    for name, tensor in tagger_outputs(inputs, config, sizes, member).items()
                }
            )
    return keras.Model(inputs, outputs, name=f"slot_filling_{config.cell}")


def tagger_outputs(inputs, config, sizes, member=None):
    """``{"slots", "intent"}`` of one tagger over the model inputs.

    Ensemble members get their own layers (names prefixed ``memberK_``) and their
    own <unk>-replacement seed; `member=None` is the single tagger.
    """
    prefix = "" if member is None else f"member{member}_"
    word_ids = inputs["word_ids"]
    if config.unknown_word_rate > 0 and config.encoding != "word_hashing":
        word_ids = RandomUnknownWords(
            config.unknown_word_rate,
            seed=config.seed + (member or 0),
            name=prefix + "unknown_words",
        )(word_ids)
    if config.encoding == "embedding":
        features = keras.layers.Embedding(
            sizes["words"], config.embedding_dim, mask_zero=True, name=prefix + "word_embedding"
        )(word_ids)
    elif config.encoding == "one_hot":
        features = OneHotTokens(sizes["words"], name=prefix + "one_hot")(word_ids)
    else:
        features = SummedEmbedding(
            sizes["trigrams"], config.embedding_dim, name=prefix + "word_hashing"
        )(inputs["trigram_ids"])
    if config.char_encoder:
        char_features = CharacterCNN(sizes["chars"], name=prefix + "char_cnn")(inputs["char_ids"])
        features = keras.layers.Concatenate(name=prefix + "word_and_chars")(
            [features, char_features]
        )
    hidden = features
    if config.word_dropout > 0:
        hidden = keras.layers.SpatialDropout1D(config.word_dropout, name=prefix + "word_dropout")(
            hidden
        )
    for index in range(config.num_layers):
        hidden = sequence_layer(config, index, prefix)(hidden)
    if config.attention_heads:
        attended = keras.layers.MultiHeadAttention(
            config.attention_heads,
            key_dim=max(1, config.units // config.attention_heads),
            dropout=config.dropout,
            name=prefix + "self_attention",
        )(hidden, hidden)
        hidden = keras.layers.Concatenate(name=prefix + "recurrent_and_attended")(
            [hidden, attended]
        )
    sentence = keras.layers.GlobalAveragePooling1D(name=prefix + "sentence")(hidden)
    if config.intent_to_slots:
        hidden = AppendSequenceMean(name=prefix + "token_and_sentence")(hidden)
    slot_scores = keras.layers.Dense(
        sizes["tags"], name=prefix + ("slot_scores" if config.crf else "slots")
    )(hidden)
    if config.slots_to_intent:
        # The sentence's average slot distribution: a movie_name hints at SearchScreeningEvent.
        slot_probabilities = keras.layers.Activation("softmax", name=prefix + "slot_probabilities")(
            slot_scores
        )
        slot_mix = keras.layers.GlobalAveragePooling1D(name=prefix + "slot_mix")(slot_probabilities)
        sentence = keras.layers.Concatenate(name=prefix + "sentence_and_slots")(
            [sentence, slot_mix]
        )
    intent = keras.layers.Dense(sizes["intents"], name=prefix + "intent")(sentence)
    slots = CRFScores(name=prefix + "slots")(slot_scores) if config.crf else slot_scores
    return {"slots": slots, "intent": intent}


def model_inputs(encoded, config):
    """The subset of encoded arrays the model reads, keyed by input name."""
    names = ["word_ids"]
    if config.encoding == "word_hashing":
        names.append("trigram_ids")
    if config.char_encoder:
        names.append("char_ids")
    return {name: encoded[name] for name in names}


@dataclasses.dataclass
class Tagger:
    """A slot-filling model with what it takes to read utterances and write tags and intents."""

    model: keras.Model
    config: Any  # the slot_filling experiment's Config (cell, units, crf, decode, ...)
    vocabularies: Vocabularies
    # intent -> slot types seen with it in training (decode=joint needs it; older runs have none)
    slot_types: dict | None
    max_len: int  # tokens kept per utterance

    def __post_init__(self):
        self.decoder = SlotIntentDecoder(
            self.vocabularies.tags.labels,
            self.vocabularies.intents.labels,
            crf=self.config.crf,
            mode=self.config.decode,
            slot_types=self.slot_types,
        )

    def outputs(self, encoded):
        """The model's raw outputs for encoded utterances (an ensemble's averaged), one row each."""
        count = len(encoded["lengths"])
        # Pad to whole batches so that every call runs the same compiled (XLA) shape.
        padded_count = -(-count // PREDICT_BATCH) * PREDICT_BATCH
        inputs = {
            name: np.pad(array, [(0, padded_count - count)] + [(0, 0)] * (array.ndim - 1))
            for name, array in model_inputs(encoded, self.config).items()
        }
        outputs = self.model.predict(inputs, batch_size=PREDICT_BATCH, verbose=0)
        return average_ensemble_outputs(
            {name: array[:count] for name, array in outputs.items()}, self.config.ensemble
        )

    def predict(self, encoded):
        """Tag strings (one per real token) and the intent of each encoded utterance."""
        tag_ids, intent_ids = self.decoder.decode(self.outputs(encoded), encoded["lengths"])
        return [
            self.vocabularies.tags.decode(row) for row in tag_ids
        ], self.vocabularies.intents.decode(intent_ids)

    def predict_utterances(self, utterances):
        """`predict` on utterances, encoded with the training vocabularies."""
        return self.predict(encode_utterances(utterances, self.vocabularies, max_len=self.max_len))

    def evaluate(self, utterances):
        """slot_f1 (precision, recall), intent and sentence accuracy, and the predictions."""
        tags, intents = self.predict_utterances(utterances)
        gold_tags = [list(u.tags) for u in utterances]
        gold_intents = [u.intent for u in utterances]
        scores = chunk_scores(gold_tags, tags)
        return {
            "slot_f1": scores["f1"],
            "slot_precision": scores["precision"],
            "slot_recall": scores["recall"],
            "intent_accuracy": intent_accuracy(gold_intents, intents),
            "sentence_accuracy": sentence_accuracy(gold_tags, tags, gold_intents, intents),
        }, (tags, intents)

    def minimal_pair_accuracy(self, utterances):
        """Fraction of minimal-pair utterances whose context-decided tokens are all tagged right."""
        tags, _ = self.predict_utterances(utterances)
        right = [all(pred[i] == u.tags[i] for i in u.focus) for u, pred in zip(utterances, tags)]
        return float(np.mean(right))


def make_optimizer(config, steps_per_epoch):
    """Adam with global-norm clipping, at a fixed step size or decaying on a cosine to 0.

    With ``ema=M`` it also keeps the moving average ``M * average + (1 - M) * weights``
    after every step (Polyak averaging; `weight_averaging_callbacks` puts it to use).
    """
    learning_rate = config.learning_rate
    if config.learning_rate_schedule == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(
            config.learning_rate, decay_steps=max(1, steps_per_epoch * config.epochs)
        )
    averaging = dict(use_ema=True, ema_momentum=config.ema) if config.ema else {}
    return keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=config.clipnorm, **averaging)


def weight_averaging_callbacks(config):
    """With ``ema=``: swap the averaged weights in at each epoch's end, and out for the next epoch.

    It must run before the validation scores and the best-epoch keeper, so that both
    see (and keep) the averaged weights; the per-epoch backup, which runs earlier,
    stores the raw weights with the average in the optimizer state, so resuming works.
    """
    return [keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if config.ema else []


def output_names(config):
    """``(slots output, intent output)`` name pairs: one per tagger of the ensemble."""
    if config.ensemble == 1:
        return [("slots", "intent")]
    return [(f"slots_{member}", f"intent_{member}") for member in range(config.ensemble)]


def losses(config):
    """One loss per model output (padding words, id 0, are ignored by the slot loss)."""
    slot_loss = (
        CRFNegativeLogLikelihood()
        if config.crf
        else keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    )
    intent_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return {
        name: loss
        for pair in output_names(config)
        for name, loss in zip(pair, (slot_loss, intent_loss))
    }


def loss_weights(config):
    """Each slot loss counts once, each intent loss `intent_weight` times."""
    return {
        name: weight
        for pair in output_names(config)
        for name, weight in zip(pair, (1.0, config.intent_weight))
    }

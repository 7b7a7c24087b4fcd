r"""Slot filling: tag each word of a flight request with its slot, and the request with its intent.

The course example: "arrive Taipei on November 2nd" makes Taipei the destination,
"leave Taipei on November 2nd" makes it the origin. A feed-forward tagger
(`cell=dense`) sees only the word "taipei"; a recurrent one remembers the verb.

Run it:

    make experiment NAME=slot_filling
    make experiment NAME=slot_filling ARGS="cell=dense"
    make experiment NAME=slot_filling ARGS="data_dir=../shared/data/snips cell=lstm units=128 \
        embedding_dim=128 char_encoder=True dropout=0.5 word_dropout=0.2 unknown_word_rate=0.3 \
        attention_heads=4 intent_to_slots=True slots_to_intent=True crf=True decode=joint \
        substitution_copies=1 substitution_shared_types=movie_name,object_name,track,album \
        batch_size=64 learning_rate=2e-3 learning_rate_schedule=cosine epochs=20 patience=5"   # best on SNIPS

Tag a sentence with a finished run:

    .venv/bin/python -m experiments.slot_filling RUN_DIR "leave taipei on november second"
"""

import dataclasses
import json
import sys
from pathlib import Path

import keras
import numpy as np

from tfnotes import cells as tfcells
from tfnotes.data import (
    encode_tokens,
    encode_utterances,
    generate_synthetic_atis,
    load_seq_dir,
    Vocabularies,
    build_vocabularies,
    load_vocabularies,
    save_vocabularies,
    tokenize,
)
from tfnotes.data.bio_decoding import slot_types_by_intent
from tfnotes.data.length_buckets import batches_per_epoch, length_bucket_boundaries
from tfnotes.data.slot_intent_decoding import DECODE_MODES, SlotIntentDecoder, average_ensemble_outputs
from tfnotes.data.slot_substitution import substituted_copies
from tfnotes.errors import UsageError
from tfnotes.layers import (
    AppendSequenceMean,
    CharacterCNN,
    CRFNegativeLogLikelihood,
    CRFScores,
    OneHotTokens,
    RandomUnknownWords,
    SummedEmbedding,
)
from tfnotes.metrics import chunk_scores, intent_accuracy, sentence_accuracy
from tfnotes.train import (
    CommonConfig,
    EpochTimer,
    RunDirectory,
    TextSummaryCallback,
    apply_smoke,
    fit_model,
    seed_everything,
    write_scalars,
)

CELLS = ("elman", "jordan", "basic_rnn", "gru", "basic_lstm", "lstm", "dense")
ENCODINGS = ("embedding", "one_hot", "word_hashing")
PREDICT_BATCH = 128


def _choices(*values):
    return {"choices": values}


@dataclasses.dataclass
class Config(CommonConfig):
    """Slot-filling settings; every field can be set as `key=value` on the command line."""

    data: str = dataclasses.field(default="synthetic", metadata=_choices("synthetic", "seq_dir"))  # synthetic corpus, or seq.in/seq.out files (implied by data_dir=)
    epochs: int = 8  # passes over the training split
    batch_size: int = 32  # utterances per step
    clipnorm: float | None = 5.0  # global-norm gradient clipping (None turns it off)
    cell: str = dataclasses.field(default="lstm", metadata=_choices(*CELLS))  # recurrent cell from tfnotes.cells, or dense (no recurrence)
    bidirectional: bool = True  # read the sentence both ways
    num_layers: int = 1  # stacked recurrent layers
    units: int = 64  # hidden units per direction
    encoding: str = dataclasses.field(default="embedding", metadata=_choices(*ENCODINGS))  # word input: learned embedding, 1-of-N, or letter trigrams
    embedding_dim: int = 64  # size of word (or trigram) vectors
    char_encoder: bool = False  # add a character CNN per word
    dropout: float = 0.2  # DropoutWrapper output drop rate (0 disables)
    word_dropout: float = 0.0  # drop whole word vectors before the recurrence (SpatialDropout1D)
    unknown_word_rate: float = 0.0  # in training, read a word as <unk> with this probability, so the unseen-word vector is learned (embedding, one_hot)
    learning_rate_schedule: str = dataclasses.field(default="constant", metadata=_choices("constant", "cosine"))  # Adam step size: fixed, or cosine decay to 0 over all epochs
    attention_heads: int = 0  # self-attention over the recurrent outputs, concatenated to them (0: none)
    intent_to_slots: bool = False  # give every token's slot classifier the sentence vector too (slot-gated style)
    slots_to_intent: bool = False  # give the intent classifier the sentence's average slot distribution too
    crf: bool = False  # a linear-chain CRF output: learned tag-transition scores, trained on whole-sentence likelihood
    decode: str = dataclasses.field(default="viterbi", metadata=_choices(*DECODE_MODES))  # best well-formed BIO path; best tag per token; or joint: best (intent, path) pair whose slot types go with that intent in training
    ensemble: int = 1  # taggers trained side by side from their own initial weights; their scores are averaged
    substitution_copies: int = 0  # train also on this many copies of each sentence with every slot value swapped for another training value of its type and intent
    substitution_shared_types: str = ""  # comma-separated slot types (e.g. movie_name,object_name,track,album) whose swapped values come from one pool over all intents, so a title's words cannot tell the intent
    ema: float = 0.0  # also keep an exponential moving average of the weights with this momentum (e.g. 0.999); validate, keep and save the averaged weights (0: off)
    patience: int = 0  # stop after this many epochs without a better validation slot F1 (0: run all epochs); the best epoch's weights are kept
    intent_weight: float = 1.0  # weight of the intent loss next to the slot loss
    length_buckets: int = 4  # training batches padded to up to this many widths (1: all to the longest sentence)
    max_vocab: int = 20000  # words kept in the vocabulary (by frequency, train split only)
    train_size: int = 4000  # synthetic corpus: training utterances
    examples_to_log: int = 8  # validation sentences shown in TensorBoard each epoch

    def __post_init__(self):
        # A ValueError here reaches the user as a one-line usage error (status 2)
        # before the runner makes a run directory.
        if self.crf and self.decode == "argmax":
            raise ValueError("crf=True decodes the best whole tag sequence; it cannot be combined with decode=argmax")
        if self.ensemble < 1:
            raise ValueError(f"ensemble={self.ensemble}: need at least 1 tagger")
        if not 0 <= self.ema < 1:
            raise ValueError(f"ema={self.ema}: the averaging momentum must be in [0, 1) (0 turns averaging off)")
        if self.substitution_copies < 0:
            raise ValueError(f"substitution_copies={self.substitution_copies}: cannot be negative")
        if self.length_buckets < 1:
            raise ValueError(f"length_buckets={self.length_buckets}: need at least 1 padded width")


def checked_shared_types(listed: str, slot_types: dict[str, list[str]], data_name: str) -> list[str]:
    """The slot types of ``substitution_shared_types=a,b``; UsageError for one the training split lacks."""
    shared_types = [kind for kind in listed.split(",") if kind]
    known = sorted({kind for kinds in slot_types.values() for kind in kinds})
    unknown = [kind for kind in shared_types if kind not in known]
    if unknown:
        raise UsageError(f"substitution_shared_types: no slot type {', '.join(unknown)} in the {data_name} training split; "
                         f"it has {', '.join(known)}")
    return shared_types


def smoke_overrides():
    """The shrunken configuration `smoke=True` applies (fast enough for tests)."""
    # One padded width: each extra width is one more XLA compilation, which dominates a smoke run.
    return dict(epochs=2, batch_size=16, units=16, embedding_dim=16, train_size=200, examples_to_log=3, length_buckets=1)


def load_dataset(config):
    """The SlotDataset named by `data` / `data_dir`."""
    if config.data_dir:
        return load_seq_dir(config.data_dir)
    if config.data != "synthetic":
        raise UsageError("data=seq_dir needs data_dir=DIR (a folder with train/valid/test seq.in, seq.out, label)")
    valid_size = 50 if config.smoke else 500
    return generate_synthetic_atis(
        seed=config.seed,
        train_size=config.train_size,
        valid_size=valid_size,
        test_size=valid_size,
        minimal_pair_count=40 if config.smoke else 200,
    )


def make_cell(config, input_keep=1.0):
    """One recurrent cell of the configured kind, wrapped for dropout."""
    kinds = {
        "elman": lambda: tfcells.ElmanCell(config.units),
        "jordan": lambda: tfcells.JordanCell(config.units),
        "basic_rnn": lambda: tfcells.BasicRNNCell(config.units),
        "gru": lambda: tfcells.GRUCell(config.units),
        "basic_lstm": lambda: tfcells.BasicLSTMCell(config.units),
        "lstm": lambda: tfcells.LSTMCell(config.units),
    }
    cell = kinds[config.cell]()
    if config.dropout > 0:
        cell = tfcells.DropoutWrapper(cell, input_keep_prob=input_keep, output_keep_prob=1.0 - config.dropout)
    return cell


def sequence_layer(config, index, prefix=""):
    """The index-th sequence layer: a (bidirectional) RNN over a tfnotes cell, or a dense layer."""
    if config.cell == "dense":
        return keras.layers.Dense(config.units * (2 if config.bidirectional else 1), activation="tanh", name=f"{prefix}dense_{index}")
    layer = keras.layers.RNN(make_cell(config), return_sequences=True, name=f"{prefix}rnn_{index}")
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
            outputs.update({f"{name}_{member}": tensor for name, tensor in tagger_outputs(inputs, config, sizes, member).items()})
    return keras.Model(inputs, outputs, name=f"slot_filling_{config.cell}")


def tagger_outputs(inputs, config, sizes, member=None):
    """``{"slots", "intent"}`` of one tagger over the model inputs.

    Ensemble members get their own layers (names prefixed ``memberK_``) and their
    own <unk>-replacement seed; `member=None` is the single tagger.
    """
    prefix = "" if member is None else f"member{member}_"
    word_ids = inputs["word_ids"]
    if config.unknown_word_rate > 0 and config.encoding != "word_hashing":
        word_ids = RandomUnknownWords(config.unknown_word_rate, seed=config.seed + (member or 0), name=prefix + "unknown_words")(word_ids)
    if config.encoding == "embedding":
        features = keras.layers.Embedding(sizes["words"], config.embedding_dim, mask_zero=True, name=prefix + "word_embedding")(word_ids)
    elif config.encoding == "one_hot":
        features = OneHotTokens(sizes["words"], name=prefix + "one_hot")(word_ids)
    else:
        features = SummedEmbedding(sizes["trigrams"], config.embedding_dim, name=prefix + "word_hashing")(inputs["trigram_ids"])
    if config.char_encoder:
        char_features = CharacterCNN(sizes["chars"], name=prefix + "char_cnn")(inputs["char_ids"])
        features = keras.layers.Concatenate(name=prefix + "word_and_chars")([features, char_features])
    hidden = features
    if config.word_dropout > 0:
        hidden = keras.layers.SpatialDropout1D(config.word_dropout, name=prefix + "word_dropout")(hidden)
    for index in range(config.num_layers):
        hidden = sequence_layer(config, index, prefix)(hidden)
    if config.attention_heads:
        attended = keras.layers.MultiHeadAttention(
            config.attention_heads, key_dim=max(1, config.units // config.attention_heads), dropout=config.dropout, name=prefix + "self_attention"
        )(hidden, hidden)
        hidden = keras.layers.Concatenate(name=prefix + "recurrent_and_attended")([hidden, attended])
    sentence = keras.layers.GlobalAveragePooling1D(name=prefix + "sentence")(hidden)
    if config.intent_to_slots:
        hidden = AppendSequenceMean(name=prefix + "token_and_sentence")(hidden)
    slot_scores = keras.layers.Dense(sizes["tags"], name=prefix + ("slot_scores" if config.crf else "slots"))(hidden)
    if config.slots_to_intent:
        # The sentence's average slot distribution: a movie_name hints at SearchScreeningEvent.
        slot_probabilities = keras.layers.Activation("softmax", name=prefix + "slot_probabilities")(slot_scores)
        slot_mix = keras.layers.GlobalAveragePooling1D(name=prefix + "slot_mix")(slot_probabilities)
        sentence = keras.layers.Concatenate(name=prefix + "sentence_and_slots")([sentence, slot_mix])
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
    config: Config
    vocabularies: Vocabularies
    slot_types: dict | None  # intent -> slot types seen with it in training (decode=joint needs it; runs saved before it have none)
    max_len: int  # tokens kept per utterance

    def __post_init__(self):
        self.decoder = SlotIntentDecoder(
            self.vocabularies.tags.labels, self.vocabularies.intents.labels,
            crf=self.config.crf, mode=self.config.decode, slot_types=self.slot_types,
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
        return average_ensemble_outputs({name: array[:count] for name, array in outputs.items()}, self.config.ensemble)

    def predict(self, encoded):
        """Tag strings (one per real token) and the intent of each encoded utterance."""
        tag_ids, intent_ids = self.decoder.decode(self.outputs(encoded), encoded["lengths"])
        return [self.vocabularies.tags.decode(row) for row in tag_ids], self.vocabularies.intents.decode(intent_ids)

    def predict_utterances(self, utterances):
        """`predict` on utterances, encoded with the training vocabularies."""
        return self.predict(encode_utterances(utterances, self.vocabularies, max_len=self.max_len))

    def evaluate(self, utterances):
        """slot_f1 (with precision and recall), intent_accuracy and sentence_accuracy, and the predictions."""
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


def tagged_examples_markdown(utterances, tags, intents):
    """A markdown table of sentences with gold and predicted tags; mistakes in bold."""
    rows = ["| sentence | gold | predicted | intent (gold / predicted) |", "|---|---|---|---|"]
    for utterance, predicted, intent in zip(utterances, tags, intents):
        marked = [f"**{p}**" if p != g else p for p, g in zip(predicted, utterance.tags)]
        intent_text = utterance.intent if intent == utterance.intent else f"{utterance.intent} / **{intent}**"
        rows.append(f"| {' '.join(utterance.tokens)} | {' '.join(utterance.tags)} | {' '.join(marked)} | {intent_text} |")
    return "\n".join(rows)


class ValidationScores(keras.callbacks.Callback):
    """Adds val_slot_f1 / val_intent_accuracy to each epoch's logs and keeps examples for TensorBoard."""

    def __init__(self, utterances, tagger):
        super().__init__()
        self.utterances, self.tagger = utterances, tagger
        self.examples = ""

    def on_epoch_end(self, epoch, logs=None):
        scores, (tags, intents) = self.tagger.evaluate(self.utterances)
        for name in ("slot_f1", "intent_accuracy", "sentence_accuracy"):
            logs["val_" + name] = scores[name]
        shown = self.tagger.config.examples_to_log
        self.examples = tagged_examples_markdown(self.utterances[:shown], tags[:shown], intents[:shown])


def make_optimizer(config, steps_per_epoch):
    """Adam with global-norm clipping, at a fixed step size or decaying on a cosine to 0.

    With ``ema=M`` it also keeps the moving average ``M * average + (1 - M) * weights``
    after every step (Polyak averaging; `weight_averaging_callbacks` puts it to use).
    """
    learning_rate = config.learning_rate
    if config.learning_rate_schedule == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(config.learning_rate, decay_steps=max(1, steps_per_epoch * config.epochs))
    averaging = dict(use_ema=True, ema_momentum=config.ema) if config.ema else {}
    return keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=config.clipnorm, **averaging)


def weight_averaging_callbacks(config):
    """With ``ema=``: swap the averaged weights in at each epoch's end, and out for the next epoch.

    It must run before the validation scores and the best-epoch keeper, so that both
    see (and keep) the averaged weights; the per-epoch backup, which runs earlier,
    stores the raw weights with the average in the optimizer state, so resuming works.
    """
    return [keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if config.ema else []


def training_boundaries(encoded_train, config):
    """Exclusive length bounds of the training buckets (one bucket: pad to the longest)."""
    lengths = encoded_train["lengths"]
    if len(lengths) < config.batch_size * config.length_buckets:
        return length_bucket_boundaries(lengths, 1)  # too few sentences to fill a batch per width
    return length_bucket_boundaries(lengths, config.length_buckets)


def training_steps(encoded_train, config):
    """Batches per training epoch: full ones only, unless the split is smaller than one batch."""
    lengths = encoded_train["lengths"]
    drop_remainder = len(lengths) >= config.batch_size
    return batches_per_epoch(lengths, training_boundaries(encoded_train, config), config.batch_size, drop_remainder)


def make_datasets(encoded_train, encoded_valid, config):
    """tf.data pipelines of (inputs, targets); padding tags are id 0 and ignored by the loss.

    Training batches are full and padded to their length bucket's width (see
    `tfnotes.data.length_buckets`), so XLA compiles one program per width.
    """
    import tensorflow as tf

    def arrays(encoded):
        # Every tagger of an ensemble learns the same targets.
        targets = {}
        for slots_name, intent_name in output_names(config):
            targets.update({slots_name: encoded["tag_ids"], intent_name: encoded["intent_ids"]})
        return model_inputs(encoded, config), targets

    def trimmed(inputs, targets, length):
        per_word = {name: ids[:length] if ids.shape.rank else ids for name, ids in targets.items()}  # intents are scalars
        return {name: ids[:length] for name, ids in inputs.items()}, per_word

    def train_pipeline(encoded):
        dataset = tf.data.Dataset.from_tensor_slices((*arrays(encoded), encoded["lengths"]))
        dataset = dataset.shuffle(len(encoded["lengths"]), seed=config.seed, reshuffle_each_iteration=True)
        boundaries = training_boundaries(encoded, config)
        # A split smaller than one batch still trains on its single partial batch.
        drop_remainder = len(encoded["lengths"]) >= config.batch_size
        batches = dataset.map(trimmed).bucket_by_sequence_length(
            lambda inputs, targets: tf.shape(inputs["word_ids"])[0],
            bucket_boundaries=boundaries,
            bucket_batch_sizes=[config.batch_size] * (len(boundaries) + 1),
            pad_to_bucket_boundary=True,
            drop_remainder=drop_remainder,
        )
        # Bucketing hides the epoch's length from Keras; state it (and have tf.data check it).
        return batches.apply(tf.data.experimental.assert_cardinality(training_steps(encoded, config))).prefetch(2)

    valid = tf.data.Dataset.from_tensor_slices(arrays(encoded_valid)).batch(config.batch_size).prefetch(2)
    return train_pipeline(encoded_train), valid


def output_names(config):
    """``(slots output, intent output)`` name pairs: one per tagger of the ensemble."""
    if config.ensemble == 1:
        return [("slots", "intent")]
    return [(f"slots_{member}", f"intent_{member}") for member in range(config.ensemble)]


def losses(config):
    """One loss per model output (padding words, id 0, are ignored by the slot loss)."""
    slot_loss = CRFNegativeLogLikelihood() if config.crf else keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    intent_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return {name: loss for pair in output_names(config) for name, loss in zip(pair, (slot_loss, intent_loss))}


def loss_weights(config):
    """Each slot loss counts once, each intent loss `intent_weight` times."""
    return {name: weight for pair in output_names(config) for name, weight in zip(pair, (1.0, config.intent_weight))}


def run(config, run_dir=None):
    """Train and evaluate a slot tagger; returns the test metrics written to metrics.json."""
    config = apply_smoke(config, smoke_overrides())
    run_dir = run_dir or RunDirectory.create(config.logdir, "slot_filling")
    seed_everything(config.seed)
    dataset = load_dataset(config)
    vocabularies = build_vocabularies(dataset.train, max_words=config.max_vocab)
    every_split = (dataset.train, dataset.valid, dataset.test, dataset.minimal_pairs)
    max_len = max(len(u.tokens) for split in every_split for u in split)
    slot_types = slot_types_by_intent((u.intent, u.tags) for u in dataset.train)
    shared_types = checked_shared_types(config.substitution_shared_types, slot_types, dataset.name)
    save_vocabularies(
        run_dir.path / "vocabularies.json", vocabularies,
        extra={"max_len": max_len, "config": dataclasses.asdict(config), "slot_types_by_intent": slot_types},
    )
    print(f"data: {dataset.name}: {len(dataset.train)} train / {len(dataset.valid)} valid / {len(dataset.test)} test utterances, "
          f"{len(vocabularies.tags)} tags, {len(vocabularies.intents)} intents", flush=True)
    copies = substituted_copies(dataset.train, config.substitution_copies, config.seed, max_len, shared_types)
    if copies:
        print(f"training also on {len(copies)} copies with swapped slot values (substitution_copies={config.substitution_copies})", flush=True)

    encoded_train = encode_utterances([*dataset.train, *copies], vocabularies, max_len=max_len)
    train_data, valid_data = make_datasets(encoded_train, encode_utterances(dataset.valid, vocabularies, max_len=max_len), config)
    steps_per_epoch = training_steps(encoded_train, config)
    model = build_model(config, vocabularies.sizes())
    tagger = Tagger(model, config, vocabularies, slot_types, max_len)
    validation = ValidationScores(dataset.valid, tagger)
    timer = EpochTimer()
    keep_best = keras.callbacks.EarlyStopping(
        monitor="val_slot_f1", mode="max", patience=config.patience or config.epochs, restore_best_weights=True
    )
    examples = TextSummaryCallback(lambda epoch: validation.examples, tag="tagged_validation_sentences")
    fit_model(
        model,
        train_data,
        valid_data,
        config=config,
        run_dir=run_dir,
        optimizer=make_optimizer(config, steps_per_epoch),
        loss=losses(config),
        loss_weights=loss_weights(config),
        callbacks=[*weight_averaging_callbacks(config), validation, keep_best, timer, examples],
    )

    metrics, _ = tagger.evaluate(dataset.test)
    if dataset.minimal_pairs:
        metrics["minimal_pair_accuracy"] = tagger.minimal_pair_accuracy(dataset.minimal_pairs)
    metrics.update(timer.timing_metrics())
    metrics = {name: float(value) for name, value in metrics.items()}
    write_scalars(run_dir, "test", metrics, step=config.epochs)
    run_dir.write_metrics(metrics)
    return metrics


def tag_sentence(run_path, sentence):
    """Tags and intent for a raw sentence, using the model and vocabularies a run saved."""
    import tfnotes  # noqa: F401  (registers the cells and layers for loading)

    run_path = Path(run_path)
    vocabularies, extra = load_vocabularies(run_path / "vocabularies.json")
    config = Config(**{k: v for k, v in extra["config"].items() if k in {f.name for f in dataclasses.fields(Config)}})
    model = keras.models.load_model(run_path / "model.keras")
    tagger = Tagger(model, config, vocabularies, extra.get("slot_types_by_intent"), extra["max_len"])
    tokens = tokenize(sentence)
    tags, intents = tagger.predict(encode_tokens([tokens], vocabularies))
    return tokens, tags[0], intents[0]


def main(argv):
    """`python -m experiments.slot_filling RUN_DIR "sentence"`: print each word's tag and the intent."""
    if len(argv) != 2:
        print('usage: python -m experiments.slot_filling RUN_DIR "a sentence to tag"', file=sys.stderr)
        return 2
    run_path, sentence = argv
    if not (Path(run_path) / "model.keras").is_file():
        print(f"error: {run_path} has no model.keras (is it a finished slot_filling run?)", file=sys.stderr)
        return 2
    tokens, tags, intent = tag_sentence(run_path, sentence)
    for token, tag in zip(tokens, tags):
        print(f"{token}\t{tag}")
    print(f"intent: {intent}")
    print(json.dumps({"tokens": tokens, "tags": tags, "intent": intent}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

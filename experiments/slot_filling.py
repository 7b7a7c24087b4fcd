"""Slot filling: tag each word of a flight request with its slot, and the request with its intent.

The course example: "arrive Taipei on November 2nd" makes Taipei the destination,
"leave Taipei on November 2nd" makes it the origin. A feed-forward tagger
(`cell=dense`) sees only the word "taipei"; a recurrent one remembers the verb.
The model, its data pipeline, decoding and scoring live in `tfnotes.slots`.

Run it (the figures and every option: docs/slot_filling.md):

    make experiment NAME=slot_filling                               # synthetic ATIS-style corpus
    make experiment NAME=slot_filling ARGS="cell=dense"
    make experiment NAME=slot_filling ARGS="config=snips"           # best on SNIPS
    make experiment NAME=slot_filling ARGS="config=real_corpus data_dir=DIR"  # your corpus

Tag a sentence with a finished run:

    .venv/bin/python -m experiments.slot_filling RUN_DIR "leave taipei on november second"
"""

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import keras

from tfnotes.cells import CELL_NAMES
from tfnotes.errors import UsageError
from tfnotes.slots import (
    build_vocabularies,
    encode_tokens,
    encode_utterances,
    generate_synthetic_atis,
    load_seq_dir,
    load_vocabularies,
    save_vocabularies,
    tokenize,
)
from tfnotes.slots.batching import tagger_datasets, training_steps
from tfnotes.slots.bio_decoding import slot_types_by_intent
from tfnotes.slots.intent_decoding import DECODE_MODES
from tfnotes.slots.substitution import checked_shared_types, substituted_copies
from tfnotes.slots.tagger import (
    Tagger,
    build_model,
    loss_weights,
    losses,
    make_optimizer,
    weight_averaging_callbacks,
)
from tfnotes.slots.validation import ValidationScores
from tfnotes.train import (
    ALL_STRATEGIES,
    CommonConfig,
    DropRate,
    EpochTimer,
    NonNegativeFloat,
    NonNegativeInt,
    OptionalPositiveFloat,
    PositiveInt,
    Range,
    TextSummaryCallback,
    fit_model,
    write_scalars,
)

# strategy=: all; the tagger trains through fit_model, which distributes it.
STRATEGIES = ALL_STRATEGIES
# Every tfnotes cell but the clockwork one (its step counter is no word feature), or
# dense: a feed-forward tagger with no recurrence.
CELLS = tuple(name for name in CELL_NAMES if name != "clockwork") + ("dense",)
ENCODINGS = ("embedding", "one_hot", "word_hashing")


@dataclasses.dataclass
class Config(CommonConfig):
    """Slot-filling settings; every field can be set as `key=value` on the command line."""

    # synthetic corpus, or seq.in/seq.out files (implied by data_dir=)
    data: Literal["synthetic", "seq_dir"] = "synthetic"
    epochs: PositiveInt = 8  # passes over the training split
    batch_size: PositiveInt = 32  # utterances per step
    # global-norm gradient clipping (None turns it off)
    clipnorm: OptionalPositiveFloat = 5.0
    cell: Literal[CELLS] = "lstm"  # recurrent cell from tfnotes.cells, or dense (no recurrence)
    bidirectional: bool = True  # read the sentence both ways
    # run lstm / gru / basic_rnn cells on the fast path (tfnotes.cells.FusedRNN; False: the
    # plain keras.layers.RNN loop); same weights either way
    fused: bool = True
    num_layers: PositiveInt = 1  # stacked recurrent layers
    units: PositiveInt = 64  # hidden units per direction
    # word input: learned embedding, 1-of-N, or letter trigrams
    encoding: Literal[ENCODINGS] = "embedding"
    embedding_dim: PositiveInt = 64  # size of word (or trigram) vectors
    char_encoder: bool = False  # add a character CNN per word
    dropout: DropRate = 0.2  # DropoutWrapper output drop rate (0 disables)
    word_dropout: DropRate = 0.0  # drop whole word vectors before the recurrence (SpatialDropout1D)
    # in training, read a word as <unk> with this probability, so the unseen-word vector is learned
    # (embedding, one_hot; 1 would hide every word)
    unknown_word_rate: Annotated[float, Range("[0, 1)")] = 0.0
    # Adam step size: fixed, or cosine decay to 0 over all epochs
    learning_rate_schedule: Literal["constant", "cosine"] = "constant"
    # self-attention over the recurrent outputs, concatenated to them (0: none)
    attention_heads: NonNegativeInt = 0
    # give every token's slot classifier the sentence vector too (slot-gated style)
    intent_to_slots: bool = False
    # give the intent classifier the sentence's average slot distribution too
    slots_to_intent: bool = False
    # a linear-chain CRF output: learned tag-transition scores, trained on whole-sentence likelihood
    crf: bool = False
    # best well-formed BIO path; best tag per token; or joint: best (intent, path) pair whose slot
    # types go with that intent in training
    decode: Literal[DECODE_MODES] = "viterbi"
    # taggers trained side by side from their own initial weights; their scores are averaged
    ensemble: PositiveInt = 1
    # train also on this many copies of each sentence with every slot value swapped for another
    # training value of its type and intent
    substitution_copies: NonNegativeInt = 0
    # comma-separated slot types (e.g. movie_name,object_name,track,album) whose swapped values come
    # from one pool over all intents, so a title's words cannot tell the intent
    substitution_shared_types: str = ""
    # also keep an exponential moving average of the weights with this momentum (e.g. 0.999);
    # validate, keep and save the averaged weights (0: off)
    ema: Annotated[float, Range("[0, 1)")] = 0.0
    # stop after this many epochs without a better validation slot F1 (0: run all epochs); the best
    # epoch's weights are kept
    patience: NonNegativeInt = 0
    intent_weight: NonNegativeFloat = 1.0  # weight of the intent loss next to the slot loss
    # training batches padded to up to this many widths (1: all to the longest sentence)
    length_buckets: PositiveInt = 4
    # words kept in the vocabulary (by frequency, train split only; <pad> and <unk> included)
    max_vocab: Annotated[int, Range("[2, inf)")] = 20000
    train_size: PositiveInt = 4000  # synthetic corpus: training utterances
    eval_size: PositiveInt = 500  # synthetic corpus: validation and test utterances (each)
    # synthetic corpus: minimal-pair utterances, "arrive X" / "leave X" (even; 0: none)
    minimal_pairs: NonNegativeInt = 200
    examples_to_log: NonNegativeInt = 8  # validation sentences shown in TensorBoard each epoch

    def __post_init__(self):
        # A ValueError here reaches the user as a one-line usage error (status 2)
        # before the runner makes a run directory.
        if self.crf and self.decode == "argmax":
            raise ValueError(
                "crf=True decodes the best whole tag sequence; "
                "it cannot be combined with decode=argmax"
            )


# The shrunken configuration `smoke=True` applies (fast enough for tests).
# One padded width: each extra width is one more XLA compilation, which dominates a smoke run.
SMOKE = dict(
    epochs=2,
    batch_size=16,
    units=16,
    embedding_dim=16,
    train_size=200,
    eval_size=50,
    minimal_pairs=40,
    examples_to_log=3,
    length_buckets=1,
)


def load_dataset(config):
    """The SlotDataset named by `data` / `data_dir`."""
    if config.data_dir:
        return load_seq_dir(config.data_dir)
    if config.data != "synthetic":
        raise UsageError(
            "data=seq_dir needs data_dir=DIR "
            "(a folder with train/valid/test seq.in, seq.out, label)"
        )
    return generate_synthetic_atis(
        seed=config.seed,
        train_size=config.train_size,
        valid_size=config.eval_size,
        test_size=config.eval_size,
        minimal_pair_count=config.minimal_pairs,
    )


def run(config, run_dir):
    """Train and evaluate a slot tagger; returns the test metrics written to metrics.json."""
    dataset = load_dataset(config)
    vocabularies = build_vocabularies(dataset.train, max_words=config.max_vocab)
    every_split = (dataset.train, dataset.valid, dataset.test, dataset.minimal_pairs)
    max_len = max(len(u.tokens) for split in every_split for u in split)
    slot_types = slot_types_by_intent((u.intent, u.tags) for u in dataset.train)
    shared_types = checked_shared_types(config.substitution_shared_types, slot_types, dataset.name)
    save_vocabularies(
        run_dir.path / "vocabularies.json",
        vocabularies,
        extra={
            "max_len": max_len,
            "config": dataclasses.asdict(config),
            "slot_types_by_intent": slot_types,
        },
    )
    print(
        f"data: {dataset.name}: {len(dataset.train)} train / {len(dataset.valid)} valid / "
        f"{len(dataset.test)} test utterances, "
        f"{len(vocabularies.tags)} tags, {len(vocabularies.intents)} intents",
        flush=True,
    )
    copies = substituted_copies(
        dataset.train, config.substitution_copies, config.seed, max_len, shared_types
    )
    if copies:
        print(
            f"training also on {len(copies)} copies with swapped slot values "
            f"(substitution_copies={config.substitution_copies})",
            flush=True,
        )

    encoded_train = encode_utterances([*dataset.train, *copies], vocabularies, max_len=max_len)
    train_data, valid_data = tagger_datasets(
        encoded_train, encode_utterances(dataset.valid, vocabularies, max_len=max_len), config
    )
    steps_per_epoch = training_steps(encoded_train, config)
    model = build_model(config, vocabularies.sizes())
    tagger = Tagger(model, config, vocabularies, slot_types, max_len)
    validation = ValidationScores(dataset.valid, tagger)
    timer = EpochTimer()
    keep_best = keras.callbacks.EarlyStopping(
        monitor="val_slot_f1",
        mode="max",
        patience=config.patience or config.epochs,
        restore_best_weights=True,
    )
    examples = TextSummaryCallback(
        lambda epoch: validation.examples, tag="tagged_validation_sentences"
    )
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
    return metrics


def tag_sentence(run_path, sentence):
    """Tags and intent for a raw sentence, using the model and vocabularies a run saved.

    Raises UsageError for a sentence with no words (empty or only whitespace), before
    anything is loaded.
    """
    tokens = tokenize(sentence)
    if not tokens:
        raise UsageError("nothing to tag: the sentence has no words")
    import tfnotes  # noqa: F401  (registers the cells and layers for loading)

    run_path = Path(run_path)
    vocabularies, extra = load_vocabularies(run_path / "vocabularies.json")
    config = Config(
        **{
            k: v
            for k, v in extra["config"].items()
            if k in {f.name for f in dataclasses.fields(Config)}
        }
    )
    model = keras.models.load_model(run_path / "model.keras")
    tagger = Tagger(
        model, config, vocabularies, extra.get("slot_types_by_intent"), extra["max_len"]
    )
    tags, intents = tagger.predict(encode_tokens([tokens], vocabularies))
    return tokens, tags[0], intents[0]


def main(argv):
    """`python -m experiments.slot_filling RUN_DIR "sentence"`: each word's tag, the intent."""
    if len(argv) != 2:
        print(
            'usage: python -m experiments.slot_filling RUN_DIR "a sentence to tag"', file=sys.stderr
        )
        return 2
    run_path, sentence = argv
    if not tokenize(sentence):  # before the run is read: there is nothing to do
        print("error: nothing to tag: the sentence has no words", file=sys.stderr)
        return 2
    if not (Path(run_path) / "model.keras").is_file():
        print(
            f"error: {run_path} has no model.keras (is it a finished slot_filling run?)",
            file=sys.stderr,
        )
        return 2
    tokens, tags, intent = tag_sentence(run_path, sentence)
    for token, tag in zip(tokens, tags):
        print(f"{token}\t{tag}")
    print(f"intent: {intent}")
    print(json.dumps({"tokens": tokens, "tags": tags, "intent": intent}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

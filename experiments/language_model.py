"""Language model: a stateful stack of TF1 cells, from char-RNN to the TF1 PTB tutorial.

TF1's ``ptb_word_lm`` (Zaremba et al. 2014) in Keras 3: embedding -> stateful
`MultiRNNCell` of any `tfnotes.cells` cell under `DropoutWrapper` -> softmax, trained by
truncated backpropagation over ``num_steps`` with each batch's final state carried into
the next (`tfnotes.language`). The default corpus is generated (nested brackets), so it
runs offline in about a minute and reports ``bracket_accuracy``: how often the model
names the right closing bracket, which needs a memory no 6-gram has
(``ngram_bracket_accuracy`` beside it). Options and figures: docs/language_model.md.

    make experiment NAME=language_model                                # nested brackets
    make experiment NAME=language_model ARGS="config=shakespeare_char"  # Tiny Shakespeare
    make experiment NAME=language_model ARGS="config=ptb_small data_dir=simple-examples/data"
    .venv/bin/python -m experiments language_model data=text data_dir=DIR  # any DIR/input.txt

Sample from a finished run (the prime, then LENGTH drawn tokens):

    .venv/bin/python -m experiments.language_model RUN_DIR "ROMEO:" length=500 temperature=0.8
"""

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import keras

from tfnotes.cells import CELL_NAMES
from tfnotes.errors import TfnotesError, UsageError
from tfnotes.language import (
    EpochSample,
    Sampler,
    StatefulResetCallback,
    TokenVocabulary,
    bptt_dataset,
    bptt_windows,
    build_language_model,
    read_ptb_corpus,
    read_text_corpus,
    reset_states,
    synthetic_corpus,
    tokens_per_epoch,
)
from tfnotes.language.brackets import closer_accuracy, closer_ids, ngram_closer_accuracy
from tfnotes.language.model import KERAS_LAYERS, LSTM_CELLS, RNN_LAYERS
from tfnotes.language.training import (
    COSTS,
    OPTIMIZERS,
    LanguageScores,
    TrainingThroughput,
    make_optimizer,
    scores,
)
from tfnotes.train import (
    CommonConfig,
    EpochTimer,
    NonNegativeFloat,
    NonNegativeInt,
    OptionalPositiveFloat,
    PositiveFloat,
    PositiveInt,
    Range,
    TextSummaryCallback,
    fit_model,
    write_scalars,
)

STRATEGIES = ("none",)
STRATEGY_NOTE = (
    "the stateful RNN carries one state row per stream of the whole batch from step to "
    "step; a replica would see only its share of the rows"
)
# Keys a resumed run may change besides tfnotes.train.RESUMABLE_KEYS: what it samples.
RESUMABLE_KEYS = ("sample_length", "sample_prime", "temperature")
KeepProbability = Annotated[float, Range("(0, 1]")]
VOCABULARY_FILE = "vocabulary.json"


@dataclasses.dataclass
class Config(CommonConfig):
    """Language-model settings; every field can be set as `key=value` on the command line."""

    # generated nested brackets, DIR/input.txt (data_dir=), or PTB's ptb.{train,valid,test}.txt
    data: Literal["synthetic", "text", "ptb"] = "synthetic"
    # tokens: characters or words (auto: char for text and synthetic, word for ptb)
    level: Literal["auto", "char", "word"] = "auto"
    epochs: PositiveInt = 10  # passes over the training split
    batch_size: PositiveInt = 32  # parallel streams the training text is cut into
    num_steps: PositiveInt = 50  # tokens per window: how far back the gradient reaches
    cell: Literal[CELL_NAMES] = "lstm"  # the recurrent cell, from tfnotes.cells
    num_layers: PositiveInt = 1  # cells stacked in the MultiRNNCell
    units: PositiveInt = 128  # units per cell
    # lstm / basic_lstm: added to the forget gate (TF1's tutorial: 0.0; None: the cell's 1.0)
    forget_bias: Annotated[float | None, Range("[0, inf)")] = None
    embedding_dim: NonNegativeInt = 0  # size of the token vectors (0: units)
    # Zaremba's dropout: keep probability on the embeddings and every layer's output (1: none)
    keep_prob: KeepProbability = 1.0
    # one dropout mask per sequence for every step, on the recurrent state too (Gal & Ghahramani)
    variational_recurrent: bool = False
    # tfnotes: a MultiRNNCell of tfnotes cells; keras: keras.layers.LSTM / GRU / SimpleRNN
    rnn_layer: Literal[RNN_LAYERS] = "tfnotes"
    # tfnotes stack on the fast path (tfnotes.cells.FusedRNN; False: plain keras.layers.RNN)
    fused: bool = True
    tie_weights: bool = False  # the output layer is the embedding's transpose (embedding = units)
    # > 0: every weight but the cells' biases from U(-init_scale, init_scale), as TF1's tutorial
    init_scale: NonNegativeFloat = 0.0
    optimizer: Literal[OPTIMIZERS] = "adam"  # Adam, or the tutorial's plain SGD
    learning_rate: PositiveFloat = 3e-3  # step size (of epoch 1)
    # multiply the step size by this each epoch after decay_after_epochs (1: constant)
    learning_rate_decay: Annotated[float, Range("(0, 1]")] = 1.0
    # epochs at the full step size (TF1's max_epoch): epoch i takes decay ** max(i + 1 - this, 0)
    decay_after_epochs: NonNegativeInt = 0
    # clip the gradient's global norm to this (TF1's max_grad_norm; None: off)
    clipnorm: OptionalPositiveFloat = 5.0
    # token_mean: loss per token; window_sum: TF1's cost, summed over a window's num_steps, so
    # learning_rate and clipnorm mean what they mean in ptb_word_lm
    cost: Literal[COSTS] = "token_mean"
    max_vocab: NonNegativeInt = 0  # keep this many most frequent training tokens (0: all)
    # synthetic corpus: training lines (a tenth as many each for validation and test)
    synthetic_lines: PositiveInt = 4000
    synthetic_depth: PositiveInt = 3  # synthetic corpus: deepest nesting of brackets
    sample_length: NonNegativeInt = 200  # tokens of the TensorBoard sample each epoch (0: none)
    sample_prime: str = ""  # text the samples start from ("": the validation text's first token)
    temperature: PositiveFloat = 0.8  # sampling temperature (lower: safer, duller)

    def __post_init__(self):
        # A ValueError here is a one-line usage error (status 2) before any run directory.
        if self.data == "synthetic" and self.data_dir:
            raise ValueError("data_dir= is read by data=text or data=ptb, not data=synthetic")
        if self.data != "synthetic" and not self.data_dir:
            where = "input.txt" if self.data == "text" else "ptb.train.txt, ptb.valid.txt, ..."
            raise ValueError(f"data={self.data} needs data_dir=DIR (a folder with {where})")
        if self.data == "synthetic" and self.level == "word":
            raise ValueError("data=synthetic is a character corpus; it has no level=word")
        if self.tie_weights and (self.embedding_dim or self.units) != self.units:
            raise ValueError("tie_weights=True needs embedding_dim=0 or embedding_dim == units")
        if self.forget_bias is not None and self.cell not in LSTM_CELLS:
            raise ValueError(f"forget_bias= is an option of {' and '.join(LSTM_CELLS)} cells")
        if self.rnn_layer == "keras" and self.cell not in KERAS_LAYERS:
            raise ValueError(f"rnn_layer=keras has no layer for cell={self.cell}; choose one of: "
                             f"{', '.join(KERAS_LAYERS)}")
        if self.rnn_layer == "keras" and self.variational_recurrent:
            raise ValueError("variational_recurrent=True is a tfnotes option (rnn_layer=tfnotes)")
        if self.variational_recurrent and self.keep_prob == 1.0:
            raise ValueError("variational_recurrent=True drops nothing with keep_prob=1.0")


# The shrunken configuration `smoke=True` applies (fast enough for tests).
SMOKE = dict(
    epochs=2,
    batch_size=8,
    num_steps=16,
    units=24,
    synthetic_lines=120,
    sample_length=12,
)


def load_corpus(config):
    """The `LanguageCorpus` named by ``data`` / ``data_dir`` / ``level``."""
    if config.data == "text":
        level = "char" if config.level == "auto" else config.level
        return read_text_corpus(config.data_dir, level, config.max_vocab)
    if config.data == "ptb":
        level = "word" if config.level == "auto" else config.level
        return read_ptb_corpus(config.data_dir, level, config.max_vocab)
    return synthetic_corpus(config.seed, config.synthetic_lines, config.synthetic_depth)


class BracketScores(keras.callbacks.Callback):
    """``val_bracket_accuracy`` after each epoch: the closing kind ranked first, validation."""

    def __init__(self, inputs, targets, closers):
        super().__init__()
        self.inputs, self.targets, self.closers = inputs, targets, closers
        self.last = float("nan")

    def on_epoch_end(self, epoch, logs=None):
        self.last = bracket_accuracy(self.model, self.inputs, self.targets, self.closers)
        if logs is not None:
            logs["val_bracket_accuracy"] = self.last


def bracket_accuracy(model, inputs, targets, closers) -> float:
    """`closer_accuracy` of `model` over `bptt_windows` inputs, read in order from zero state."""
    reset_states(model)
    logits = [model.predict_on_batch(window) for window in inputs]
    reset_states(model)
    return closer_accuracy(keras.ops.convert_to_numpy(keras.ops.stack(logits)), targets, closers)


def evaluate_loss(model, dataset) -> float:
    """Mean loss per token (nats) of `model` over a `bptt_dataset`, from a zero state."""
    reset_states(model)
    loss = model.evaluate(dataset, verbose=0, return_dict=True)["loss"]
    reset_states(model)
    return float(loss)


def run(config, run_dir):
    """Train the language model; returns the metrics written to metrics.json."""
    corpus = load_corpus(config)
    vocabulary = corpus.vocabulary
    print(f"data: {corpus.describe()}", flush=True)
    (run_dir.path / VOCABULARY_FILE).write_text(json.dumps(vocabulary.to_dict()))
    shape = (config.batch_size, config.num_steps)
    train_data = bptt_dataset(corpus.train, *shape, "training")
    valid_inputs, valid_targets = bptt_windows(corpus.valid, *shape, "validation")
    valid_data = bptt_dataset(corpus.valid, *shape, "validation")
    test_data = None if corpus.test is None else bptt_dataset(corpus.test, *shape, "test")
    steps_per_epoch = int(train_data.cardinality())
    model = build_language_model(
        len(vocabulary),
        batch_size=config.batch_size,
        num_steps=config.num_steps,
        cell=config.cell,
        num_layers=config.num_layers,
        units=config.units,
        forget_bias=config.forget_bias,
        embedding_dim=config.embedding_dim,
        keep_prob=config.keep_prob,
        variational_recurrent=config.variational_recurrent,
        tie_weights=config.tie_weights,
        init_scale=config.init_scale,
        seed=config.seed,
        rnn_layer=config.rnn_layer,
        fused=config.fused,
    )
    optimizer = make_optimizer(
        optimizer=config.optimizer,
        learning_rate=config.learning_rate,
        epochs=config.epochs,
        steps_per_epoch=steps_per_epoch,
        num_steps=config.num_steps,
        clipnorm=config.clipnorm,
        decay=config.learning_rate_decay,
        decay_after_epochs=config.decay_after_epochs,
        cost=config.cost,
    )
    timer = EpochTimer()
    throughput = TrainingThroughput(tokens_per_epoch(corpus.train, *shape))
    callbacks = [StatefulResetCallback(), timer, throughput, LanguageScores(corpus.level)]
    closers = closer_ids(vocabulary) if config.data == "synthetic" else None
    if closers is not None:
        callbacks.append(BracketScores(valid_inputs, valid_targets, closers))
    if config.sample_length:
        prime = config.sample_prime or vocabulary.detokenize(corpus.valid[:1])
        sample = EpochSample(model, vocabulary, prime, config.sample_length, config.temperature,
                             seed=config.seed)
        callbacks.append(TextSummaryCallback(sample, tag="sample"))
    fit_model(
        model,
        train_data,
        valid_data,
        config=config,
        run_dir=run_dir,
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        callbacks=callbacks,
    )

    metrics = {"validation_loss": evaluate_loss(model, valid_data)}
    metrics.update(scores(metrics["validation_loss"], corpus.level))
    if test_data is not None:
        metrics["test_loss"] = evaluate_loss(model, test_data)
        metrics.update({f"test_{key}": value
                        for key, value in scores(metrics["test_loss"], corpus.level).items()})
    if closers is not None:
        metrics["bracket_accuracy"] = bracket_accuracy(model, valid_inputs, valid_targets, closers)
        train_text = vocabulary.detokenize(corpus.train)
        metrics["ngram_bracket_accuracy"] = ngram_closer_accuracy(
            train_text, vocabulary.detokenize(corpus.valid)
        )
    metrics.update(timer.timing_metrics())
    if throughput.tokens_per_second() is not None:
        metrics["tokens_per_second"] = throughput.tokens_per_second()
    metrics = {name: float(value) for name, value in metrics.items()}
    write_scalars(run_dir, "test", metrics, step=config.epochs)
    return metrics


def generate(run_path, prime: str, length: int = 500, temperature: float = 0.8, seed: int = 0):
    """The prime and `length` tokens sampled from a finished run's model.keras."""
    import tfnotes  # noqa: F401  (registers the cells for loading)
    import tfnotes.language  # noqa: F401  (registers TiedEmbedding)

    run_path = Path(run_path)
    for name in ("model.keras", VOCABULARY_FILE):
        if not (run_path / name).is_file():
            raise UsageError(f"{run_path} has no {name} (is it a finished language_model run?)")
    vocabulary = TokenVocabulary.from_dict(json.loads((run_path / VOCABULARY_FILE).read_text()))
    model = keras.models.load_model(run_path / "model.keras", compile=False)
    return Sampler(model, vocabulary).sample(prime, length, temperature, seed)


GENERATE_USAGE = (
    'usage: python -m experiments.language_model RUN_DIR "PRIME" '
    "[length=500] [temperature=0.8] [seed=0]"
)
GENERATE_KEYS = {"length": int, "temperature": float, "seed": int}


def main(argv):
    """`python -m experiments.language_model RUN_DIR "PRIME" length=N temperature=T seed=S`."""
    if len(argv) < 2:
        print(GENERATE_USAGE, file=sys.stderr)
        return 2
    run_path, prime, *options = argv
    settings = {"length": 500, "temperature": 0.8, "seed": 0}
    try:
        for option in options:
            key, sep, value = option.partition("=")
            if not sep or key not in GENERATE_KEYS:
                allowed = ", ".join(GENERATE_KEYS)
                raise UsageError(f"expected one of {allowed}=VALUE, got {option!r}")
            try:
                settings[key] = GENERATE_KEYS[key](value)
            except ValueError:
                raise UsageError(f"{key}={value} is not a {GENERATE_KEYS[key].__name__}") from None
        print(generate(run_path, prime, **settings))
    except TfnotesError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

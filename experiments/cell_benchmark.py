"""Cell benchmark: tokens/s of the tfnotes cells, the fused path, Keras and TF1 peers.

    make bench                                  # = python -m experiments cell_benchmark
    python -m experiments cell_benchmark sizes="((64, 50, 64, 256),)" repeats=7
    KERAS_BACKEND=jax python -m experiments cell_benchmark smoke=True

Times a training step (forward + backward + Adam update, mean squared error of
the output sequence against zeros) and an inference pass for each variant:

* `tfnotes_<cell>`: a `tfnotes.cells` cell in `keras.layers.RNN`;
* `fused_<cell>`: the same cell in `tfnotes.cells.FusedRNN` (input projection hoisted);
* `keras_<layer>`: `keras.layers.LSTM` / `GRU` / `SimpleRNN`, the built-in peers;
* `tf1_<cell>`: TF1's `tf.compat.v1.nn.rnn_cell` under `dynamic_rnn` in graph mode,
  in a subprocess with tf-keras and `TF_USE_LEGACY_KERAS=1` (skipped with a note
  when tf-keras is not installed; independent of the Keras backend).

Keras variants run with XLA (`_xla`) and, on TensorFlow, without (`_noxla`);
JAX always compiles. Each figure is the median of `repeats` timed repeats after
`warmup` untimed calls. The step's FLOPs (`tfnotes.bench.flops`) over its time,
divided by the measured float32 matrix-product rate, gives its fraction of peak.
The machine is shared: metrics.json records the load average it ran under.

metrics.json: `tokens_per_second/<mode>_<variant>/<BxTxDxU>`,
`peak_fraction/<mode>_<variant>/<BxTxDxU>`, `matmul_peak_gflops`,
`ratio_vs_keras_lstm` and `ratio_vs_tf1` (training, fused BasicLSTMCell with XLA
against the faster `keras.layers.LSTM` variant and TF1's BasicLSTMCell, at the
first size), `load_average_start`, `load_average_end`.
"""

from __future__ import annotations

import dataclasses
import os

import keras

from tfnotes.bench.flops import step_flops
from tfnotes.bench.keras_timing import time_layer
from tfnotes.bench.tf1 import tf1_available, time_tf1
from tfnotes.bench.timing import matmul_peak_gflops
from tfnotes.cells import FusedRNN, make_cell
from tfnotes.errors import UsageError
from tfnotes.train import (
    CommonConfig,
    NonNegativeInt,
    PositiveInt,
    write_scalars,
)

# strategy=: one device only (the runner refuses the others with this note).
STRATEGIES = ("none",)
STRATEGY_NOTE = (
    "it times one device's kernels against that device's matmul peak and TF1's "
    "single-device graphs; replicas would time the strategy, not the cells"
)

FLOP_KIND = {"basic_rnn": "rnn", "gru": "gru", "basic_lstm": "lstm", "lstm_peepholes": "lstm"}
KERAS_PEER = {"basic_rnn": "simple_rnn", "gru": "gru", "basic_lstm": "lstm", "lstm_peepholes": None}
# The benchmark's cell kinds: a `tfnotes.cells.make_cell` name and constructor options.
CELL_OPTIONS = {
    "basic_rnn": ("basic_rnn", {}),
    "gru": ("gru", {}),
    "basic_lstm": ("basic_lstm", {}),
    "lstm_peepholes": ("lstm", {"use_peepholes": True}),
}
# The configuration `smoke=True` applies: one tiny size, one cell, one timed step.
SMOKE = dict(
    sizes=((4, 5, 3, 8),),
    cells=("basic_lstm",),
    modes=("train",),
    compare_xla=False,
    repeats=1,
    warmup=1,
    calls_per_repeat=1,
    peak_size=256,
)
CELL_KINDS = tuple(CELL_OPTIONS)


@dataclasses.dataclass
class Config(CommonConfig):
    """The benchmark's settings; `CommonConfig.jit_compile` is unused (both are timed)."""

    # (batch, time, inputs, units) grid; the ratios use the first size
    sizes: tuple = ((64, 50, 64, 256), (32, 100, 128, 512))
    cells: tuple = CELL_KINDS  # which cells to time, a subset of CELL_KINDS
    modes: tuple = ("train", "infer")  # train: forward+backward+Adam; infer: forward only
    compare_xla: bool = True  # also time Keras variants without XLA (TensorFlow backend only)
    tf1: bool = True  # time the TF1 peers in a subprocess (needs tf-keras)
    repeats: PositiveInt = 5  # timed repeats per variant; the median is reported
    warmup: NonNegativeInt = 2  # untimed calls first (compilation, caches)
    calls_per_repeat: PositiveInt = 2  # steps per timed repeat
    peak_size: PositiveInt = 2048  # side of the square matmul that measures the peak

    def __post_init__(self):
        # Its UsageError reaches the user as one line (status 2) before the runner
        # makes a run directory.
        _settings(self)


def run(config: Config, run_dir) -> dict:
    """Runs the benchmark, prints the table, writes TensorBoard scalars; returns metrics."""
    sizes, kinds, modes = _settings(config)
    timing = dict(repeats=config.repeats, warmup=config.warmup,
                  calls_per_repeat=config.calls_per_repeat)
    metrics = {"load_average_start": os.getloadavg()[0]}
    peak = matmul_peak_gflops(config.peak_size, timing["repeats"])
    metrics["matmul_peak_gflops"] = peak
    seconds = {}  # (mode, variant, size) -> seconds per step
    for size in sizes:
        for kind in kinds:
            for mode in modes:
                for variant, make_layer, jit in _keras_variants(kind, size, config):
                    print(f"timing {mode} {variant} {_size_name(size)}", flush=True)
                    seconds[mode, variant, size] = time_layer(make_layer, size, mode, jit, **timing)
    notes = []
    if config.tf1 and tf1_available():
        jobs = [(mode, kind, size) for size in sizes for kind in kinds for mode in modes]
        print(f"timing {len(jobs)} TF1 graphs in a subprocess", flush=True)
        tf1_seconds = time_tf1(
            [{"cell": kind, "size": list(size), "mode": mode} for mode, kind, size in jobs],
            **timing,
        )
        for (mode, kind, size), value in zip(jobs, tf1_seconds):
            seconds[mode, f"tf1_{kind}", size] = value
    elif config.tf1:
        notes.append("TF1 peers skipped: tf-keras is not installed (pip install tf-keras)")
    metrics.update(_rates(seconds, peak))
    metrics.update(_ratios(metrics, sizes[0]))
    metrics["load_average_end"] = os.getloadavg()[0]
    busiest = max(metrics["load_average_start"], metrics["load_average_end"])
    if busiest > 0.75 * (os.cpu_count() or 1):
        notes.append(f"load average reached {busiest:.1f} on {os.cpu_count()} cores: other "
                     "processes shared the CPU, so these figures are noisy; re-run when idle")
    print(_table(seconds, metrics, peak))
    for note in notes:
        print(f"note: {note}")
    write_scalars(run_dir, "benchmark", metrics, step=0)
    return metrics


def _settings(config):
    """Validated `(sizes, cell kinds, modes)`; UsageError for bad values."""
    try:
        sizes = [tuple(int(value) for value in size) for size in config.sizes]
    except (TypeError, ValueError):  # not a tuple of tuples of numbers
        sizes = []
    if not sizes or any(len(size) != 4 or min(size) < 1 for size in sizes):
        raise UsageError(f"sizes={config.sizes!r}: expected ((batch, time, inputs, units), ...)")
    unknown = set(config.cells) - set(CELL_KINDS)
    if unknown or not config.cells:
        raise UsageError(f"cells={config.cells!r}: choose from {', '.join(CELL_KINDS)}")
    if not config.modes or set(config.modes) - {"train", "infer"}:
        raise UsageError(f"modes={config.modes!r}: choose from train, infer")
    return sizes, list(config.cells), list(config.modes)


def _make_cell(kind, units):
    name, options = CELL_OPTIONS[kind]
    return make_cell(name, units, **options)


def _make_keras_peer(layer, units):
    classes = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU,
               "simple_rnn": keras.layers.SimpleRNN}
    return classes[layer](units, return_sequences=True)


def _keras_variants(kind, size, config):
    """`(variant name, layer factory, jit_compile)` for one cell kind at one size."""
    units = size[3]
    factories = [
        (f"tfnotes_{kind}",
         lambda: keras.layers.RNN(_make_cell(kind, units), return_sequences=True)),
        (f"fused_{kind}", lambda: FusedRNN(_make_cell(kind, units), return_sequences=True)),
    ]
    if KERAS_PEER[kind]:
        factories.append((f"keras_{KERAS_PEER[kind]}",
                          lambda: _make_keras_peer(KERAS_PEER[kind], units)))
    # On JAX, jit_compile=False runs op by op: not a configuration anyone trains with.
    jits = [True]
    if config.compare_xla and keras.backend.backend() == "tensorflow":
        jits.append(False)
    return [(f"{name}_{'xla' if jit else 'noxla'}", make, jit)
            for name, make in factories for jit in jits]


def _size_name(size):
    return "x".join(str(value) for value in size)


def _variant_kind(variant):
    for kind in CELL_KINDS:
        if kind in variant:
            return FLOP_KIND[kind]
    return {"keras_lstm": "lstm", "keras_gru": "gru", "keras_simple_rnn": "rnn"}[
        variant.rsplit("_", 1)[0]]


def _rates(seconds, peak):
    """`tokens_per_second/...` and `peak_fraction/...` for every timed step."""
    rates = {}
    for (mode, variant, size), value in seconds.items():
        batch, time, inputs, units = size
        key = f"{mode}_{variant}/{_size_name(size)}"
        flops = step_flops(_variant_kind(variant), batch, time, inputs, units, mode == "train")
        rates[f"tokens_per_second/{key}"] = batch * time / value
        rates[f"peak_fraction/{key}"] = flops / value / 1e9 / peak
    return rates


def _ratios(metrics, size):
    """The fused BasicLSTMCell's training speed over its peers' at `size`."""
    def rate(variant):
        return metrics.get(f"tokens_per_second/train_{variant}/{_size_name(size)}")

    fused = rate("fused_basic_lstm_xla")
    if fused is None:
        return {}
    ratios = {}
    keras_lstm = [value for value in (rate("keras_lstm_xla"), rate("keras_lstm_noxla")) if value]
    if keras_lstm:
        ratios["ratio_vs_keras_lstm"] = fused / max(keras_lstm)
    if rate("tf1_basic_lstm"):
        ratios["ratio_vs_tf1"] = fused / rate("tf1_basic_lstm")
    return ratios


def _table(seconds, metrics, peak):
    """The results as a fixed-width text table."""
    lines = [
        f"backend {keras.backend.backend()}, matmul peak {peak:.1f} GFLOP/s, load average "
        f"{metrics['load_average_start']:.2f} -> {metrics['load_average_end']:.2f}",
        f"{'size BxTxDxU':<16}{'mode':<7}{'variant':<28}{'tokens/s':>11}{'ms/step':>9}"
        f"{'% peak':>8}",
    ]
    for mode, variant, size in sorted(seconds, key=lambda k: (k[2], k[0], k[1])):
        key = f"{mode}_{variant}/{_size_name(size)}"
        lines.append(
            f"{_size_name(size):<16}{mode:<7}{variant:<28}"
            f"{metrics['tokens_per_second/' + key]:>11.0f}"
            f"{seconds[mode, variant, size] * 1e3:>9.1f}"
            f"{100 * metrics['peak_fraction/' + key]:>8.1f}"
        )
    for name in ("ratio_vs_keras_lstm", "ratio_vs_tf1"):
        if name in metrics:
            lines.append(f"{name}: {metrics[name]:.2f}")
    return "\n".join(lines)

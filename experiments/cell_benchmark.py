"""Cell benchmark: the fast path against the plain loop, Keras' layers and TF1, interleaved.

    make bench                                  # = python -m experiments cell_benchmark
    make bench ARGS="config=single_size"        # the four ratio cases only (docs table)
    make bench ARGS="cases=(\"bilstm\",) rounds=9"
    make bench ARGS="config=profile"            # where the fused LSTM's step spends its time
    KERAS_BACKEND=jax python -m experiments cell_benchmark smoke=True

For each case (`tfnotes.bench.cases.CASES`: lstm, bilstm, gru, lstm_stack,
lstm_peepholes, basic_rnn) it times a training step (forward + backward + Adam, mean
squared error of the output sequence against zeros) of every variant:

* ``tf_tfnotes_*``: the tfnotes cell in the plain `keras.layers.RNN` loop (the reference);
* ``tf_fused_*``: the same cell in `tfnotes.cells.FusedRNN` (the default fast path);
* ``tf_keras_*``: `keras.layers.LSTM` / `GRU` / `SimpleRNN`, stacked or bidirectional;
  ``_xla`` with XLA and, with ``compare_xla=True``, ``_noxla`` without;
* ``jax_fused``, ``jax_keras``, ``jax_tfnotes``: the same on the JAX backend, in a
  worker process (``jax=True``, skipped with a note when JAX is missing);
* ``tf1``: TF1's ``tf.compat.v1.nn.rnn_cell`` cells under ``dynamic_rnn`` in graph
  mode, in a worker process with tf-keras (``tf1=True``).

The variants of a case are timed in interleaved rounds (A B C A B C ..., `rounds=`),
across processes too, with the matrix-product rate measured in the same rounds, so
load that comes and goes lands on all of them alike. Each figure is the median over
the rounds; each ratio is the median of the per-round ratios, with its min and max.
The share of peak is the step's FLOPs (`tfnotes.bench.flops`) over its time, against
the interleaved matrix-product rate; a share above 100% means the peak was
under-measured, and is printed as ">100" with a note.

metrics.json: ``tokens_per_second/<mode>_<case>_<variant>/<BxTxDxU>``,
``peak_fraction/...``, ``matmul_peak_gflops``; at the first size, training:
``ratio_vs_keras/<case>`` (the fused path with XLA against the faster Keras variant),
``ratio_vs_tf1/<case>``, ``ratio_vs_plain/<case>`` (fused against the plain loop),
``ratio_vs_keras_jax/<case>`` (on JAX), each also as ``.../min`` and ``.../max``, for
the cases lstm, bilstm, gru and lstm_stack; ``ratio_vs_keras_lstm`` and
``ratio_vs_tf1`` (the lstm case); ``load_average_start`` and ``load_average_end``.
With ``profile=True`` (``config=profile``): ``profile_ms/<part>`` and ``profile/...``,
the time of each part of the fused LSTM's step (`tfnotes.bench.step_profile`).
"""

from __future__ import annotations

import dataclasses
import os
import statistics

import keras

from tfnotes.bench.cases import CASES, RATIO_CASES, implementations, keras_step
from tfnotes.bench.flops import step_flops
from tfnotes.bench.remote import RemoteWorker, jax_available, tf1_available
from tfnotes.bench.rounds import interleaved_rounds, ratio_summary
from tfnotes.bench.timing import local_timer, matmul_step
from tfnotes.errors import UsageError
from tfnotes.train import CommonConfig, NonNegativeInt, PositiveInt, write_scalars

# strategy=: one device only (the runner refuses the others with this note).
STRATEGIES = ("none",)
STRATEGY_NOTE = (
    "it times one device's kernels against that device's matmul peak and TF1's "
    "single-device graphs; replicas would time the strategy, not the cells"
)
CASE_NAMES = tuple(CASES)
PEAK = "matmul"
# The configuration `smoke=True` applies: one tiny size, one case, one round.
SMOKE = dict(
    sizes=((4, 5, 3, 8),),
    cases=("lstm",),
    compare_xla=False,
    rounds=1,
    warmup=1,
    calls_per_repeat=1,
    peak_size=256,
)


@dataclasses.dataclass
class Config(CommonConfig):
    """The benchmark's settings; `CommonConfig.jit_compile` is unused (both are timed)."""

    # (batch, time, inputs, units) sizes; the ratios use the first
    sizes: tuple = ((64, 50, 64, 256),)
    cases: tuple = CASE_NAMES  # which cases to time, a subset of CASE_NAMES
    modes: tuple = ("train",)  # train: forward+backward+Adam; infer: forward only
    compare_xla: bool = True  # also time the TensorFlow variants without XLA
    tf1: bool = True  # time TF1's graphs in a worker process (needs tf-keras)
    jax: bool = True  # time the JAX backend in a worker process (needs jax)
    rounds: PositiveInt = 5  # interleaved rounds; figures are medians over them
    warmup: NonNegativeInt = 2  # untimed calls of every variant first (compilation, caches)
    calls_per_repeat: PositiveInt = 2  # steps per variant per round
    peak_size: PositiveInt = 2048  # side of the square matmul that measures the peak
    # also time each part of the fused LSTM's training step at the first size (TensorFlow)
    profile: bool = False

    def __post_init__(self):
        # Its UsageError reaches the user as one line (status 2) before the runner
        # makes a run directory.
        _settings(self)


def _settings(config):
    """Validated `(sizes, cases, modes)`; UsageError for bad values."""
    try:
        sizes = [tuple(int(value) for value in size) for size in config.sizes]
    except (TypeError, ValueError):  # not a tuple of tuples of numbers
        sizes = []
    if not sizes or any(len(size) != 4 or min(size) < 1 for size in sizes):
        raise UsageError(f"sizes={config.sizes!r}: expected ((batch, time, inputs, units), ...)")
    if isinstance(config.cases, str) or not config.cases or set(config.cases) - set(CASE_NAMES):
        raise UsageError(f"cases={config.cases!r}: choose from {', '.join(CASE_NAMES)} "
                         "(a tuple, e.g. cases=(\"lstm\",))")
    if isinstance(config.modes, str) or not config.modes or set(config.modes) - {"train",
                                                                                 "infer"}:
        raise UsageError(f"modes={config.modes!r}: choose from train, infer (a tuple)")
    return sizes, list(config.cases), list(config.modes)


def _size_name(size):
    return "x".join(str(value) for value in size)


def _groups(sizes, cases, modes):
    """Every (size, case, mode) the rounds run over, in order."""
    return [(size, case, mode) for size in sizes for case in cases for mode in modes]


def _local_variants(case, size, mode, config):
    """``{variant: time(calls)}`` for this process's backend, built and warmed up."""
    prefix = "tf" if keras.backend.backend() == "tensorflow" else keras.backend.backend()
    jits = [True] + ([False] if config.compare_xla and prefix == "tf" else [])
    timers = {}
    for implementation in implementations(case):
        for jit in jits:
            name = f"{prefix}_{implementation}" + (f"_{'xla' if jit else 'noxla'}"
                                                  if prefix == "tf" else "")
            step = keras_step(case, implementation, size, mode, jit)
            for _ in range(config.warmup):
                step()
            timers[name] = local_timer(step)
    return timers


def _workers(groups, config, notes):
    """Worker processes (JAX, TF1) holding every remote job, and each group's job indices."""
    workers, indices = {}, {}
    remote = []
    if config.jax and keras.backend.backend() == "tensorflow":
        if jax_available():
            remote.append(("jax", "keras", "jax"))
        else:
            notes.append("JAX variants skipped: jax is not installed")
    if config.tf1:
        if tf1_available():
            remote.append(("tf1", "tf1", None))
        else:
            notes.append("TF1 peers skipped: tf-keras is not installed (pip install tf-keras)")
    for name, kind, backend in remote:
        jobs = []
        for size, case, mode in groups:
            group_jobs = ([{"case": case, "implementation": impl, "size": list(size),
                            "mode": mode} for impl in implementations(case)]
                          if kind == "keras" else
                          [{"case": case, "size": list(size), "mode": mode}])
            labels = ([f"jax_{job['implementation']}" for job in group_jobs]
                      if kind == "keras" else ["tf1"])
            for label, job in zip(labels, group_jobs):
                indices.setdefault((size, case, mode), []).append((label, name, len(jobs)))
                jobs.append(job)
        print(f"building {len(jobs)} {name} variants in a worker process", flush=True)
        workers[name] = RemoteWorker(kind, jobs, backend=backend, warmup=config.warmup)
    return workers, indices


def run(config: Config, run_dir) -> dict:
    """Runs the benchmark, prints the tables, writes TensorBoard scalars; returns metrics."""
    sizes, cases, modes = _settings(config)
    groups = _groups(sizes, cases, modes)
    metrics = {"load_average_start": os.getloadavg()[0]}
    notes = []
    peak_step = matmul_step(config.peak_size)
    for _ in range(config.warmup):
        peak_step()
    workers, remote_jobs = _workers(groups, config, notes)
    samples = {}
    try:
        for group in groups:
            size, case, mode = group
            print(f"timing {mode} {case} {_size_name(size)}", flush=True)
            timers = {PEAK: local_timer(peak_step), **_local_variants(case, size, mode, config)}
            for label, worker, index in remote_jobs.get(group, []):
                timers[label] = (lambda calls, w=workers[worker], i=index: w.seconds(i, calls))
            samples[group] = interleaved_rounds(timers, config.rounds, config.calls_per_repeat)
    finally:
        for worker in workers.values():
            worker.close()
    peak_flops = 2 * config.peak_size**3
    peaks = [peak_flops / s / 1e9 for group in groups for s in samples[group][PEAK]]
    metrics["matmul_peak_gflops"] = statistics.median(peaks)
    over_peak = _rates(samples, peak_flops, metrics)
    if over_peak:
        notes.append(f"{len(over_peak)} figures exceed the interleaved matmul peak (printed "
                     "as >100): the peak was under-measured for them")
    ratios = _ratios(samples, sizes[0], cases)
    metrics.update(ratios)
    metrics["load_average_end"] = os.getloadavg()[0]
    busiest = max(metrics["load_average_start"], metrics["load_average_end"])
    if busiest > 0.75 * (os.cpu_count() or 1):
        notes.append(f"load average reached {busiest:.1f} on {os.cpu_count()} cores: other "
                     "processes shared the CPU; the interleaved ratios are steadier than the "
                     "rates, but re-run when idle")
    print(_table(samples, metrics))
    print(_ratio_table(metrics, cases))
    if config.profile:
        _add_profile(metrics, sizes[0], config, notes)
    for note in notes:
        print(f"note: {note}")
    write_scalars(run_dir, "benchmark", metrics, step=0)
    return metrics


def _add_profile(metrics, size, config, notes):
    """Times the parts of the fused LSTM's step (`tfnotes.bench.step_profile`), prints them."""
    if keras.backend.backend() != "tensorflow":
        notes.append("profile=True skipped: the profile's programs are TensorFlow's")
        return
    from tfnotes.bench.step_profile import profile_metrics, profile_step, profile_table

    print(f"profiling the fused LSTM's training step at {_size_name(size)}", flush=True)
    milliseconds = profile_step(size, config.rounds, config.calls_per_repeat, config.warmup)
    metrics.update(profile_metrics(milliseconds, size))
    print(profile_table(metrics))


def _rates(samples, peak_flops, metrics):
    """Adds tokens/s and peak shares to `metrics`; returns the keys whose share is over 1."""
    over = []
    for (size, case, mode), by_variant in samples.items():
        batch, time, inputs, units = size
        kind, layers, directions, _ = CASES[case]
        flops = step_flops(kind, batch, time, inputs, units, mode == "train")
        if layers > 1:  # the second layer reads `units` inputs, not `inputs`
            flops += (layers - 1) * step_flops(kind, batch, time, units, units, mode == "train")
        flops *= directions
        for variant, seconds in by_variant.items():
            if variant == PEAK:
                continue
            key = f"{mode}_{case}_{variant}/{_size_name(size)}"
            metrics[f"tokens_per_second/{key}"] = batch * time / statistics.median(seconds)
            shares = [flops / s / (peak_flops / p)
                      for s, p in zip(seconds, by_variant[PEAK], strict=True)]
            metrics[f"peak_fraction/{key}"] = statistics.median(shares)
            if metrics[f"peak_fraction/{key}"] > 1.0:
                over.append(key)
    return over


def _best_of(by_variant, names):
    """Per round, the fastest (least seconds) of the variants in `names` that were timed."""
    timed = [by_variant[name] for name in names if name in by_variant]
    return [min(values) for values in zip(*timed)] if timed else None


def _ratios(samples, size, cases):
    """The ratio metrics at `size`, training (see the module docstring)."""
    metrics = {}
    prefix = "tf" if keras.backend.backend() == "tensorflow" else keras.backend.backend()
    fused_name = f"{prefix}_fused_xla" if prefix == "tf" else f"{prefix}_fused"
    for case in cases:
        by_variant = samples.get((size, case, "train"))
        if case not in RATIO_CASES or by_variant is None:
            continue
        fused = by_variant[fused_name]
        peers = {
            "ratio_vs_keras": _best_of(by_variant, [f"{prefix}_keras_xla", f"{prefix}_keras_noxla",
                                                    f"{prefix}_keras"]),
            "ratio_vs_tf1": by_variant.get("tf1"),
            "ratio_vs_plain": _best_of(by_variant, [f"{prefix}_tfnotes_xla", f"{prefix}_tfnotes"]),
        }
        for name, peer in peers.items():
            if peer is not None:
                _add_ratio(metrics, f"{name}/{case}", ratio_summary(fused, peer))
        if "jax_fused" in by_variant and "jax_keras" in by_variant and prefix == "tf":
            _add_ratio(metrics, f"ratio_vs_keras_jax/{case}",
                       ratio_summary(by_variant["jax_fused"], by_variant["jax_keras"]))
    for legacy, key in (("ratio_vs_keras_lstm", "ratio_vs_keras/lstm"),
                        ("ratio_vs_tf1", "ratio_vs_tf1/lstm")):
        if key in metrics:
            metrics[legacy] = metrics[key]
    return metrics


def _add_ratio(metrics, key, summary):
    metrics[key] = summary["median"]
    metrics[f"{key}/min"] = summary["min"]
    metrics[f"{key}/max"] = summary["max"]


def _percent(share):
    return ">100" if share > 1.0 else f"{100 * share:.0f}"


def _table(samples, metrics):
    """Every variant's median tokens/s, its spread over the rounds and its share of peak."""
    lines = [
        f"backend {keras.backend.backend()}, matmul peak {metrics['matmul_peak_gflops']:.1f} "
        f"GFLOP/s (interleaved median), load average {metrics['load_average_start']:.2f} -> "
        f"{metrics['load_average_end']:.2f}",
        f"{'size BxTxDxU':<16}{'mode':<7}{'case':<16}{'variant':<20}{'tokens/s':>10}"
        f"{'spread':>9}{'% peak':>8}",
    ]
    for (size, case, mode), by_variant in samples.items():
        batch, time = size[:2]
        for variant, seconds in by_variant.items():
            if variant == PEAK:
                continue
            key = f"{mode}_{case}_{variant}/{_size_name(size)}"
            rates = [batch * time / s for s in seconds]
            median = metrics[f"tokens_per_second/{key}"]
            spread = f"±{50 * (max(rates) - min(rates)) / median:.0f}%"
            lines.append(
                f"{_size_name(size):<16}{mode:<7}{case:<16}{variant:<20}{median:>10.0f}"
                f"{spread:>9}{_percent(metrics[f'peak_fraction/{key}']):>8}"
            )
    return "\n".join(lines)


def _ratio_table(metrics, cases):
    """The fused path's ratios (median [min-max] over rounds), one row per case."""
    columns = ["ratio_vs_keras", "ratio_vs_tf1", "ratio_vs_plain", "ratio_vs_keras_jax"]
    lines = ["fused path, training, first size: " + " | ".join(columns)]
    for case in cases:
        cells = []
        for column in columns:
            key = f"{column}/{case}"
            cells.append(f"{metrics[key]:.2f} [{metrics[key + '/min']:.2f}-"
                         f"{metrics[key + '/max']:.2f}]" if key in metrics else "-")
        if any(cell != "-" for cell in cells):
            lines.append(f"{case:<12} " + " | ".join(cells))
    return "\n".join(lines)

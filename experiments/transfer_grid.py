"""Transfer methods x labelled target digits x seeds: the table of docs/transfer.md.

Runs `transfer` in child run directories: per seed, ``source_only`` and ``dann`` once
(they use no target labels), ``target_only``, ``fine_tune_all``, ``freeze_first_k``
and ``dann_fine_tune`` at each positive count of `labels`, the fine-tuning methods
starting from that seed's ``source_only`` or ``dann`` model (``initial_model=``), and
``target_only`` on every target training label as the in-domain reference. Every other
key is transfer's. Writes ``table.md`` (target accuracy, mean and spread over seeds),
the features of ``source_only`` beside ``dann``'s (``images/``, a PNG), and flat
metrics such as ``dann/0/target_accuracy``.

Run it:

    make experiment NAME=transfer_grid ARGS="config=mnist"
"""

import dataclasses
import statistics
import time

import numpy as np

from experiments import transfer
from tfnotes.errors import UsageError
from tfnotes.generative import write_image
from tfnotes.train import narrowed_config
from tfnotes.train.runner import child_run
from tfnotes.transfer.features import save_picture

STRATEGIES = transfer.STRATEGIES
STRATEGY_NOTE = transfer.STRATEGY_NOTE
# Methods that use no target labels run once per seed, in the 0 column.
UNLABELLED = ("source_only", "dann")
REFERENCE = "target_only_all"  # target_only on every target training label


@dataclasses.dataclass
class Config(transfer.Config):
    """transfer's keys, plus the label counts and seeds of the grid."""

    labels: tuple = (0, 100, 1000)  # n_target_labels columns (0: the unlabelled methods)
    seeds: tuple = (0, 1, 2)  # one row of runs per seed; the table gives mean and spread
    reference: bool = True  # also train target_only on all target labels (in-domain bound)

    def __post_init__(self):
        # The grid sets these per child run: a value given for one is refused, not ignored.
        for key, default in (("method", "dann"), ("n_target_labels", 0), ("initial_model", "")):
            if getattr(self, key) != default:
                raise UsageError(f"transfer_grid sets {key}= for each of its runs; give "
                                 "labels=... and seeds=... instead")
        for key in ("labels", "seeds"):
            values = getattr(self, key)
            if not values or any(int(value) != value or value < 0 for value in values):
                raise UsageError(f"{key}={values!r}: expected whole numbers >= 0, e.g. (0, 100)")
        super().__post_init__()


# The shrunken configuration `smoke=True` applies: one seed, two label counts.
SMOKE = dict(transfer.SMOKE, labels=(0, 20), seeds=(0,), reference=False)


def grid_runs(config):
    """`[(seed, method, n, initial_from)]` in the order they run (initial_from: a method)."""
    counts = [int(n) for n in config.labels]
    labelled = [n for n in counts if n > 0]
    runs = []
    for seed in config.seeds:
        runs += [(seed, "source_only", 0, None), (seed, "dann", 0, None)]
        for n in labelled:
            runs += [(seed, "target_only", n, None), (seed, "fine_tune_all", n, "source_only"),
                     (seed, "freeze_first_k", n, "source_only"),
                     (seed, "dann_fine_tune", n, "dann")]
    return runs


def summary(values):
    """`mean ± spread` (half the range over seeds) as text."""
    mean = statistics.fmean(values)
    spread = (max(values) - min(values)) / 2
    return f"{mean:.3f}" + (f" ± {spread:.3f}" if len(values) > 1 else "")


def markdown_table(results, counts, reference):
    """Target accuracy per method (rows) and label count (columns)."""
    lines = ["| method | " + " | ".join(f"{n} target labels" for n in counts) + " |",
             "|---|" + "---|" * len(counts)]
    for method in transfer.METHODS:
        cells = [summary(results[(method, n)]) if (method, n) in results else "-"
                 for n in counts]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    if reference:
        lines.append(f"| target_only, all {int(reference[0])} target labels | "
                     + summary(reference[1]) + " |" + " |" * (len(counts) - 1))
    return "\n".join(lines)


def run(config, run_dir):
    """Runs the grid, writes table.md and the features picture; returns flat metrics."""
    start = time.perf_counter()
    runs = grid_runs(config)
    counts = sorted({int(n) for n in config.labels})
    results, models, metrics, pictures = {}, {}, {}, {}
    for seed, method, n, initial_from in runs:
        name = f"seed{seed}_{method}_{n}"
        child = narrowed_config(
            transfer.Config, config, seed=seed, method=method, n_target_labels=n,
            initial_model=str(models[(seed, initial_from)]) if initial_from else "")
        scores = child_run(transfer.run, child, run_dir.path / name)
        if method in UNLABELLED:
            models[(seed, method)] = run_dir.path / name / "model.keras"
            pictures.setdefault(method, run_dir.path / name / "features.png")
        results.setdefault((method, n), []).append(scores["target_accuracy"])
        print(f"{name}: target accuracy {scores['target_accuracy']:.4f}", flush=True)
    reference = None
    if config.reference:
        accuracies = []
        for seed in config.seeds:
            child = narrowed_config(transfer.Config, config, seed=seed, method="target_only",
                                        n_target_labels=_target_train_size(config))
            accuracies.append(child_run(transfer.run, child, run_dir.path / f"seed{seed}_"
                                        f"{REFERENCE}")["target_accuracy"])
        reference = (_target_train_size(config), accuracies)
        metrics[f"{REFERENCE}/target_accuracy"] = statistics.fmean(accuracies)
    for (method, n), values in results.items():
        metrics[f"{method}/{n}/target_accuracy"] = statistics.fmean(values)
        metrics[f"{method}/{n}/target_accuracy_spread"] = (max(values) - min(values)) / 2
    table = markdown_table(results, counts, reference)
    (run_dir.path / "table.md").write_text(table + "\n")
    print(table, flush=True)
    _side_by_side(pictures, run_dir)
    metrics["seconds"] = time.perf_counter() - start
    return metrics


def _target_train_size(config):
    """How many target training digits there are (the reference's label count)."""
    return len(transfer.load_domains(config.data, config.data_dir, 20).target_train[1])


def _side_by_side(pictures, run_dir):
    """source_only's features beside dann's (seed 0): one image in TensorBoard and a PNG."""
    from PIL import Image

    if set(pictures) != set(UNLABELLED):
        return
    parts = [np.asarray(Image.open(pictures[method]), np.float32) / 255.0
             for method in UNLABELLED]
    picture = np.concatenate(parts, axis=1)
    write_image(run_dir, "images", "features_source_only_vs_dann", picture, step=0)
    save_picture(run_dir.path / "features_source_only_vs_dann.png", picture)

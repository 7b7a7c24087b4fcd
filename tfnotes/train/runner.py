"""The runner's job, shared by ``python -m experiments`` and experiments that run others.

An experiment only declares and computes: `run_in_directory` seeds once, calls its
``run(config, run_dir)``, and writes the returned metrics (``metrics.json``) and
the HParams summary. The configuration it receives is already resolved
(`tfnotes.train.config.resolve_config`) and saved as ``config.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tfnotes.train.run_directory import RunDirectory
from tfnotes.train.seeding import seed_everything
from tfnotes.train.tensorboard_logging import write_hparams


def run_in_directory(
    run: Callable[[Any, RunDirectory], dict], config: Any, run_dir: RunDirectory
) -> dict[str, float]:
    """Seeds with ``config.seed``, runs ``run(config, run_dir)``, writes its metrics.

    On ``resume=``, keys of the earlier ``metrics.json`` that this call does not return
    are kept. Returns the metrics as written to ``metrics.json`` (floats). Raises TypeError when
    `run` returns something other than a dict (a bug in the experiment).
    """
    # A resumed run keeps the figures this call does not measure again (a finished run
    # resumed with nothing left to train times no epoch, so it has no seconds_per_epoch).
    earlier = run_dir.read_metrics() if config.resume else {}
    seed_everything(config.seed)
    metrics = run(config, run_dir)
    if not isinstance(metrics, dict):
        raise TypeError(f"{run.__module__}.run must return a dict of metrics, got {metrics!r}")
    run_dir.write_metrics({**earlier, **metrics})
    metrics = run_dir.read_metrics()
    write_hparams(run_dir, config, metrics)
    return metrics


def child_run(run: Callable[[Any, RunDirectory], dict], config: Any, path) -> dict[str, float]:
    """Runs another experiment's `run` in the sub-directory `path`, as the runner would.

    The child gets its own ``config.json``, seeding, ``metrics.json`` and HParams.
    """
    child = RunDirectory(path)
    child.path.mkdir(parents=True, exist_ok=True)
    child.write_config(config)
    return run_in_directory(run, config, child)

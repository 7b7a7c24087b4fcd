"""Run an experiment from a test as the runner does, without a subprocess."""

from __future__ import annotations

import pathlib


def run_experiment(name: str, logdir, **keys) -> tuple[dict, pathlib.Path]:
    """Runs experiment `name` as the runner does (preset, smoke, keys), in this process.

    `keys` are Config fields with Python values (``smoke=True, epochs=2``). Errors
    propagate (a UsageError stays an exception). Returns (metrics, run directory).
    """
    from experiments.__main__ import load_experiment, resolved_config
    from tfnotes.train import RunDirectory, checked_values
    from tfnotes.train.runner import run_in_directory

    module = load_experiment(name)
    explicit = checked_values(module.Config, {"logdir": str(logdir), **keys}, "test")
    config = resolved_config(module, name, explicit)
    run_dir = RunDirectory.create(config.logdir, name)
    run_dir.write_config(config)
    return run_in_directory(module.run, config, run_dir), run_dir.path

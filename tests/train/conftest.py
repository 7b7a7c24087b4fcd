"""Fixtures: the toy experiment registered as ``experiments.toy``, and one finished run."""

from __future__ import annotations

import importlib.util
import pathlib
import sys

import pytest

TOY_PATH = pathlib.Path(__file__).with_name("toy_experiment.py")


def import_toy():
    """Imports tests/train/toy_experiment.py as the module ``experiments.toy``."""
    spec = importlib.util.spec_from_file_location("experiments.toy", TOY_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["experiments.toy"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def toy():
    """The toy experiment, findable by the runner for the whole session."""
    module = import_toy()
    yield module
    sys.modules.pop("experiments.toy", None)


@pytest.fixture(scope="session")
def finished_toy_run(toy, tmp_path_factory, run_main):
    """One complete toy run through the runner (XLA on, the default): (logdir, run dir, stdout)."""
    logdir = tmp_path_factory.mktemp("logs")
    status, stdout, stderr = run_main(["toy", f"logdir={logdir}", "seed=3"])
    assert status == 0, stderr
    run_dir = pathlib.Path(stdout.strip().splitlines()[-1].removeprefix("run_dir: "))
    return logdir, run_dir, stdout

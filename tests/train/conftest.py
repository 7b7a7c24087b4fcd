"""Fixtures: the toy experiment registered as ``experiments.toy``, and one finished run."""

from __future__ import annotations

import contextlib
import importlib.util
import io
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


def run_main(args: list[str]) -> tuple[int, str, str]:
    """Runs the runner in this process; returns (exit status, stdout, stderr)."""
    from experiments.__main__ import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(args)
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(name="run_main")
def run_main_fixture():
    """`run_main` for tests: ``run_main(args) -> (status, stdout, stderr)``."""
    return run_main


@pytest.fixture(scope="session")
def toy():
    """The toy experiment, findable by the runner for the whole session."""
    module = import_toy()
    yield module
    sys.modules.pop("experiments.toy", None)


@pytest.fixture(scope="session")
def finished_toy_run(toy, tmp_path_factory):
    """One complete toy run through the runner (XLA on, the default): (logdir, run dir, stdout)."""
    logdir = tmp_path_factory.mktemp("logs")
    status, stdout, stderr = run_main(["toy", f"logdir={logdir}", "seed=3"])
    assert status == 0, stderr
    run_dir = pathlib.Path(stdout.strip().splitlines()[-1].removeprefix("run_dir: "))
    return logdir, run_dir, stdout

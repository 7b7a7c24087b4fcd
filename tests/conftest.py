"""Fixtures shared by every test folder."""

from __future__ import annotations

import contextlib
import io
import pathlib

import pytest

SHARED_DATA = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "data"


def run_main(args: list[str]) -> tuple[int, str, str]:
    """Runs the runner in this process; returns (exit status, stdout, stderr)."""
    from experiments.__main__ import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(args)
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(name="run_main", scope="session")
def run_main_fixture():
    """`run_main` for tests: ``run_main(args) -> (status, stdout, stderr)``."""
    return run_main




@pytest.fixture(name="run_experiment", scope="session")
def run_experiment_fixture():
    """`run_experiment` for tests: ``run_experiment(name, logdir, **keys) -> (metrics, dir)``."""
    from support.runs import run_experiment

    return run_experiment

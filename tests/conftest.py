"""Fixtures shared by every test folder."""

from __future__ import annotations

import contextlib
import gzip
import io
import pathlib
import struct

import numpy as np
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


@pytest.fixture(name="write_t10k_dir", scope="session")
def write_t10k_dir_fixture():
    """``write_t10k_dir(root, count=60, seed=0)``: a directory with only the t10k idx pair."""

    def write_t10k_dir(root: pathlib.Path, count: int = 60, seed: int = 0) -> pathlib.Path:
        rng = np.random.default_rng(seed)
        images = (rng.random((count, 28, 28)) < 0.2).astype(np.uint8) * 255
        labels = np.arange(count, dtype=np.uint8) % 10
        root.mkdir(parents=True, exist_ok=True)
        header = struct.pack(">IIII", 2051, count, 28, 28)
        (root / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(header + images.tobytes()))
        (root / "t10k-labels-idx1-ubyte.gz").write_bytes(
            gzip.compress(struct.pack(">II", 2049, count) + labels.tobytes())
        )
        return root

    return write_t10k_dir

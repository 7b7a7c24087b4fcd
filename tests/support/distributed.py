"""Helpers of the distributed-training tests: the runner in a subprocess, tolerances, ports."""

from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
TOY_PATH = REPO / "tests" / "train" / "toy_experiment.py"
# Test-only experiments (they live in tests/, not in the experiments package).
TEST_EXPERIMENTS = {
    "toy": str(TOY_PATH),
    "replica_step": str(TOY_PATH.with_name("replica_step_experiment.py")),
}
RELATIVE_TOLERANCE = 1e-4
SCORE_TOLERANCE = 0.05
# A small slot-filling run that learns something in three epochs (slot F1 ~0.3 on one
# device), so that comparing scores across strategies is not comparing zeros.
# (smoke=True's 2 epochs and 16 units leave slot F1 near 0.)
LEARNING_SLOT_FILLING = [
    "train_size=400",
    "epochs=3",
    "batch_size=16",
    "learning_rate=0.02",
    "units=16",
    "embedding_dim=16",
    "length_buckets=1",
    "examples_to_log=1",
    "dropout=0.0",
    "seed=1",
]

# `python -m experiments` for one or more runs separated by "--", with the test-only
# experiments registered first.
LAUNCH = f"""
import importlib.util, sys
for name, path in {TEST_EXPERIMENTS!r}.items():
    spec = importlib.util.spec_from_file_location("experiments." + name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["experiments." + name] = module
    spec.loader.exec_module(module)
from experiments.__main__ import main
runs, current = [], []
for arg in sys.argv[1:] + ["--"]:
    if arg == "--":
        runs.append(current)
        current = []
    else:
        current.append(arg)
for args in runs:
    status = main(args)
    if status:
        sys.exit(status)
"""


def run_runner_subprocess(
    *runs: list[str], env: dict | None = None, timeout: float = 150
) -> tuple[str, list[dict]]:
    """Runs the runner in a fresh Python for each ``runs`` entry in turn; (stdout, metrics)."""
    args = [arg for run in runs for arg in [*run, "--"]][:-1]
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    result = subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = [
        json.loads(line.removeprefix("metrics: "))
        for line in result.stdout.splitlines()
        if line.startswith("metrics: ")
    ]
    assert len(metrics) == len(runs), result.stdout[-3000:]
    return result.stdout, metrics


def run_dirs(stdout: str) -> list[pathlib.Path]:
    """The ``run_dir: PATH`` lines of a runner's output, in order."""
    return [
        pathlib.Path(line.removeprefix("run_dir: "))
        for line in stdout.splitlines()
        if line.startswith("run_dir: ")
    ]


def assert_close(distributed: dict, single: dict, keys: list[str], *, rtol=0.0, atol=0.0):
    """Asserts that each metric in `keys` agrees between the two runs within the tolerance."""
    for key in keys:
        assert distributed[key] == pytest.approx(single[key], rel=rtol, abs=atol), key


# --- configuration, no runtime needed ---------------------------------------------------


def free_ports(count: int) -> list[int]:
    """`count` distinct free TCP ports on 127.0.0.1 (freed just before the workers bind)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()

"""TF1 peers: `tf.compat.v1.nn.rnn_cell` under `dynamic_rnn`, timed in a subprocess.

TF1's cells need tf-keras and `TF_USE_LEGACY_KERAS=1` set before TensorFlow is
imported, so they run in a child process (`tfnotes.bench.tf1_worker`).
"""

import importlib.util
import json
import os
import subprocess
import sys


def tf1_available():
    """Whether tf-keras (which TF1's `rnn_cell` needs under TensorFlow 2.16+) is installed."""
    return importlib.util.find_spec("tf_keras") is not None


def time_tf1(jobs, repeats=5, warmup=2, calls_per_repeat=2, timeout=3600):
    """Median seconds per step of each job, timed by TF1 graph-mode code.

    Args:
        jobs: list of `{"cell": kind, "size": [B, T, D, U], "mode": "train"|"infer"}`
            with kind one of `tfnotes.bench.tf1_worker.TF1_CELLS`.

    Returns:
        A list of seconds aligned with `jobs`.

    Raises:
        RuntimeError: the subprocess failed (its stderr tail is in the message).
    """
    spec = {
        "jobs": jobs,
        "repeats": repeats,
        "warmup": warmup,
        "calls_per_repeat": calls_per_repeat,
    }
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [sys.executable, "-m", "tfnotes.bench.tf1_worker", json.dumps(spec)],
        capture_output=True, text=True, env=env, timeout=timeout,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(
            f"TF1 benchmark subprocess failed (status {result.returncode}): "
            f"{result.stderr.strip()[-2000:]}"
        )
    return json.loads(lines[-1])["seconds"]

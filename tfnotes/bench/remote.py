"""Timers for variants that run in another process: TF1 graphs, Keras on another backend."""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile


def tf1_available():
    """Whether tf-keras (which TF1's `rnn_cell` needs under TensorFlow 2.16+) is installed."""
    return importlib.util.find_spec("tf_keras") is not None


def jax_available():
    """Whether JAX is installed (the benchmark's ``jax_*`` variants need it)."""
    return importlib.util.find_spec("jax") is not None


class RemoteWorker:
    """A `tfnotes.bench.worker` process holding built, warmed-up steps.

    Args:
        kind: ``"tf1"`` (TF1 graphs, ``TF_USE_LEGACY_KERAS=1``) or ``"keras"``.
        jobs: the worker's jobs (see `tfnotes.bench.worker`).
        backend: ``KERAS_BACKEND`` of a ``keras`` worker (e.g. ``"jax"``).
        warmup: untimed calls of every step before ``ready``.
    """

    def __init__(self, kind, jobs, backend=None, warmup=2):
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
        if kind == "tf1":
            env["TF_USE_LEGACY_KERAS"] = "1"
        if backend:
            env["KERAS_BACKEND"] = backend
        spec = {"kind": kind, "jobs": jobs, "warmup": warmup}
        self.name = backend or kind
        # A file, not a pipe: TensorFlow's chatter must never fill a buffer and stall it.
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tfnotes.bench.worker", json.dumps(spec)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, text=True,
            env=env,
        )
        self._expect("ready")

    def _read_line(self):
        line = self.process.stdout.readline()
        if not line:
            self._stderr.seek(0)
            error = self._stderr.read().strip()[-2000:]
            raise RuntimeError(f"benchmark worker ({self.name}) stopped: {error}")
        return line.strip()

    def _expect(self, word):
        while True:  # libraries may print before the worker does
            line = self._read_line()
            if line == word:
                return

    def seconds(self, index, calls):
        """Seconds per call of job `index`, over `calls` calls run now."""
        self.process.stdin.write(f"{index} {calls}\n")
        self.process.stdin.flush()
        while True:
            line = self._read_line()
            try:
                return float(line)
            except ValueError:
                continue  # a library's message, not the answer

    def close(self):
        """Ends the worker process."""
        if self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.flush()
            except BrokenPipeError:
                pass
            self.process.wait(timeout=60)
        self._stderr.close()

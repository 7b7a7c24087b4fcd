"""Keep TensorFlow's start-up chatter off stderr, so that an error is the one line there.

TensorFlow 2.21 writes absl INFO lines (oneDNN, ``cudart_stub``, CPU features) and,
on a machine without an NVIDIA device, ``E0000 ... failed call to cuInit`` straight to
file descriptor 2 before absl has read ``TF_CPP_MIN_LOG_LEVEL``, so no setting
silences them (and ``TF_ENABLE_ONEDNN_OPTS=0`` would change the numbers).
`filter_stderr_noise` puts a pipe in front of descriptor 2 and a small filter
process behind it that drops exactly those lines and passes everything else on. A
separate process (not a thread) keeps draining the pipe if the run crashes or
aborts, and needs no lock of this one. Run as a script, this file is that filter.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

# One pattern per known line; a line that matches none is passed on.
NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IW]\d{4} [\d:.]+ +\d+ (port|cudart_stub|cpu_feature_guard)\.cc:\d+\]"
    r"|To enable the following instructions: .*rebuild TensorFlow"
    r"|WARNING:absl:Variant folder .* has no dataset_info\.json)"
)
# Without an NVIDIA device the failed cuInit is expected; with one it may be the
# only word on a broken driver, so it is kept there.
NO_GPU_NOISE = re.compile(
    r"^E\d{4} [\d:.]+ +\d+ cuda_(platform|executor)\.cc:\d+\] failed call to cuInit"
)


def is_noise(line: str, has_gpu: bool) -> bool:
    """Whether `line` is one of TensorFlow's start-up lines (never a fatal ``F`` line)."""
    return bool(NOISE.match(line) or (not has_gpu and NO_GPU_NOISE.match(line)))


class StderrFilter:
    """While started, lines written to descriptor 2 pass through the filter process."""

    def __init__(self):
        self._original = None
        self._process = None

    def start(self) -> StderrFilter:
        """Routes descriptor 2 (this process's, and its children's) through the filter."""
        read_end, write_end = os.pipe()
        self._original = os.dup(2)
        self._process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__)],
            stdin=read_end,
            stdout=self._original,
            stderr=subprocess.DEVNULL,
        )
        os.close(read_end)
        os.dup2(write_end, 2)
        os.close(write_end)
        return self

    def stop(self) -> None:
        """Restores descriptor 2 and lets the filter pass on what it still holds."""
        if self._original is None:
            return
        sys.stderr.flush()
        os.dup2(self._original, 2)  # this process's last write end closes: the filter sees EOF
        os.close(self._original)
        self._original = None
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass  # a child process of the run still holds the pipe; the filter ends with it


def filter_stderr_noise() -> StderrFilter:
    """Starts and returns a `StderrFilter` (call ``stop()`` before the process exits)."""
    return StderrFilter().start()


def _filter(source, sink, has_gpu: bool) -> None:
    for raw in source:
        if not is_noise(raw.decode("utf-8", errors="replace"), has_gpu):
            try:
                sink.write(raw)
                sink.flush()
            except OSError:  # the terminal went away: drain the pipe, write nothing
                sink = open(os.devnull, "wb")


if __name__ == "__main__":
    _filter(sys.stdin.buffer, sys.stdout.buffer, has_gpu=os.path.exists("/dev/nvidiactl"))

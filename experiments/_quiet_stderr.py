"""Keep TensorFlow's start-up chatter off stderr, so that an error is the one line there.

TensorFlow 2.21 writes absl INFO lines (oneDNN, ``cudart_stub``, CPU features) and,
on a machine without a GPU, ``E0000 ... failed call to cuInit`` straight to file
descriptor 2 before it has read ``TF_CPP_MIN_LOG_LEVEL`` (absl is not initialised
yet), so no setting silences them. `filter_stderr_noise` puts a pipe in front of
descriptor 2 and drops exactly those lines; everything else passes through.
"""

from __future__ import annotations

import os
import re
import sys
import threading

# One pattern per known line; a line that matches none is printed.
NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IWE]\d{4} [\d:.]+ +\d+ (port|cudart_stub|cpu_feature_guard|cuda_platform"
    r"|cuda_executor|cuda_diagnostics)\.cc:\d+\]"
    r"|To enable the following instructions: .*rebuild TensorFlow"
    r"|WARNING:absl:Variant folder .* has no dataset_info\.json)"
)


class StderrFilter:
    """While active, lines written to descriptor 2 that match `NOISE` are dropped."""

    def __init__(self):
        self._original = None
        self._pump = None

    def start(self) -> StderrFilter:
        """Routes descriptor 2 through the filter."""
        read_end, write_end = os.pipe()
        self._original = os.dup(2)
        os.dup2(write_end, 2)
        os.close(write_end)
        self._pump = threading.Thread(target=self._forward, args=(read_end,), daemon=True)
        self._pump.start()
        return self

    def stop(self) -> None:
        """Restores descriptor 2 after everything written so far has been passed on."""
        if self._original is None:
            return
        sys.stderr.flush()
        os.dup2(self._original, 2)  # closes the pipe's last write end: the pump sees EOF
        self._pump.join(timeout=5)
        os.close(self._original)
        self._original = None

    def _forward(self, read_end: int) -> None:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            pending = b""
            while chunk := pipe.read(65536):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    self._emit(line + b"\n")
            if pending:
                self._emit(pending)

    def _emit(self, line: bytes) -> None:
        if not NOISE.match(line.decode("utf-8", errors="replace")):
            os.write(self._original, line)


def filter_stderr_noise() -> StderrFilter:
    """Starts and returns a `StderrFilter` (call ``stop()`` before the process exits)."""
    return StderrFilter().start()

"""One run's output directory: ``LOGDIR/NAME/RUN_ID/``.

Holds TensorBoard event files (``train/``, ``validation/``, ...), ``config.json``
(the resolved config), ``metrics.json`` (a flat object of final float metrics),
``model.keras`` and ``checkpoint/`` (the per-epoch backup that ``resume=`` reads).

In a multi-worker run only the chief writes the real run directory; every other
worker gets a `RunDirectory.worker_scratch` in the temporary folder, which the runner
removes when the worker finishes (the standard Keras pattern for non-chief workers).
"""

from __future__ import annotations

import json
import math
import numbers
import os
import pathlib
import shutil
import tempfile
import time
from typing import Any

from tfnotes.errors import DataError, UsageError
from tfnotes.train.config import config_to_dict

CONFIG_FILE = "config.json"
# Read once, at import: setting it to read it races with threads creating files.
_UMASK = os.umask(0)
os.umask(_UMASK)
METRICS_FILE = "metrics.json"


class RunDirectory:
    """The directory one run writes into; create new ones with `RunDirectory.create`."""

    def __init__(self, path: str | os.PathLike):
        self.path = pathlib.Path(path)
        # Sub-run name -> open tf.summary writer, kept by tensorboard_logging so that
        # repeated writes share one event file instead of making one file per call.
        self.summary_writers: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"RunDirectory({str(self.path)!r})"

    @classmethod
    def create(cls, logdir: str | os.PathLike, name: str) -> RunDirectory:
        """Makes a fresh ``LOGDIR/NAME/RUN_ID`` (RUN_ID a sortable local timestamp).

        Two runs started in the same second get ``RUN_ID-01``, ``RUN_ID-02``, ...
        """
        parent = pathlib.Path(logdir) / name
        parent.mkdir(parents=True, exist_ok=True)
        run_id = time.strftime("%Y%m%d-%H%M%S")
        for attempt in range(1000):
            candidate = parent / (run_id if attempt == 0 else f"{run_id}-{attempt:02d}")
            try:
                candidate.mkdir()
            except FileExistsError:
                continue
            return cls(candidate)
        raise UsageError(f"could not make a new run directory under {parent}")

    @classmethod
    def open_existing(cls, path: str | os.PathLike) -> RunDirectory:
        """Opens a run directory made earlier (for ``resume=``); UsageError if it isn't one."""
        path = pathlib.Path(path)
        if not path.is_dir():
            raise UsageError(f"resume={path}: no such directory")
        if not (path / CONFIG_FILE).is_file():
            raise UsageError(f"resume={path} is not a run directory (it has no {CONFIG_FILE})")
        return cls(path)

    @classmethod
    def worker_scratch(
        cls, name: str, worker: tuple[str, int], resume_from: RunDirectory | None = None
    ) -> RunDirectory:
        """A throw-away run directory for a multi-worker process that is not the chief.

        Such a worker trains like the chief (collectives need every worker) and writes
        the same files, but into a fresh temporary directory. With `resume_from` (the
        chief's run directory, readable when the log directory is on shared storage)
        its checkpoint is copied in, so that every worker restores the same epoch.
        """
        task_type, task_index = worker
        path = tempfile.mkdtemp(prefix=f"tfnotes-{name}-{task_type}{task_index}-")
        run_dir = cls(path)
        if resume_from is not None and resume_from.checkpoint_dir.is_dir():
            shutil.copytree(resume_from.checkpoint_dir, run_dir.checkpoint_dir)
        return run_dir

    def has_trained(self) -> bool:
        """True once a run, or a child run inside it, has a per-epoch backup, model or metrics."""
        kept = (self.checkpoint_dir.name, self.model_path.name, self.metrics_path.name)
        return any(any(self.path.rglob(name)) for name in kept)

    def snapshot(self) -> tuple[bytes, bytes | None]:
        """``config.json`` and the backup's epoch record as they are now (see below)."""
        progress = self.checkpoint_dir / "training_metadata.json"
        return self.config_path.read_bytes(), progress.read_bytes() if progress.exists() else None

    def restore_config_unless_trained(self, snapshot: tuple[bytes, bytes | None]) -> None:
        """Puts back `snapshot`'s ``config.json`` unless an epoch finished since it was taken.

        A resume that fails before training (or in its first new epoch) leaves the run
        as it was; one that already trained further keeps its new config.json, so that
        ``resume=`` continues with the settings that checkpoint was trained with.
        """
        config, progress = snapshot
        now = self.checkpoint_dir / "training_metadata.json"
        if (now.read_bytes() if now.exists() else None) == progress:
            self.config_path.write_bytes(config)

    def read_metrics(self) -> dict[str, float]:
        """``metrics.json`` as a dict; {} when the run has none yet."""
        try:
            return json.loads(self.metrics_path.read_text())
        except FileNotFoundError:
            return {}

    def remove(self) -> None:
        """Closes the summary writers, deletes the directory (a worker's scratch, a refused run)."""
        for writer in self.summary_writers.values():
            writer.close()
        self.summary_writers.clear()
        shutil.rmtree(self.path, ignore_errors=True)
        try:
            self.path.parent.rmdir()  # LOGDIR/NAME too, when this run was all it held
        except OSError:
            pass

    @property
    def config_path(self) -> pathlib.Path:
        """``config.json``: the resolved config of the run."""
        return self.path / CONFIG_FILE

    @property
    def metrics_path(self) -> pathlib.Path:
        """``metrics.json``: the final metrics, a flat object of floats."""
        return self.path / METRICS_FILE

    @property
    def model_path(self) -> pathlib.Path:
        """``model.keras``: the trained model, loadable with keras.models.load_model."""
        return self.path / "model.keras"

    @property
    def checkpoint_dir(self) -> pathlib.Path:
        """Where the per-epoch training backup lives (weights, optimizer state, epoch)."""
        return self.path / "checkpoint"

    def write_config(self, config: Any) -> None:
        """Writes the resolved config (a config dataclass) as ``config.json``."""
        _write_json_atomically(self.config_path, config_to_dict(config))

    def read_config(self) -> dict[str, Any]:
        """Reads ``config.json`` back as a dict; DataError if it isn't a JSON object."""
        try:
            values = json.loads(self.config_path.read_text())
        except FileNotFoundError:
            raise UsageError(
                f"{self.path} is not a run directory (it has no {CONFIG_FILE})"
            ) from None
        except json.JSONDecodeError as error:
            raise DataError(f"{self.config_path}: line {error.lineno}: {error.msg}") from None
        if not isinstance(values, dict):
            raise DataError(f"{self.config_path}: expected a JSON object")
        return values

    def write_metrics(self, metrics: dict[str, Any]) -> None:
        """Writes ``metrics.json`` atomically: a flat JSON object of finite floats.

        Raises ValueError (a programming error in the experiment) for a non-string
        key, a nested or non-numeric value, or NaN/infinity.
        """
        flat = {}
        for key, value in metrics.items():
            if not isinstance(key, str):
                raise ValueError(f"metrics keys must be strings, got {key!r}")
            number = _as_float(value)
            if number is None:
                raise ValueError(f"metric {key!r} must be a number, got {type(value).__name__}")
            if not math.isfinite(number):
                raise ValueError(f"metric {key!r} is {number}; metrics.json holds finite numbers")
            flat[key] = number
        _write_json_atomically(self.metrics_path, flat)


def _as_float(value: Any) -> float | None:
    """The float a scalar metric holds (Python, NumPy or 0-d tensor), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    if getattr(value, "shape", None) == () and hasattr(value, "dtype"):
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return None


def _write_json_atomically(path: pathlib.Path, value: Any) -> None:
    # A crash mid-write must never leave a truncated file: write a sibling, then rename.
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes 0600; the rest of the run is 0644
        with os.fdopen(descriptor, "w") as handle:
            json.dump(value, handle, indent=2, allow_nan=False)
            handle.write("\n")
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise

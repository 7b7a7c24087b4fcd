"""Training on several devices or machines: the ``strategy=``, ``devices=`` and ``tpu=`` keys.

The runner calls `configure_distribution(config)` first thing after parsing the
command line (devices must be configured before TensorFlow or JAX starts its
runtime), then runs the experiment's ``run(config, run_dir)`` inside
``distribution.scope()``. Everything ``run`` creates (model, optimizer, metrics)
is therefore created in the strategy's scope, and `keras.Model.fit` (through
`tfnotes.train.fit_model`) splits every batch across the replicas. Experiments
need no code for it, unless they write their own ``train_step`` or training loop:
`tfnotes.train.replicas` has what those need (the loss scaled for the replicas,
random draws made for the global batch, XLA off inside the scope).

``batch_size`` is the **global** batch: with 2 replicas and ``batch_size=32`` each
replica computes the gradient of 16 examples and the gradients are summed after
Keras scales each replica's loss by 1/2, so one step is the same step as
``strategy=none`` takes (up to float summation order).

TensorFlow backend (the default):

=============  ==========================================================
strategy=none  the default strategy: one device
mirrored       ``tf.distribute.MirroredStrategy`` over the local GPUs
               (``devices=N``: the first N), or, without GPUs, over
               ``devices=N`` logical CPU devices split from the CPU
multi_worker   ``tf.distribute.MultiWorkerMirroredStrategy``, the cluster
               read from ``TF_CONFIG``; every worker uses its GPUs or its CPU
tpu            ``tf.distribute.TPUStrategy`` via
               ``TPUClusterResolver(tpu=config.tpu)`` (the standard set-up;
               untested here: no TPU)
=============  ==========================================================

JAX backend (``KERAS_BACKEND=jax``), where `keras.distribution` replaces
``tf.distribute``:

=============  ==========================================================
strategy=none  no distribution
mirrored       ``keras.distribution.DataParallel(devices=...)`` over
               ``jax.devices()`` (the first ``devices=N``); on CPU,
               ``devices=N`` sets ``XLA_FLAGS=--xla_force_host_platform_device_count=N``
               before JAX starts
tpu            ``DataParallel`` over all of ``jax.devices()``, which must be
               TPUs (a Cloud TPU VM; ``tpu=`` is not needed)
multi_worker   not supported: the JAX equivalent is
               ``keras.distribution.initialize(job_addresses, num_processes,
               process_id)`` then ``DataParallel``; refused with a UsageError
=============  ==========================================================

Multi-worker runs: only the chief (task ``chief``, or ``worker`` 0 when there is
none) writes the run directory; the other workers write to a temporary directory
that is removed at the end (the standard Keras pattern). Every collective
operation has a timeout of ``collective_timeout`` seconds (default 60), so a
worker whose peer died fails with an error naming the timeout instead of hanging.

Under a TensorFlow strategy, Keras's trainer needs two fixes (tensorflow/tensorflow#72388);
`tfnotes.train.keras_patches` has them, and refuses a Keras outside the tested range.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import re
from typing import Any, Iterator

from tfnotes.errors import TfnotesError, UsageError
from tfnotes.train import keras_patches
from tfnotes.train.config import STRATEGIES

__all__ = ["STRATEGIES", "Distribution", "PeerLost", "configure_distribution", "read_tf_config"]


class PeerLost(TfnotesError):
    """A multi-worker run lost a peer: a collective failed or timed out."""

    exit_code = 1


@dataclasses.dataclass
class Distribution:
    """The strategy a run trains under and this process's place in it.

    Attributes:
        strategy: one of `STRATEGIES`.
        backend: the Keras backend (``tensorflow`` or ``jax``).
        replicas: how many replicas share each global batch (in this process's view).
        is_chief: whether this process writes the run directory.
        worker: ``(task_type, task_index)`` in the multi-worker cluster, else None.
        devices: the device names the replicas run on (for the log line).
        tf_strategy: the ``tf.distribute.Strategy`` (TensorFlow backend), else None.
        keras_distribution: the ``keras.distribution.Distribution`` (JAX), else None.
        collective_timeout: seconds a multi-worker collective waits for its peers.
    """

    strategy: str = "none"
    backend: str = "tensorflow"
    replicas: int = 1
    is_chief: bool = True
    worker: tuple[str, int] | None = None
    devices: tuple[str, ...] = ()
    tf_strategy: Any = None
    keras_distribution: Any = None
    collective_timeout: float = 60.0

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """Enters the strategy's scope: models, optimizers, metrics made here are distributed."""
        if self.tf_strategy is not None:
            with self.tf_strategy.scope(), self._peer_failures_as_errors():
                yield
        elif self.keras_distribution is not None:
            with self.keras_distribution.scope():
                yield
        else:
            yield

    @contextlib.contextmanager
    def _peer_failures_as_errors(self) -> Iterator[None]:
        """Turns a multi-worker collective failure into one `PeerLost` line."""
        if self.strategy != "multi_worker":
            yield
            return
        import tensorflow as tf

        try:
            yield
        except (
            tf.errors.UnavailableError,
            tf.errors.DeadlineExceededError,
            tf.errors.CancelledError,
            tf.errors.AbortedError,
            tf.errors.InternalError,
        ) as error:
            # TensorFlow's first lines are boilerplate ("Graph execution error:").
            noise = ("Graph execution error", "Detected at node", "[[", "File ")
            detail = [
                line.strip()
                for line in (error.message or "").splitlines()
                if line.strip() and not line.strip().startswith(noise)
            ]
            raise PeerLost(
                f"worker {self.worker[1]} lost the cluster: a peer died or stopped answering "
                f"({type(error).__name__}: {detail[0][:200] if detail else 'no detail'}); "
                f"collectives wait at most collective_timeout={self.collective_timeout:g} s. "
                "Restart every worker with resume=RUN_DIR to continue from the last epoch"
            ) from None

    def describe(self) -> str:
        """One line for the run's log, e.g. ``strategy: mirrored, 2 replicas (CPU:0, CPU:1)``."""
        if self.strategy == "none":
            return "strategy: none (one device)"
        line = f"strategy: {self.strategy} ({self.backend}), {self.replicas} replicas"
        if self.devices:
            line += f" on {', '.join(self.devices)}"
        if self.worker is not None:
            role = "chief" if self.is_chief else "not the chief: writes to a temporary directory"
            line += f"; this is {self.worker[0]} {self.worker[1]} ({role})"
        return line


def configure_distribution(config: Any) -> Distribution:
    """Sets up ``config.strategy`` for this process and returns it as a `Distribution`.

    Reads ``strategy``, ``devices``, ``tpu`` and ``collective_timeout`` of a
    `CommonConfig`. Must run before anything starts the TensorFlow / JAX runtime
    (creating a tensor, listing logical devices): splitting the CPU into logical
    devices and starting a multi-worker server are only possible then. Raises
    `UsageError` (one line) when it is too late, when ``TF_CONFIG`` is missing or
    malformed, or when the combination is not supported.
    """
    import keras

    backend = keras.backend.backend()
    if config.devices < 0:
        raise UsageError(f"devices={config.devices}: expected 0 (all) or a positive count")
    if config.strategy == "none":
        if config.devices > 1:
            raise UsageError(f"devices={config.devices} needs strategy=mirrored (strategy is none)")
        return Distribution(backend=backend)
    if backend == "jax":
        return _configure_jax(config)
    if backend != "tensorflow":
        raise UsageError(
            f"strategy={config.strategy} needs KERAS_BACKEND=tensorflow or jax, not {backend}"
        )
    if config.strategy == "mirrored":
        return _configure_mirrored(config)
    if config.strategy == "multi_worker":
        return _configure_multi_worker(config)
    return _configure_tpu(config)


def read_tf_config(environ: dict[str, str] | None = None) -> tuple[dict, str, int]:
    """Parses and checks ``TF_CONFIG``; returns (cluster, task type, task index).

    The format is TensorFlow's: ``{"cluster": {"worker": ["host:port", ...],
    "chief": [...]}, "task": {"type": "worker", "index": 0}}``. Raises `UsageError`
    naming what is wrong.
    """
    environ = os.environ if environ is None else environ
    example = (
        '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
        '"task": {"type": "worker", "index": 0}}'
    )
    raw = environ.get("TF_CONFIG", "")
    if not raw.strip():
        raise UsageError(
            "strategy=multi_worker reads the cluster from TF_CONFIG, which is not set; "
            f"e.g. TF_CONFIG='{example}'"
        )
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"TF_CONFIG is not valid JSON ({error.msg} at character {error.pos}); e.g. '{example}'"
        ) from None
    cluster = value.get("cluster") if isinstance(value, dict) else None
    task = value.get("task") if isinstance(value, dict) else None
    if not isinstance(cluster, dict) or not isinstance(task, dict):
        raise UsageError(f"TF_CONFIG needs a \"cluster\" and a \"task\" object; e.g. '{example}'")
    for job, addresses in cluster.items():
        if not isinstance(addresses, list) or not addresses or not all(
            isinstance(address, str) and re.fullmatch(r"[^\s:]+:\d+", address)
            for address in addresses
        ):
            raise UsageError(
                f"TF_CONFIG cluster.{job} must be a list of \"host:port\" strings, "
                f"got {addresses!r}"
            )
    if not ({"worker", "chief"} & set(cluster)):
        raise UsageError("TF_CONFIG cluster has no \"worker\" or \"chief\" job")
    task_type, task_index = task.get("type"), task.get("index")
    if task_type not in cluster:
        raise UsageError(
            f"TF_CONFIG task.type={task_type!r} is not a job of the cluster ({', '.join(cluster)})"
        )
    if not isinstance(task_index, int) or not 0 <= task_index < len(cluster[task_type]):
        raise UsageError(
            f"TF_CONFIG task.index={task_index!r} is out of range: "
            f"cluster.{task_type} has {len(cluster[task_type])} addresses"
        )
    return cluster, task_type, task_index


def _split_cpu(count: int) -> None:
    """Splits the (first) CPU into `count` logical devices; UsageError if TF already started."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is not None and len(current) == count:
        return  # configured earlier in this process, e.g. by a previous run
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * count
        )
    except RuntimeError:
        raise UsageError(
            f"devices={count} must be set before TensorFlow initialises its devices, "
            "and this process already has; run it through a fresh `python -m experiments ...`"
        ) from None


def _configure_mirrored(config: Any) -> Distribution:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        if config.devices > len(gpus):
            raise UsageError(f"devices={config.devices} but this machine has {len(gpus)} GPUs")
        names = [f"/gpu:{index}" for index in range(config.devices or len(gpus))]
    else:
        count = max(config.devices, 1)
        if count > 1:
            _split_cpu(count)
        names = [f"/cpu:{index}" for index in range(count)]
    strategy = _mirrored_strategy(tuple(names))
    keras_patches.patch_build_under_strategies()
    return Distribution(
        strategy="mirrored",
        replicas=strategy.num_replicas_in_sync,
        devices=tuple(name.lstrip("/").upper() for name in names),
        tf_strategy=strategy,
    )


@functools.lru_cache(maxsize=None)
def _mirrored_strategy(devices: tuple[str, ...]):
    """One ``MirroredStrategy`` per device list and process, reused by later runs.

    Every new strategy numbers its collective operations from the same start, so a
    second strategy over the same devices in one process (several runs through
    `main`, as the tests do) collides with the first's and fails ("Shape mismatch in
    the collective instance 100").
    """
    import tensorflow as tf

    return tf.distribute.MirroredStrategy(devices=list(devices))


def _configure_multi_worker(config: Any) -> Distribution:
    import tensorflow as tf

    if config.devices:
        raise UsageError(
            "devices= applies to strategy=mirrored; "
            "with multi_worker every worker uses all its GPUs, or its CPU"
        )
    cluster, task_type, task_index = read_tf_config()
    options = tf.distribute.experimental.CommunicationOptions(
        implementation=tf.distribute.experimental.CommunicationImplementation.RING,
        timeout_seconds=config.collective_timeout,
    )
    try:
        strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    except (RuntimeError, ValueError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if "startup" in message or "initialized" in message:
            raise UsageError(
                "strategy=multi_worker must start before TensorFlow initialises; "
                "run it through a fresh `python -m experiments ...` process"
            ) from None
        raise UsageError(
            f"strategy=multi_worker could not start from TF_CONFIG: {message}"
        ) from None
    keras_patches.patch_multi_worker_reduce()
    keras_patches.patch_build_under_strategies()
    resolver = strategy.cluster_resolver
    return Distribution(
        strategy="multi_worker",
        replicas=strategy.num_replicas_in_sync,
        is_chief=_is_chief(cluster, task_type, task_index),
        worker=(resolver.task_type, resolver.task_id),
        devices=tuple(f"{job}:{len(addresses)}" for job, addresses in cluster.items()),
        tf_strategy=strategy,
        collective_timeout=config.collective_timeout,
    )


def _is_chief(cluster: dict, task_type: str, task_index: int) -> bool:
    # TensorFlow's rule: the "chief" task, or worker 0 in a cluster without one.
    if task_type == "chief":
        return True
    return task_type == "worker" and task_index == 0 and "chief" not in cluster


def _configure_tpu(config: Any) -> Distribution:
    # The documented TPU set-up (tensorflow.org/guide/tpu); not exercised by the tests.
    import tensorflow as tf

    if config.devices:
        raise UsageError(
            "devices= applies to strategy=mirrored; strategy=tpu uses every core of the TPU"
        )
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=config.tpu or None)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, tf.errors.OpError) as error:
        where = f"tpu={config.tpu}" if config.tpu else "a local TPU (tpu= not given)"
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise UsageError(f"strategy=tpu could not reach {where}: {first_line}") from None
    strategy = tf.distribute.TPUStrategy(resolver)
    keras_patches.patch_build_under_strategies()
    return Distribution(
        strategy="tpu", replicas=strategy.num_replicas_in_sync, tf_strategy=strategy
    )


def _configure_jax(config: Any) -> Distribution:
    import keras

    if config.strategy == "multi_worker":
        raise UsageError(
            "strategy=multi_worker is not supported with KERAS_BACKEND=jax "
            "(the JAX equivalent is keras.distribution.initialize + DataParallel); "
            "use KERAS_BACKEND=tensorflow"
        )
    if config.strategy == "tpu" and config.devices:
        raise UsageError("devices= applies to strategy=mirrored; strategy=tpu uses every TPU core")
    forced = config.devices > 1 and _force_jax_host_devices(config.devices)
    import jax

    devices = jax.devices()
    if config.strategy == "tpu" and devices[0].platform != "tpu":
        raise UsageError(
            f"strategy=tpu with KERAS_BACKEND=jax needs TPU devices; JAX sees {devices[0].platform}"
        )
    if config.devices > len(devices):
        late = " (JAX had started before devices= could ask for more)" if not forced else ""
        raise UsageError(
            f"devices={config.devices} but JAX sees {len(devices)} "
            f"{devices[0].platform} devices{late}"
        )
    chosen = devices[: config.devices or len(devices)]
    distribution = keras.distribution.DataParallel(devices=chosen)
    return Distribution(
        strategy=config.strategy,
        backend="jax",
        replicas=len(chosen),
        devices=tuple(f"{device.platform.upper()}:{device.id}" for device in chosen),
        keras_distribution=distribution,
    )


def _force_jax_host_devices(count: int) -> bool:
    """Asks XLA for `count` CPU devices; False when JAX has started its backends (too late)."""
    from jax._src import xla_bridge

    if xla_bridge.backends_are_initialized():
        return False
    flag = "--xla_force_host_platform_device_count"
    flags = re.sub(flag + r"=\d+", "", os.environ.get("XLA_FLAGS", ""))
    os.environ["XLA_FLAGS"] = f"{flags} {flag}={count}".strip()
    return True

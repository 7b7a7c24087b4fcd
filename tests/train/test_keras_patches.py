"""tfnotes.train.keras_patches: the version guard, and each patched Keras bug still there.

Each bug test runs Keras's own, unpatched function (`keras_patches.original`) and
asserts that the upstream bug (tensorflow/tensorflow#72388) still happens, then that
the patch fixes it. When a bug test fails on a newer Keras because the bug is gone,
Keras has fixed it upstream: drop that patch (and its test) from keras_patches.

The patch tests install the patches through `monkeypatch`, so that Keras is unpatched
again after them.
"""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from support.distributed import REPO, free_ports

from tfnotes.errors import UsageError
from tfnotes.train import keras_patches

UPSTREAM_REDUCE_ERROR = "Invalid reduction dimension 0 for input with 0 dimensions"
FIXED_UPSTREAM = (
    "Keras {version} no longer has the bug {patch} works around "
    "(tensorflow/tensorflow#72388): drop {patch} from tfnotes/train/keras_patches.py"
)


def trainer():
    """Keras's TensorFlow trainer module, the one the patches change."""
    from keras.src.backend.tensorflow import trainer as module

    return module


# --- the version guard --------------------------------------------------------------------

@pytest.mark.parametrize("version", ["3.10.0", "3.14.2", "3.16.0", "3.150.0", "4.0.0"])
def test_guard_refuses_an_untested_keras_with_one_line(version):
    with pytest.raises(UsageError) as caught:
        keras_patches.check_keras_version(version)
    message = str(caught.value)
    assert "\n" not in message
    assert f"Keras {version} is installed" in message
    assert "tested only on Keras 3.15.x" in message
    assert message.endswith("install the tested range: pip install 'keras>=3.15,<3.16'")


@pytest.mark.parametrize("version", ["3.15.0", "3.15.1", "3.15.2.dev2026"])
def test_guard_accepts_the_tested_minor_version(version):
    assert keras_patches.check_keras_version(version) == version


def test_guard_accepts_the_installed_keras():
    assert keras_patches.check_keras_version() == keras.__version__


def test_guard_runs_before_any_patch_is_applied(monkeypatch):
    monkeypatch.setattr(keras, "__version__", "3.99.0")
    module = trainer()
    before = (module.reduce_per_replica, module.TensorFlowTrainer._maybe_symbolic_build)
    for patch in (keras_patches.patch_multi_worker_reduce,
                  keras_patches.patch_build_under_strategies):
        with pytest.raises(UsageError, match=r"Keras 3\.99\.0 is installed"):
            patch()
    assert (module.reduce_per_replica, module.TensorFlowTrainer._maybe_symbolic_build) == before


def test_setup_cfg_pins_keras_to_the_tested_range():
    setup = configparser.ConfigParser()
    setup.read(REPO / "setup.cfg")
    requirements = setup["options"]["install_requires"].split()
    assert [line for line in requirements if line.startswith("keras")] == [
        keras_patches.KERAS_REQUIREMENT
    ]
    assert keras_patches.KERAS_REQUIREMENT == "keras>=3.15,<3.16"


# --- patch_multi_worker_reduce -----------------------------------------------------------

@pytest.fixture(scope="module")
def local_multi_worker_strategy():
    """A MultiWorkerMirroredStrategy of this process alone (no TF_CONFIG): one CPU replica."""
    import tensorflow as tf

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("TF_CONFIG", raising=False)
        return tf.distribute.MultiWorkerMirroredStrategy()


def reduce_scalar_logs(reduce, strategy, value: float) -> float:
    """`reduce`s the logs ``{"loss": value}`` of a replica step as Keras's train step does."""
    import tensorflow as tf

    @tf.function
    def step():
        logs = strategy.run(lambda: {"loss": tf.constant(value)})
        return reduce(logs, strategy, "auto")["loss"]

    return float(step())


def test_reduce_bug_is_still_in_keras_and_the_patch_fixes_it(
    local_multi_worker_strategy, monkeypatch
):
    # Keras takes its multi-worker branch only with more than one worker; one local
    # worker that says it is in multi-worker mode reaches the same faulty
    # `strategy.reduce("MEAN", scalar, axis=0)` in-process, without a cluster (the
    # slow test below runs two real workers).
    strategy = local_multi_worker_strategy
    monkeypatch.setattr(strategy.extended, "_in_multi_worker_mode", lambda: True)
    assert trainer()._collective_all_reduce_multi_worker(strategy)

    unpatched = keras_patches.original(keras_patches.REDUCE)
    try:
        reduce_scalar_logs(unpatched, strategy, 2.0)
    except ValueError as error:
        assert UPSTREAM_REDUCE_ERROR in str(error)
    else:
        pytest.fail(FIXED_UPSTREAM.format(
            version=keras.__version__, patch="patch_multi_worker_reduce"
        ))

    monkeypatch.setattr(trainer(), "reduce_per_replica", trainer().reduce_per_replica)
    keras_patches.patch_multi_worker_reduce()
    assert reduce_scalar_logs(trainer().reduce_per_replica, strategy, 2.0) == 2.0


TWO_WORKER_REDUCE = f"""
import tensorflow as tf

from tfnotes.train import keras_patches

options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=30)
strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
value = 2.0 * strategy.cluster_resolver.task_id + 1.0  # worker 0: 1.0, worker 1: 3.0


def reduce_scalar_logs(reduce):  # as reduce_scalar_logs in the test file
    @tf.function
    def step():
        logs = strategy.run(lambda: {{"loss": tf.constant(value)}})
        return reduce(logs, strategy, "auto")["loss"]

    return float(step())


try:
    print("unpatched:", reduce_scalar_logs(keras_patches.original(keras_patches.REDUCE)))
except ValueError as error:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    print("unpatched:", {UPSTREAM_REDUCE_ERROR!r} if {UPSTREAM_REDUCE_ERROR!r} in str(error)
          else lines[-1])
keras_patches.patch_multi_worker_reduce()
from keras.src.backend.tensorflow import trainer
print("patched:", reduce_scalar_logs(trainer.reduce_per_replica))
"""


@pytest.mark.slow
def test_reduce_bug_is_still_in_keras_on_two_real_workers(tmp_path):
    # Two loopback workers, each averaging its scalar loss (1.0 and 3.0) across both.
    addresses = [f"127.0.0.1:{port}" for port in free_ports(2)]
    workers = []
    try:
        for index in range(2):
            task = {"type": "worker", "index": index}
            tf_config = {"cluster": {"worker": addresses}, "task": task}
            env = {**os.environ, "TF_CONFIG": json.dumps(tf_config), "TF_CPP_MIN_LOG_LEVEL": "2"}
            workers.append(subprocess.Popen(
                [sys.executable, "-c", TWO_WORKER_REDUCE], cwd=REPO, env=env, text=True,
                stdout=subprocess.PIPE, stderr=open(tmp_path / f"worker{index}.err", "w"),
            ))
        outputs = [worker.communicate(timeout=180)[0] for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=30)
    for index, (worker, output) in enumerate(zip(workers, outputs)):
        errors = (tmp_path / f"worker{index}.err").read_text()[-3000:]
        assert worker.returncode == 0, errors
        lines = dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)
        if lines["unpatched"] != UPSTREAM_REDUCE_ERROR:
            pytest.fail(FIXED_UPSTREAM.format(
                version=keras.__version__, patch="patch_multi_worker_reduce"
            ) + f" (worker {index} got {lines['unpatched']})")
        assert float(lines["patched"]) == 2.0  # the mean over both workers


# --- patch_build_under_strategies --------------------------------------------------------

def counted_reshuffling_dataset(opened: list):
    """Rows 0..7 reshuffled on every iteration, in batches of 4; `opened` counts iterations."""
    import tensorflow as tf

    def rows():
        opened.append(len(opened))
        for row in range(8):
            yield np.full((2,), row, np.float32), np.float32([row])

    signature = (tf.TensorSpec((2,), tf.float32), tf.TensorSpec((1,), tf.float32))
    dataset = tf.data.Dataset.from_generator(rows, output_signature=signature)
    return dataset.shuffle(8, seed=1, reshuffle_each_iteration=True).batch(4)


def first_batch_fit_trains_on(build) -> tuple[list, list]:
    """Builds a model under MirroredStrategy on CPU:0 as `fit` does, with `build`.

    Returns (the dataset's iterations opened by building, the targets of the first
    batch the training loop then reads).
    """
    from tfnotes.train.distribute import _mirrored_strategy

    strategy = _mirrored_strategy(("/cpu:0",))  # the runner's cached strategy for CPU:0
    with strategy.scope():
        model = keras.Sequential([keras.layers.Dense(1)])
        model.compile(loss="mse", optimizer="sgd")
    opened = []
    epoch_iterator = trainer().TFEpochIterator(
        x=counted_reshuffling_dataset(opened), distribute_strategy=strategy
    )
    build(model, iterator=epoch_iterator)  # what fit does before its first epoch
    opened_by_build = list(opened)
    assert model.built
    for _, _, batches in epoch_iterator:  # the first epoch's loop
        _, targets = next(batches)
        return opened_by_build, np.asarray(targets).ravel().tolist()


def test_build_bug_is_still_in_keras_and_the_patch_fixes_it(monkeypatch):
    # The order a one-device run trains on first: the dataset's first iteration.
    first_order = [
        np.asarray(targets).ravel().tolist()
        for _, targets in counted_reshuffling_dataset([])
    ][0]

    unpatched = keras_patches.original(keras_patches.BUILD)
    opened, first_batch = first_batch_fit_trains_on(unpatched)
    if opened == [] and first_batch == first_order:
        pytest.fail(FIXED_UPSTREAM.format(
            version=keras.__version__, patch="patch_build_under_strategies"
        ))
    # Keras opened the dataset once to build, so training starts on its second order.
    assert opened == [0]
    assert first_batch != first_order

    monkeypatch.setattr(
        trainer().TensorFlowTrainer, "_maybe_symbolic_build",
        trainer().TensorFlowTrainer._maybe_symbolic_build,
    )
    keras_patches.patch_build_under_strategies()
    opened, first_batch = first_batch_fit_trains_on(
        trainer().TensorFlowTrainer._maybe_symbolic_build
    )
    assert opened == []
    assert first_batch == first_order


def test_original_is_keras_own_function_patched_or_not(monkeypatch):
    module = trainer()
    monkeypatch.setattr(module, "reduce_per_replica", module.reduce_per_replica)
    unpatched = keras_patches.original(keras_patches.REDUCE)
    keras_patches.patch_multi_worker_reduce()
    assert keras_patches.original(keras_patches.REDUCE) is unpatched
    assert not getattr(unpatched, "tfnotes_patched", False)
    assert module.reduce_per_replica.tfnotes_patched
    with pytest.raises(KeyError, match="not patched here"):
        keras_patches.original("trainer.fit")

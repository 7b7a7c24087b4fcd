"""strategy= / devices=: TF_CONFIG checks, mirrored runs equal to one-device runs, resume across.

Splitting the CPU into logical devices (and giving JAX several CPU devices) only works
before the runtime starts, so the distributed runs happen in a fresh subprocess; that
subprocess runs the mirrored configuration first and the `strategy=none` reference
second, so both see the same process and only one interpreter has to start.

Tolerance: with no dropout, the same seed and full batches (the toy's 256 points in
batches of 32; slot filling drops the remainder), two replicas compute the same global
gradient as one device, only summed in another order, and the one-device run uses XLA
while a tf.distribute run cannot. Losses therefore agree to float32 rounding, amplified
a little over the steps: we allow a relative 1e-4 (seen: ~1e-7), on TensorFlow and JAX.

Slot filling is not step-identical and cannot be: its slot loss ignores padding
(`ignore_class=0`), and Keras 3 divides a masked mean by the *replica's* count of real
tokens (keras/src/losses/loss.py, apply_mask), so two replicas average two per-replica
token means where one device takes one mean over all tokens. Seen: epoch-1 loss 5.6683
vs 5.6662 (0.04%), with identical initial weights and XLA off in both. After the 2
tiny smoke epochs the tagger is barely trained (slot F1 ~0.08, logits near ties), so
scores are allowed to differ by 0.05 (seen: slot F1 0.086 vs 0.093, others equal).
"""

from __future__ import annotations

import json
import types

import pytest
from support.distributed import (
    LEARNING_SLOT_FILLING,
    RELATIVE_TOLERANCE,
    SCORE_TOLERANCE,
    assert_close,
    run_dirs,
    run_runner_subprocess,
)

from tfnotes.errors import UsageError
from tfnotes.train import CommonConfig, parse_overrides
from tfnotes.train.distribute import read_tf_config


def test_strategy_keys_parse_and_reject_unknown_values():
    config = parse_overrides(CommonConfig, ["strategy=mirrored", "devices=2"])
    assert (config.strategy, config.devices, config.tpu) == ("mirrored", 2, "")
    with pytest.raises(UsageError, match="choose one of: none, mirrored, multi_worker, tpu"):
        parse_overrides(CommonConfig, ["strategy=horovod"])


@pytest.mark.parametrize(
    "tf_config, message",
    [
        (None, "TF_CONFIG, which is not set"),
        ("{not json", "not valid JSON"),
        ('{"cluster": {"worker": ["127.0.0.1:1"]}}', 'needs a "cluster" and a "task"'),
        (
            '{"cluster": {"worker": ["nohost"]}, "task": {"type": "worker", "index": 0}}',
            '"host:port" strings',
        ),
        (
            '{"cluster": {"worker": ["127.0.0.1:1"]}, "task": {"type": "worker", "index": 1}}',
            "task.index=1 is out of range",
        ),
        (
            '{"cluster": {"worker": ["127.0.0.1:1"]}, "task": {"type": "ps", "index": 0}}',
            "task.type='ps' is not a job",
        ),
    ],
)
def test_bad_tf_config_is_one_line_usage_error(tf_config, message):
    environ = {} if tf_config is None else {"TF_CONFIG": tf_config}
    with pytest.raises(UsageError, match=message) as caught:
        read_tf_config(environ)
    assert "\n" not in str(caught.value)


def test_good_tf_config():
    cluster = {"chief": ["127.0.0.1:1"], "worker": ["127.0.0.1:2", "127.0.0.1:3"]}
    task = {"type": "worker", "index": 1}
    environ = {"TF_CONFIG": json.dumps({"cluster": cluster, "task": task})}
    assert read_tf_config(environ) == (cluster, "worker", 1)


def test_experiments_refuse_the_strategies_they_do_not_declare():
    from experiments.__main__ import strategy_refusal

    module = types.ModuleType("experiments.custom_loop")
    module.STRATEGIES = ("none",)
    assert strategy_refusal(module, "none") is None
    assert strategy_refusal(module, "mirrored") == (
        "experiments.custom_loop does not support strategy=mirrored; it supports: none"
    )
    module.STRATEGIES, module.STRATEGY_NOTE = ("none", "mirrored"), "one image"
    assert strategy_refusal(module, "mirrored") is None
    assert strategy_refusal(module, "tpu") == (
        "experiments.custom_loop does not support strategy=tpu (one image); "
        "it supports: none, mirrored"
    )


def test_devices_after_tensorflow_started_is_a_clear_usage_error(toy, run_main, tmp_path):
    import tensorflow as tf

    tf.config.list_logical_devices()  # starts the runtime, as earlier tests in a session do
    if len(tf.config.list_logical_devices("CPU")) != 1 or tf.config.list_physical_devices("GPU"):
        pytest.skip("this process already has several devices")
    status, _, stderr = run_main(["toy", f"logdir={tmp_path}", "strategy=mirrored", "devices=2"])
    assert status == 2
    assert len(stderr.strip().splitlines()) == 1
    assert "devices=2 must be set before TensorFlow initialises its devices" in stderr


# --- real runs ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mirrored_and_single_toy(tmp_path_factory):
    """Toy runs (2 epochs, seed 3) under mirrored devices=2, then none: (stdout, metrics)."""
    logdir = tmp_path_factory.mktemp("distribute")
    common = ["toy", f"logdir={logdir}", "seed=3", "epochs=2"]
    return run_runner_subprocess(common + ["strategy=mirrored", "devices=2"], common)


@pytest.mark.slow
def test_toy_mirrored_on_two_cpus_matches_one_device(mirrored_and_single_toy):
    stdout, (mirrored, single) = mirrored_and_single_toy
    assert "strategy: mirrored (tensorflow), 2 replicas on CPU:0, CPU:1" in stdout
    assert mirrored["epochs_trained"] == single["epochs_trained"] == 2
    assert_close(mirrored, single, ["loss", "val_loss"], rtol=RELATIVE_TOLERANCE)
    mirrored_dir = run_dirs(stdout)[0]
    for name in ("metrics.json", "config.json", "model.keras", "checkpoint/latest.weights.h5"):
        assert (mirrored_dir / name).is_file(), name
    assert json.loads((mirrored_dir / "config.json").read_text())["strategy"] == "mirrored"


@pytest.mark.slow
def test_mirrored_checkpoint_resumes_on_one_device(mirrored_and_single_toy, toy, run_main):
    stdout, _ = mirrored_and_single_toy
    mirrored_dir = run_dirs(stdout)[0]
    status, resumed_stdout, stderr = run_main(
        ["toy", f"resume={mirrored_dir}", "strategy=none", "devices=0", "epochs=3"]
    )
    assert status == 0, stderr
    metrics = json.loads(resumed_stdout.split("metrics: ", 1)[1].splitlines()[0])
    assert metrics["epochs_trained"] == 1  # epochs 1-2 came from the mirrored backup
    assert json.loads((mirrored_dir / "config.json").read_text())["strategy"] == "none"


@pytest.mark.slow
def test_one_device_checkpoint_resumes_mirrored(toy, run_main, tmp_path):
    status, stdout, stderr = run_main(["toy", f"logdir={tmp_path}", "seed=3", "epochs=1"])
    assert status == 0, stderr
    single_dir = run_dirs(stdout)[0]
    resumed_stdout, (metrics,) = run_runner_subprocess(
        ["toy", f"resume={single_dir}", "strategy=mirrored", "devices=2", "epochs=2"]
    )
    assert "2 replicas" in resumed_stdout
    assert metrics["epochs_trained"] == 1
    assert run_dirs(resumed_stdout) == [single_dir]


@pytest.mark.slow
def test_slot_filling_smoke_mirrored_matches_one_device(tmp_path):
    common = ["slot_filling", f"logdir={tmp_path}", "smoke=True", "dropout=0.0", "seed=1"]
    stdout, (mirrored, single) = run_runner_subprocess(
        common + ["strategy=mirrored", "devices=2"], common, timeout=240
    )
    assert "2 replicas on CPU:0, CPU:1" in stdout
    scores = ["slot_f1", "intent_accuracy", "sentence_accuracy", "minimal_pair_accuracy"]
    assert_close(mirrored, single, scores, atol=SCORE_TOLERANCE)


@pytest.mark.slow
def test_toy_on_jax_data_parallel_over_two_cpu_devices(tmp_path):
    common = ["toy", f"logdir={tmp_path}", "seed=3", "epochs=2"]
    stdout, (parallel, single) = run_runner_subprocess(
        common + ["strategy=mirrored", "devices=2"], common, env={"KERAS_BACKEND": "jax"}
    )
    assert "strategy: mirrored (jax), 2 replicas on CPU:0, CPU:1" in stdout
    assert_close(parallel, single, ["loss", "val_loss"], rtol=RELATIVE_TOLERANCE)


@pytest.mark.slow
def test_slot_filling_on_jax_data_parallel_over_two_cpu_devices(tmp_path):
    # Slot filling is the experiment that runs on JAX too (the others use tf.GradientTape).
    # DataParallel shards global arrays, so the masked slot loss is one mean over the
    # global batch as on one device: seen equal scores (slot F1 0.451 both).
    common = ["slot_filling", f"logdir={tmp_path}", *LEARNING_SLOT_FILLING, "crf=True"]
    stdout, (parallel, single) = run_runner_subprocess(
        common + ["strategy=mirrored", "devices=2"],
        common,
        env={"KERAS_BACKEND": "jax"},
        timeout=240,
    )
    assert "strategy: mirrored (jax), 2 replicas on CPU:0, CPU:1" in stdout
    scores = ["slot_f1", "intent_accuracy", "sentence_accuracy", "minimal_pair_accuracy"]
    assert_close(parallel, single, scores, atol=SCORE_TOLERANCE)

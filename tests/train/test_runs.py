"""Whole toy runs through the runner: run directory contents, resume, the NaN guard."""

from __future__ import annotations

import json
import pathlib

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

from experiments.__main__ import resume_command

pytestmark = pytest.mark.slow


def epoch_steps(directory: pathlib.Path, tag: str) -> list[list[int]]:
    """For each event file in `directory` (oldest first), the steps at which `tag` was written."""
    steps = []
    for path in sorted(directory.glob("events.out.tfevents.*")):
        file_steps = [
            event.step
            for event in tf.compat.v1.train.summary_iterator(str(path))
            for value in event.summary.value
            if value.tag == tag
        ]
        if file_steps:
            steps.append(file_steps)
    return steps


def test_run_directory_holds_config_metrics_model_and_events(finished_toy_run, toy):
    logdir, run_dir, stdout = finished_toy_run
    assert run_dir.parent == logdir / "toy"
    assert stdout.strip().splitlines()[-1] == f"run_dir: {run_dir}"

    config = json.loads((run_dir / "config.json").read_text())
    assert config["seed"] == 3 and config["epochs"] == 3 and config["jit_compile"] is True
    assert "the first epoch also compiles the training step with XLA" in stdout
    assert config["logdir"] == str(logdir)

    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert set(metrics) == {
        "loss", "val_loss", "epochs_trained", "seconds_per_epoch", "seconds_first_epoch"
    }
    assert all(type(value) is float for value in metrics.values())
    assert metrics["epochs_trained"] == 3.0

    model = keras.models.load_model(run_dir / "model.keras")
    x, _ = toy.make_data(seed=4, count=5)
    assert model.predict(x, verbose=0).shape == (5, 1)

    assert epoch_steps(run_dir / "train", "epoch_loss") == [[0, 1, 2]]
    assert epoch_steps(run_dir / "validation", "epoch_loss") == [[0, 1, 2]]
    assert epoch_steps(run_dir / "validation", "examples") == [[0, 1, 2]]  # TextSummaryCallback


def test_interrupted_run_resumes_at_the_next_epoch(toy, tmp_path, run_main):
    status, stdout, stderr = run_main(
        ["toy", f"logdir={tmp_path}", "interrupt_at_epoch=1", "jit_compile=False"]
    )
    (run_dir,) = (tmp_path / "toy").iterdir()
    assert status == 130
    resume_hint = f"interrupted; continue with: {resume_command('toy', f'resume={run_dir}')}"
    assert stderr.strip() == resume_hint
    assert (run_dir / "config.json").is_file() and not (run_dir / "model.keras").exists()
    assert json.loads((run_dir / "checkpoint" / "training_metadata.json").read_text())["epoch"] == 1

    # The override applies on top of the saved config; jit_compile=False comes from config.json.
    status, stdout, stderr = run_main(["toy", f"resume={run_dir}", "interrupt_at_epoch=-1"])
    assert status == 0, stderr
    assert stdout.strip().splitlines()[-1] == f"run_dir: {run_dir}"
    assert "Epoch 1/3" not in stdout and "Epoch 2/3" in stdout and "Epoch 3/3" in stdout
    assert json.loads((run_dir / "metrics.json").read_text())["epochs_trained"] == 2.0
    config = json.loads((run_dir / "config.json").read_text())
    assert config["resume"] == str(run_dir) and config["interrupt_at_epoch"] == -1
    assert config["jit_compile"] is False
    # First run: epoch 0 (interrupted in epoch 1); resumed run: epochs 1 and 2, nothing twice.
    assert epoch_steps(run_dir / "train", "epoch_loss") == [[0], [1, 2]]
    assert keras.models.load_model(run_dir / "model.keras") is not None

    # The backup outlives a finished run: resuming with more epochs trains only the new one.
    status, stdout, stderr = run_main(["toy", f"resume={run_dir}", "epochs=4"])
    assert status == 0, stderr
    assert json.loads((run_dir / "metrics.json").read_text())["epochs_trained"] == 1.0
    assert epoch_steps(run_dir / "train", "epoch_loss") == [[0], [1, 2], [3]]


def test_nan_loss_stops_with_epoch_and_step_and_keeps_the_last_checkpoint(toy, tmp_path, run_main):
    # 8 steps per epoch: global step 11 is epoch 2, step 4 (both counted from 1).
    status, stdout, stderr = run_main(
        ["toy", f"logdir={tmp_path}", "nan_at_step=11", "jit_compile=False"]
    )
    (run_dir,) = (tmp_path / "toy").iterdir()
    assert status == 1
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert stderr.startswith("error: loss became nan at epoch 2, step 4; ")
    assert f"the last good checkpoint is in {run_dir / 'checkpoint'} (after epoch 1)" in stderr
    assert json.loads((run_dir / "checkpoint" / "training_metadata.json").read_text())["epoch"] == 1
    arrays = []

    def collect(name, item):
        if isinstance(item, h5py.Dataset):
            arrays.append(item[()])

    with h5py.File(run_dir / "checkpoint" / "latest.weights.h5") as weights:
        weights.visititems(collect)
    assert arrays and all(np.all(np.isfinite(array)) for array in arrays)
    assert (run_dir / "config.json").is_file() and not (run_dir / "model.keras").exists()

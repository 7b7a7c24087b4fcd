"""RunDirectory: layout, uniqueness, config and metrics files."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import tensorflow as tf

from tfnotes.errors import UsageError
from tfnotes.train import CommonConfig, RunDirectory


def test_create_makes_unique_sortable_run_ids(tmp_path):
    first = RunDirectory.create(tmp_path / "logs", "slot_filling")
    second = RunDirectory.create(tmp_path / "logs", "slot_filling")
    assert first.path.parent == second.path.parent == tmp_path / "logs" / "slot_filling"
    assert re.fullmatch(r"\d{8}-\d{6}", first.path.name)
    assert re.fullmatch(r"\d{8}-\d{6}(-\d\d)?", second.path.name)
    assert first.path != second.path and first.path.is_dir() and second.path.is_dir()
    assert sorted([second.path.name, first.path.name]) == [first.path.name, second.path.name]
    assert first.model_path == first.path / "model.keras"
    assert first.checkpoint_dir.parent == first.path


def test_config_round_trip_and_open_existing(tmp_path):
    run_dir = RunDirectory.create(tmp_path, "toy")
    run_dir.write_config(CommonConfig(epochs=3, clipnorm=5.0))
    reopened = RunDirectory.open_existing(str(run_dir.path))
    assert reopened.path == run_dir.path
    assert reopened.read_config()["epochs"] == 3 and reopened.read_config()["clipnorm"] == 5.0


def test_open_existing_rejects_what_is_not_a_run_directory(tmp_path):
    with pytest.raises(UsageError, match="no such directory"):
        RunDirectory.open_existing(tmp_path / "missing")
    with pytest.raises(UsageError, match="not a run directory"):
        RunDirectory.open_existing(tmp_path)


def test_write_metrics_writes_flat_floats_atomically(tmp_path):
    run_dir = RunDirectory.create(tmp_path, "toy")
    assert run_dir.read_metrics() == {}
    run_dir.write_metrics({"f1": np.float32(0.5), "count": 3, "loss": tf.constant(0.25)})
    assert json.loads(run_dir.metrics_path.read_text()) == {"f1": 0.5, "count": 3.0, "loss": 0.25}
    assert sorted(p.name for p in run_dir.path.iterdir()) == ["metrics.json"]  # no temp file left


@pytest.mark.parametrize(
    "metrics",
    [
        {"f1": {"micro": 0.5}}, {"f1": "0.5"}, {"f1": [0.5]}, {"ok": True},
        {"f1": float("nan")}, {1: 0.5},
    ],
)
def test_write_metrics_rejects_nested_non_numeric_and_non_finite_values(tmp_path, metrics):
    run_dir = RunDirectory.create(tmp_path, "toy")
    run_dir.write_metrics({"f1": 0.1})
    with pytest.raises(ValueError):
        run_dir.write_metrics(metrics)
    assert json.loads(run_dir.metrics_path.read_text()) == {"f1": 0.1}  # the old file survives


def test_a_child_runs_output_counts_as_training(tmp_path):
    # slot_filling_cells keeps finished child runs in sub-directories of its run.
    run_dir = RunDirectory.create(tmp_path, "cells")
    assert not run_dir.has_trained()
    (run_dir.path / "gru_uni").mkdir()
    (run_dir.path / "gru_uni" / "metrics.json").write_text("{}")
    assert run_dir.has_trained()


def test_config_json_is_restored_only_while_no_new_epoch_was_backed_up(tmp_path):
    run_dir = RunDirectory.create(tmp_path, "toy")
    run_dir.config_path.write_text('{"epochs": 3}')
    run_dir.checkpoint_dir.mkdir()
    progress = run_dir.checkpoint_dir / "training_metadata.json"
    progress.write_text('{"epoch": 2}')
    before = run_dir.snapshot()
    run_dir.config_path.write_text('{"epochs": 6}')
    run_dir.restore_config_unless_trained(before)  # failed before a new epoch: put back
    assert run_dir.config_path.read_text() == '{"epochs": 3}'
    run_dir.config_path.write_text('{"epochs": 6}')
    progress.write_text('{"epoch": 4}')
    run_dir.restore_config_unless_trained(before)  # trained on: the new config stays
    assert run_dir.config_path.read_text() == '{"epochs": 6}'

"""The slot-filling experiment end to end: smoke runs, saved model, tagging, bad input."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest

import tfnotes  # noqa: F401  (registers the layers load_model needs)
from experiments import slot_filling

REPO = pathlib.Path(__file__).resolve().parents[2]
METRIC_KEYS = {"slot_f1", "intent_accuracy", "sentence_accuracy"}

TINY_SPLIT = [
    ("arrive taipei on monday", "O B-toloc.city_name O B-arrive_date.day_name", "flight"),
    ("leave taipei on monday", "O B-fromloc.city_name O B-depart_date.day_name", "flight"),
    ("how much is a ticket to new york", "O O O O O O B-toloc.city_name I-toloc.city_name", "airfare"),
    ("fly from boston to denver", "O O B-fromloc.city_name O B-toloc.city_name", "flight"),
]


def write_seq_dir(root: pathlib.Path, valid_name="valid", broken_line=None):
    """A tiny benchmark-layout directory; `broken_line` drops one tag from that seq.out line."""
    for split in ("train", valid_name, "test"):
        folder = root / split
        folder.mkdir(parents=True)
        rows = TINY_SPLIT * 3
        tags = [row[1] for row in rows]
        if broken_line is not None and split == "train":
            tags[broken_line - 1] = tags[broken_line - 1].rsplit(" ", 1)[0]
        (folder / "seq.in").write_text("".join(row[0] + " \n" for row in rows))
        (folder / "seq.out").write_text("".join(t + "\n" for t in tags))
        (folder / "label").write_text("".join(row[2] + "\n" for row in rows))
    return root


def run_dir_of(stdout: str) -> pathlib.Path:
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("run_dir: ")
    return pathlib.Path(last.removeprefix("run_dir: "))


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory, run_main):
    """A smoke run on the embedded synthetic corpus (XLA on, the default)."""
    logdir = tmp_path_factory.mktemp("logs")
    status, stdout, stderr = run_main(["slot_filling", "smoke=True", f"logdir={logdir}"])
    assert status == 0, stderr
    return run_dir_of(stdout)


def test_synthetic_smoke_run_writes_the_run_directory(synthetic_run):
    for name in ("config.json", "metrics.json", "model.keras", "vocabularies.json"):
        assert (synthetic_run / name).is_file(), name
    for split in ("train", "validation", "test"):
        assert list((synthetic_run / split).glob("events.out.tfevents.*")), split
    metrics = json.loads((synthetic_run / "metrics.json").read_text())
    assert METRIC_KEYS | {"minimal_pair_accuracy", "seconds_per_epoch"} <= set(metrics)
    for key in METRIC_KEYS | {"minimal_pair_accuracy"}:
        assert 0.0 <= metrics[key] <= 1.0, key
    assert json.loads((synthetic_run / "config.json").read_text())["smoke"] is True


def event_tags(folder: pathlib.Path) -> set[str]:
    """Every summary tag written to the event files in `folder`."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(folder), size_guidance={"tensors": 0})
    accumulator.Reload()
    return set(accumulator.Tags()["tensors"])


def test_validation_scores_and_tagged_sentences_reach_tensorboard(synthetic_run):
    tags = event_tags(synthetic_run / "validation")
    assert {"epoch_slot_f1", "epoch_intent_accuracy", "epoch_loss"} <= tags
    assert any("tagged_validation_sentences" in tag for tag in tags)
    assert {"slot_f1", "minimal_pair_accuracy"} <= event_tags(synthetic_run / "test")


def test_saved_model_reloads_in_plain_keras_with_the_same_predictions(synthetic_run):
    model = keras.models.load_model(synthetic_run / "model.keras")
    words = np.array([[5, 9, 3, 0, 0], [7, 2, 0, 0, 0]], dtype="int32")
    again = keras.models.load_model(synthetic_run / "model.keras")
    first, second = model.predict({"word_ids": words}, verbose=0), again.predict({"word_ids": words}, verbose=0)
    np.testing.assert_allclose(first["slots"], second["slots"], atol=1e-6)
    np.testing.assert_allclose(first["intent"], second["intent"], atol=1e-6)
    assert first["slots"].shape[:2] == (2, 5)


def test_tag_command_prints_a_tag_per_word_and_the_intent(synthetic_run):
    result = subprocess.run(
        [sys.executable, "-m", "experiments.slot_filling", str(synthetic_run), "leave Taipei on November second"],
        capture_output=True, text=True, timeout=180, cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["tokens"] == ["leave", "taipei", "on", "november", "second"]
    assert len(answer["tags"]) == 5 and isinstance(answer["intent"], str)


def test_tag_command_refuses_a_directory_without_a_model(tmp_path):
    assert slot_filling.main([str(tmp_path), "leave taipei"]) == 2


def test_seq_dir_smoke_run_without_xla(tmp_path, run_main):
    data_dir = write_seq_dir(tmp_path / "data", valid_name="dev")
    status, stdout, stderr = run_main(
        ["slot_filling", "smoke=True", "jit_compile=False", "cell=gru", "bidirectional=False", "decode=argmax",
         "intent_to_slots=True", "word_dropout=0.1", "patience=1",
         "encoding=word_hashing", "char_encoder=True", f"data_dir={data_dir}", f"logdir={tmp_path / 'logs'}"]
    )
    assert status == 0, stderr
    metrics = json.loads((run_dir_of(stdout) / "metrics.json").read_text())
    assert METRIC_KEYS <= set(metrics) and "minimal_pair_accuracy" not in metrics


def test_malformed_seq_file_names_file_and_line_with_status_2(tmp_path, run_main):
    data_dir = write_seq_dir(tmp_path / "data", broken_line=2)
    status, _, stderr = run_main(["slot_filling", f"data_dir={data_dir}", f"logdir={tmp_path / 'logs'}"])
    assert status == 2
    assert stderr.count("\n") == 1 and "train/seq.out" in stderr and ":2" in stderr


@pytest.mark.parametrize("cell", ["elman", "jordan", "basic_rnn", "basic_lstm", "dense"])
@pytest.mark.parametrize("encoding", ["one_hot"])
def test_every_cell_builds_a_model_that_tags_each_token(cell, encoding):
    config = slot_filling.Config(cell=cell, encoding=encoding, units=4, embedding_dim=4, num_layers=2)
    model = slot_filling.build_model(config, {"words": 11, "chars": 5, "trigrams": 7, "tags": 6, "intents": 3})
    outputs = model({"word_ids": np.array([[3, 4, 1, 0]], dtype="int32")})
    assert tuple(outputs["slots"].shape) == (1, 4, 6) and tuple(outputs["intent"].shape) == (1, 3)

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
from tfnotes.slots import tagger

REPO = pathlib.Path(__file__).resolve().parents[2]
METRIC_KEYS = {"slot_f1", "intent_accuracy", "sentence_accuracy"}

TINY_SPLIT = [
    ("arrive taipei on monday", "O B-toloc.city_name O B-arrive_date.day_name", "flight"),
    ("leave taipei on monday", "O B-fromloc.city_name O B-depart_date.day_name", "flight"),
    (
        "how much is a ticket to new york",
        "O O O O O O B-toloc.city_name I-toloc.city_name",
        "airfare",
    ),
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
    """A smoke run on the synthetic corpus (XLA on), with <unk> training, cosine decay, 3 epochs."""
    logdir = tmp_path_factory.mktemp("logs")
    status, stdout, stderr = run_main(
        [
            "slot_filling",
            "smoke=True",
            "epochs=3",
            "unknown_word_rate=0.2",
            "learning_rate_schedule=cosine",
            f"logdir={logdir}",
        ]
    )
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


def test_smoke_shrinks_the_run_but_keeps_the_keys_given_beside_it(synthetic_run):
    trained = json.loads((synthetic_run / "vocabularies.json").read_text())["extra"]["config"]
    assert trained["units"] == slot_filling.SMOKE["units"] != slot_filling.Config().units
    assert trained["epochs"] == 3 != slot_filling.SMOKE["epochs"]


def test_config_json_records_what_the_smoke_run_trained(synthetic_run):
    recorded = json.loads((synthetic_run / "config.json").read_text())
    trained = json.loads((synthetic_run / "vocabularies.json").read_text())["extra"]["config"]
    assert recorded == trained
    assert (recorded["train_size"], recorded["eval_size"], recorded["epochs"]) == (200, 50, 3)


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
    first, second = (
        model.predict({"word_ids": words}, verbose=0),
        again.predict({"word_ids": words}, verbose=0),
    )
    np.testing.assert_allclose(first["slots"], second["slots"], atol=1e-6)
    np.testing.assert_allclose(first["intent"], second["intent"], atol=1e-6)
    assert first["slots"].shape[:2] == (2, 5)


def test_tag_command_prints_a_tag_per_word_and_the_intent(synthetic_run):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.slot_filling",
            str(synthetic_run),
            "leave Taipei on November second",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
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
        [
            "slot_filling",
            "smoke=True",
            "jit_compile=False",
            "cell=gru",
            "bidirectional=False",
            "decode=argmax",
            "intent_to_slots=True",
            "slots_to_intent=True",
            "word_dropout=0.1",
            "patience=1",
            "encoding=word_hashing",
            "char_encoder=True",
            "substitution_copies=2",
            "substitution_shared_types=toloc.city_name,fromloc.city_name",
            f"data_dir={data_dir}",
            f"logdir={tmp_path / 'logs'}",
        ]
    )
    assert status == 0, stderr
    metrics = json.loads((run_dir_of(stdout) / "metrics.json").read_text())
    assert METRIC_KEYS <= set(metrics) and "minimal_pair_accuracy" not in metrics
    # All 12 training sentences have a slot; none gets longer than the longest sentence.
    assert "training also on 24 copies with swapped slot values (substitution_copies=2)" in stdout


def test_malformed_seq_file_names_file_and_line_with_status_2(tmp_path, run_main):
    data_dir = write_seq_dir(tmp_path / "data", broken_line=2)
    status, _, stderr = run_main(
        ["slot_filling", f"data_dir={data_dir}", f"logdir={tmp_path / 'logs'}"]
    )
    assert status == 2
    assert stderr.count("\n") == 1 and "train/seq.out" in stderr and ":2" in stderr
    assert not (tmp_path / "logs" / "slot_filling").exists()  # the refused run leaves no directory


def test_a_shared_slot_type_the_data_lacks_is_refused_with_status_2(tmp_path, run_main):
    status, stdout, stderr = run_main(
        [
            "slot_filling",
            "smoke=True",
            "substitution_copies=1",
            "substitution_shared_types=toloc.city_name,movie_nam",
            f"logdir={tmp_path / 'logs'}",
        ]
    )
    assert status == 2 and stderr.count("\n") == 1
    assert "no slot type movie_nam in the synthetic" in stderr and "toloc.city_name" in stderr
    assert not (tmp_path / "logs" / "slot_filling").exists()


def test_crf_ensemble_trains_on_length_buckets_with_xla_and_decodes_jointly(tmp_path, run_main):
    # XLA must compile the CRF's forward algorithm and its gradient for batches whose
    # length is unknown while tracing (two bucket widths here), for both taggers.
    status, stdout, stderr = run_main(
        [
            "slot_filling",
            "crf=True",
            "ensemble=2",
            "decode=joint",
            "length_buckets=2",
            "epochs=1",
            "train_size=200",
            "batch_size=16",
            "units=8",
            "embedding_dim=8",
            "examples_to_log=1",
            f"logdir={tmp_path}",
        ]
    )
    assert status == 0, stderr
    run_dir = run_dir_of(stdout)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert METRIC_KEYS <= set(metrics)
    model = keras.models.load_model(run_dir / "model.keras")
    outputs = model.predict({"word_ids": np.array([[5, 9, 3]], dtype="int32")}, verbose=0)
    assert set(outputs) == {"slots_0", "intent_0", "slots_1", "intent_1"}
    tokens, tags, intent = slot_filling.tag_sentence(run_dir, "leave taipei on november second")
    assert len(tags) == len(tokens) == 5
    # Joint decoding only pairs an intent with slot types seen with it in training.
    slot_types = json.loads((run_dir / "vocabularies.json").read_text())["extra"][
        "slot_types_by_intent"
    ]
    assert {tag[2:] for tag in tags if tag != "O"} <= set(slot_types[intent])


@pytest.mark.parametrize(
    "settings, named",
    [
        (["crf=True", "decode=argmax"], "crf=True"),
        (["ensemble=0"], "ensemble=0"),
        (["length_buckets=0"], "length_buckets=0"),
        (["ema=1.0"], "ema=1.0"),
        (["ema=-0.1"], "ema=-0.1"),
        (["substitution_copies=-1"], "substitution_copies=-1"),
    ],
)
def test_settings_no_run_can_use_are_refused_before_a_run_directory_is_made(
    tmp_path, run_main, settings, named
):
    status, stdout, stderr = run_main(["slot_filling", *settings, f"logdir={tmp_path}"])
    assert (
        status == 2 and stderr.startswith("error: ") and named in stderr and stderr.count("\n") == 1
    )
    assert stdout == "" and not list(tmp_path.iterdir())


def averaged_and_raw_weights(run_dir):
    """The averaged and the raw trainable weights in a run's last per-epoch backup."""
    vocabularies, extra = tfnotes.slots.load_vocabularies(run_dir / "vocabularies.json")
    config = slot_filling.Config(**extra["config"])
    model = tagger.build_model(config, vocabularies.sizes())
    optimizer = tagger.make_optimizer(config, steps_per_epoch=1)
    model.compile(optimizer=optimizer, loss=tagger.losses(config))
    optimizer.build(model.trainable_variables)
    model.load_weights(run_dir / "checkpoint" / "latest.weights.h5")
    averaged = [keras.ops.convert_to_numpy(v) for v in optimizer._model_variables_moving_average]
    return averaged, [keras.ops.convert_to_numpy(v) for v in model.trainable_variables]


def assert_saved_weights_are_the_averages(run_dir):
    saved = [
        keras.ops.convert_to_numpy(v)
        for v in keras.models.load_model(run_dir / "model.keras").trainable_variables
    ]
    averaged, raw = averaged_and_raw_weights(run_dir)
    assert all(np.allclose(s, a) for s, a in zip(saved, averaged, strict=True))
    assert not all(np.allclose(s, r) for s, r in zip(saved, raw, strict=True))


def test_weight_averaging_saves_the_averaged_weights_and_resumes_with_them(tmp_path, run_main):
    small = [
        "epochs=1",
        "train_size=200",
        "batch_size=16",
        "units=8",
        "embedding_dim=8",
        "length_buckets=1",
        "examples_to_log=1",
    ]
    status, stdout, stderr = run_main(["slot_filling", "ema=0.5", *small, f"logdir={tmp_path}"])
    assert status == 0, stderr
    run_dir = run_dir_of(stdout)
    assert_saved_weights_are_the_averages(run_dir)
    # Resuming the finished run for one more epoch carries the average on.
    status, stdout, stderr = run_main(["slot_filling", f"resume={run_dir}", "epochs=2"])
    assert status == 0, stderr
    assert "Epoch 2/2" in stdout and "Epoch 1/2" not in stdout
    assert_saved_weights_are_the_averages(run_dir)


@pytest.mark.parametrize("sentence", ["", "  ", "\t\n"])
def test_a_sentence_without_words_is_a_usage_error_before_the_run_is_read(
    tmp_path, capsys, sentence
):
    # It used to load the model and answer intent <unseen> with a NumPy RuntimeWarning.
    # tmp_path is no run at all: the sentence is refused before anything is read.
    assert slot_filling.main([str(tmp_path), sentence]) == 2
    out, err = capsys.readouterr()
    assert err == "error: nothing to tag: the sentence has no words\n" and out == ""
    from tfnotes.errors import UsageError

    with pytest.raises(UsageError, match="the sentence has no words"):
        slot_filling.tag_sentence(tmp_path, sentence)

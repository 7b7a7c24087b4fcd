"""write_scalars, write_text and write_hparams land where TensorBoard looks."""

from __future__ import annotations

import dataclasses

import tensorflow as tf
from tensorboard.plugins.hparams import plugin_data_pb2

from tfnotes.train import CommonConfig, RunDirectory, write_hparams, write_scalars, write_text


def read_events(directory):
    """{tag: {step: value or text}} from every event file in `directory`."""
    values = {}
    for path in sorted(directory.glob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                has_tensor = value.HasField("tensor")
                array = tf.make_ndarray(value.tensor) if has_tensor else None
                values.setdefault(value.tag, {})[event.step] = (value, array)
    return values


def test_scalars_and_text_go_to_the_split_directory(tmp_path):
    run_dir = RunDirectory.create(tmp_path, "toy")
    write_scalars(run_dir, "test", {"slot_f1": 0.75, "intent_accuracy": 1}, step=4)
    write_scalars(run_dir, "test", {"slot_f1": 0.5}, step=5)
    write_text(run_dir, "validation", "examples", "| a | b |\n|---|---|\n| 1 | 2 |", step=2)
    # One writer per split: repeated writes share one event file.
    assert len(list((run_dir.path / "test").glob("events.out.tfevents.*"))) == 1
    scalars = read_events(run_dir.path / "test")
    assert set(scalars) == {"slot_f1", "intent_accuracy"}
    assert float(scalars["slot_f1"][4][1]) == 0.75 and float(scalars["slot_f1"][5][1]) == 0.5
    text = read_events(run_dir.path / "validation")["examples"][2][1]
    assert text.item().decode().startswith("| a | b |")


@dataclasses.dataclass
class Config(CommonConfig):
    units: tuple[int, ...] = (8, 4)  # not a plain hparam type: written as text


def test_hparams_hold_the_config_and_the_metrics(tmp_path):
    run_dir = RunDirectory.create(tmp_path, "toy")
    write_hparams(run_dir, Config(epochs=2), {"slot_f1": 0.5})
    events = read_events(run_dir.path)
    assert float(events["slot_f1"][0][1]) == 0.5
    (summary_value, _), = events["_hparams_/session_start_info"].values()
    data = plugin_data_pb2.HParamsPluginData.FromString(summary_value.metadata.plugin_data.content)
    hparams = data.session_start_info.hparams
    assert hparams["epochs"].number_value == 2
    assert hparams["units"].string_value == "[8, 4]"
    assert hparams["jit_compile"].bool_value is True
    assert "logdir" not in hparams and "resume" not in hparams

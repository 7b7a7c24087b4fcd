"""Every numeric key declares its range, and the runner refuses a value outside it.

A Config field typed int or float (``Optional`` too) carries a `tfnotes.train.Range`
(``PositiveInt``, ``DropRate``, ``Annotated[float, Range("[0, 1)")]``, ...) that holds
its default; ``key=value`` outside it is one ``error:`` line and status 2, before the
runner makes a run directory (issue #21).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import pathlib
import sys
import types
import typing

import pytest

from experiments.__main__ import experiment_names, load_experiment
from tfnotes.train import field_range

REPO = pathlib.Path(__file__).resolve().parents[2]
EXPERIMENTS = [
    name for name in experiment_names() if (REPO / "experiments" / f"{name}.py").is_file()
]
# The stand-in experiments the runner tests register (tests/train/conftest.py).
TEST_EXPERIMENTS = ["toy_experiment", "replica_step_experiment"]


def _test_experiment(stem):
    """tests/train/STEM.py, imported under a private name (not as an ``experiments.`` module)."""
    spec = importlib.util.spec_from_file_location(
        f"_ranges_{stem}", REPO / "tests" / "train" / f"{stem}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and get_type_hints look the module up
    spec.loader.exec_module(module)
    return module


def _config_class(name):
    if name in TEST_EXPERIMENTS:
        return _test_experiment(name).Config
    return load_experiment(name).Config


def numeric_fields(config_cls):
    """The (name, default) of every field whose type is int or float, Optional or not."""
    hints = typing.get_type_hints(config_cls, include_extras=True)
    fields = []
    for field in dataclasses.fields(config_cls):
        kind, unwrapped = hints[field.name], None
        while kind is not unwrapped:  # Annotated[T | None, ...], Optional[Annotated[T, ...]]
            unwrapped = kind
            if typing.get_origin(kind) is typing.Annotated:
                kind = typing.get_args(kind)[0]
            elif typing.get_origin(kind) in (typing.Union, types.UnionType):
                options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
                kind = options[0] if len(options) == 1 else kind
        if kind in (int, float):
            fields.append((field.name, field.default))
    return fields


@pytest.mark.parametrize("name", EXPERIMENTS + TEST_EXPERIMENTS)
def test_every_numeric_key_declares_a_range_that_holds_its_default(name):
    config_cls = _config_class(name)
    fields = numeric_fields(config_cls)
    assert fields and {"epochs", "batch_size", "seed"} <= {key for key, _ in fields}
    unranged = [key for key, _ in fields if field_range(config_cls, key) is None]
    assert not unranged, f"{name}: numeric keys without a Range: {', '.join(unranged)}"
    outside = [
        f"{key}={default} (not in {field_range(config_cls, key)})"
        for key, default in fields
        if default is not None and default not in field_range(config_cls, key)
    ]
    assert not outside, f"{name}: defaults out of range: {', '.join(outside)}"


# The cases, then cases for each experiment's own ranges.
OUT_OF_RANGE = [
    ("language_model", "keep_prob=0"),
    ("slot_filling", "batch_size=0"),
    ("slot_filling", "batch_size=-4"),
    ("slot_filling", "dropout=1.5"),
    ("slot_filling", "units=0"),
    ("slot_filling", "learning_rate=-1"),
    ("slot_filling", "epochs=0"),
    ("vae", "latent_dim=0"),
    ("captioning", "beam_size=0"),
    ("gan", "noise_dim=0"),
    ("slot_filling", "max_vocab=1"),
    ("slot_filling", "clipnorm=0"),
    ("slot_filling_cells", "timing_epochs=-1"),
    ("captioning", "dropout=1.0"),
    ("gan", "beta_1=1.0"),
    ("vae", "synthetic_count=10"),
    ("style_transfer", "size=16"),
    ("fast_style_transfer", "log_every=0"),
    ("cell_benchmark", "rounds=0"),
]
# Checks that need more than one key or more than an interval (each Config's __post_init__).
REFUSED = [
    ("language_model", ["tie_weights=True", "embedding_dim=32"], "tie_weights=True"),
    ("language_model", ["rnn_layer=keras", "cell=jordan"], "no layer for cell=jordan"),
    ("language_model_vs_keras", ["cell=elman"], "cell=elman has no Keras layer"),
    ("language_model_vs_keras", ["rnn_layer=keras"], "rnn_layer= is what this experiment"),
    ("slot_filling", ["crf=True", "decode=argmax"], "crf=True"),
    ("captioning", ["image_size=4"], "image_size=4"),
    ("captioning", ["cnn_filters=(16, 0)"], "cnn_filters="),
    ("gan", ["epoch_samples=1"], "epoch_samples=1"),
    ("style_transfer", ["style_weights=(1.0, 2.0)"], "style_weights="),
    ("fast_style_transfer", ["size=66"], "size=66"),
    ("cell_benchmark", ["sizes=((1, 2, 3, 0),)"], "sizes="),
]


def _refused_in_one_line(run_main, tmp_path, name, settings):
    status, stdout, stderr = run_main([name, *settings, f"logdir={tmp_path}"])
    assert status == 2, stderr
    assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr
    assert stdout == "" and not list(tmp_path.iterdir())
    return stderr


@pytest.mark.parametrize("name, setting", OUT_OF_RANGE)
def test_a_value_out_of_range_is_one_line_and_status_2_before_any_run_directory(
    run_main, tmp_path, name, setting
):
    key, _, value = setting.partition("=")
    stderr = _refused_in_one_line(run_main, tmp_path, name, [setting])
    interval = field_range(load_experiment(name).Config, key)
    assert stderr == f"error: {key}={value} is out of range: {key} must be in {interval}\n"


@pytest.mark.parametrize("name, settings, named", REFUSED)
def test_settings_no_run_can_use_are_refused_before_any_run_directory(
    run_main, tmp_path, name, settings, named
):
    assert named in _refused_in_one_line(run_main, tmp_path, name, settings)

"""parse_overrides, config_to_dict and config_from_dict."""

from __future__ import annotations

import dataclasses
import json
from typing import Literal

import pytest

from tfnotes.errors import UsageError
from tfnotes.train import (
    CommonConfig,
    config_from_dict,
    config_to_dict,
    override_values,
    parse_overrides,
    resolve_config,
)


@dataclasses.dataclass
class Config(CommonConfig):
    epochs: int = 4  # a redefined common default
    cell: Literal["lstm", "gru"] = "lstm"  # cell
    bidirectional: bool = False  # run both directions
    units: tuple[int, ...] = (16,)  # one width per layer
    shape: tuple[int, int] = (2, 3)  # a fixed-length tuple
    dropout: float | None = None  # None: no dropout
    encoding: Literal["embedding", "one_hot"] = "embedding"  # a Literal lists its own choices


def test_defaults_and_a_redefined_common_default():
    config = parse_overrides(Config, [])
    assert config == Config()
    assert config.epochs == 4 and config.logdir == "tensorboard_logs" and config.clipnorm is None


def test_values_parse_as_python_literals():
    config = parse_overrides(
        Config,
        ["epochs=3", "learning_rate=1e-3", "bidirectional=True", "cell=gru", "units=(64, 32)",
         "dropout=0.5", "clipnorm=5", "jit_compile=False", "encoding=one_hot"],
    )
    assert config.epochs == 3 and type(config.epochs) is int
    assert config.learning_rate == 1e-3
    assert config.bidirectional is True and config.jit_compile is False
    assert config.cell == "gru"
    assert config.units == (64, 32)
    assert config.dropout == 0.5
    assert config.clipnorm == 5.0 and type(config.clipnorm) is float  # int accepted for float
    assert config.encoding == "one_hot"


def test_str_fields_keep_the_raw_text_and_optional_fields_take_none():
    config = parse_overrides(
        Config, ["data=3", "data_dir=../shared/data", "dropout=None", "units=[8]"]
    )
    assert config.data == "3" and config.data_dir == "../shared/data"
    assert config.dropout is None
    assert config.units == (8,)  # a list becomes the field's tuple


def test_base_config_is_overridden_key_by_key():
    base = parse_overrides(Config, ["epochs=7", "cell=gru"])
    config = parse_overrides(Config, ["epochs=9"], base=base)
    assert (config.epochs, config.cell) == (9, "gru")


def test_unknown_key_lists_the_allowed_keys_on_one_line():
    with pytest.raises(UsageError) as error:
        parse_overrides(Config, ["epoch=3"])
    message = str(error.value)
    assert "\n" not in message
    assert "'epoch'" in message and "did you mean epochs" in message
    for key in ("logdir", "seed", "learning_rate", "clipnorm", "cell", "units", "encoding"):
        assert key in message


@pytest.mark.parametrize(
    "arg, expected",
    [
        ("epochs=1.5", "epochs expects int"),
        ("epochs=many", "epochs expects int"),
        ("jit_compile=1", "jit_compile expects bool"),
        ("learning_rate=fast", "learning_rate expects float"),
        ("learning_rate=True", "learning_rate expects float"),
        ("units=16", "units expects tuple"),
        ("units=(1.5,)", "units expects tuple"),
        ("shape=(1, 2, 3)", "shape expects tuple"),
        ("dropout=high", "dropout expects float | None"),
    ],
)
def test_wrong_type_names_the_field_the_type_and_the_value(arg, expected):
    with pytest.raises(UsageError) as error:
        parse_overrides(Config, [arg])
    message = str(error.value)
    assert expected in message and arg in message and "\n" not in message


@pytest.mark.parametrize("arg", ["cell=rnn", "encoding=hashing"])
def test_choices_are_enforced_and_listed(arg):
    with pytest.raises(UsageError) as error:
        parse_overrides(Config, [arg])
    message = str(error.value)
    assert "choose one of" in message
    assert ("lstm, gru" in message) or ("embedding, one_hot" in message)


def test_an_argument_without_equals_is_a_usage_error():
    with pytest.raises(UsageError, match="expected key=value, got 'epochs'"):
        parse_overrides(Config, ["epochs"])


def test_dict_round_trip_through_json():
    config = parse_overrides(Config, ["units=(4, 2)", "dropout=0.1", "cell=gru"])
    values = json.loads(json.dumps(config_to_dict(config)))
    assert values["units"] == [4, 2]
    assert config_from_dict(Config, values) == config


def test_config_from_dict_rejects_unknown_keys_and_wrong_types():
    with pytest.raises(UsageError, match="unknown key 'colour'"):
        config_from_dict(Config, {"colour": "red"})
    with pytest.raises(UsageError, match="epochs expects int"):
        config_from_dict(Config, {"epochs": "3"})


SHRUNK = dict(epochs=1, units=(2,), batch_size=4)


def resolved(args, preset=None):
    return resolve_config(Config, override_values(Config, args), preset, SHRUNK)


def test_smoke_shrinks_the_keys_not_given_on_the_command_line():
    config = resolved(["smoke=True"])
    assert (config.epochs, config.units, config.batch_size) == (1, (2,), 4)


def test_keys_given_next_to_smoke_keep_their_values_even_at_their_defaults():
    config = resolved(["smoke=True", "epochs=3", "units=(8, 8)", f"batch_size={Config.batch_size}"])
    assert (config.epochs, config.units, config.batch_size) == (3, (8, 8), Config.batch_size)


def test_without_smoke_nothing_is_shrunk():
    assert resolved(["epochs=3"]) == parse_overrides(Config, ["epochs=3"])


def test_a_preset_sits_under_smoke_and_the_command_line():
    preset = {"epochs": 7, "cell": "gru", "batch_size": 9}
    config = resolved(["config=p", "batch_size=5"], preset)
    assert (config.config, config.epochs, config.cell, config.batch_size) == ("p", 7, "gru", 5)
    config = resolved(["config=p", "smoke=True"], preset)
    assert (config.epochs, config.cell, config.batch_size) == (1, "gru", 4)
    assert resolved([], {"smoke": True}).epochs == 1  # a preset may itself ask for smoke

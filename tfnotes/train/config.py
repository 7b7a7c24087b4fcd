"""Experiment configs: a dataclass per experiment, overridden by ``key=value`` strings.

Every experiment defines ``@dataclasses.dataclass class Config(CommonConfig)`` with one
commented field per line. The runner turns ``python -m experiments NAME epochs=3
cell=gru`` into a `Config` with `parse_overrides`; values parse as Python literals
(``3``, ``1e-3``, ``False``, ``(64, 32)``) and fall back to the raw text (``gru``).
Each value is checked against the field's annotated type; a ``typing.Literal`` type
lists a field's choices. `resolve_config` stacks a preset, the smoke configuration
and the command line's keys on the defaults, in that order.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import math
import types
import typing
from typing import Annotated, Any, Literal

from tfnotes.errors import UsageError


@dataclasses.dataclass(frozen=True)
class Range:
    """A numeric field's valid values, in interval notation: ``Range("[0, 1)")``.

    Declared on a field as ``Annotated[float, Range("[0, 1)")]`` (or one of the
    aliases below); `parse_overrides` refuses a value outside it with one line.
    """

    interval: str  # "[low, high]", "(low, high)", half-open mixes; "inf" for no bound

    def __post_init__(self):
        text = self.interval.replace(" ", "")
        if len(text) < 5 or text[0] not in "[(" or text[-1] not in "])" or "," not in text:
            raise ValueError(f"Range({self.interval!r}) is not an interval such as '[0, 1)'")
        low, high = text[1:-1].split(",")
        object.__setattr__(self, "bounds", (float(low), float(high)))

    def __contains__(self, number: float) -> bool:
        low, high = self.bounds
        above = number >= low if self.interval.lstrip()[0] == "[" else number > low
        below = number <= high if self.interval.rstrip()[-1] == "]" else number < high
        return above and below and not math.isnan(number)

    def __str__(self) -> str:
        return self.interval


# The ranges most fields need, as types: `batch_size: PositiveInt = 32`.
PositiveInt = Annotated[int, Range("[1, inf)")]
NonNegativeInt = Annotated[int, Range("[0, inf)")]
PositiveFloat = Annotated[float, Range("(0, inf)")]
NonNegativeFloat = Annotated[float, Range("[0, inf)")]
DropRate = Annotated[float, Range("[0, 1)")]  # a dropout rate: 1 would drop everything
Fraction = Annotated[float, Range("[0, 1]")]
OptionalPositiveFloat = Annotated[float | None, Range("(0, inf)")]  # None: off (clipnorm)

STRATEGIES = ("none", "mirrored", "multi_worker", "tpu")  # the values of `strategy=`
ALL_STRATEGIES = STRATEGIES  # what an experiment declares when fit_model distributes it
# The keys a resumed run may change: how long it trains, where it runs, where it logs.
RESUMABLE_KEYS = (
    "resume", "epochs", "jit_compile", "strategy", "devices", "tpu", "collective_timeout",
)


@dataclasses.dataclass
class CommonConfig:
    """Settings every experiment shares; experiments subclass it and add their own."""

    logdir: str = "tensorboard_logs"  # root of the run directories: LOGDIR/NAME/RUN_ID
    seed: NonNegativeInt = 0  # seeds Python, NumPy and TensorFlow (keras.utils.set_random_seed)
    epochs: PositiveInt = 10  # passes over the training split
    batch_size: PositiveInt = 32  # examples per training step, global: split across replicas
    learning_rate: PositiveFloat = 1e-3  # Adam step size when the experiment keeps Adam
    # Gradient clipping: each gradient tensor's norm (Keras' clipnorm; None: off); the
    # recurrent experiments use ~5.0.
    clipnorm: OptionalPositiveFloat = None
    jit_compile: bool = True  # compile the train step with XLA
    data: str = ""  # which data source the experiment reads (experiment-specific names)
    data_dir: str = ""  # read data from this directory instead of the built-in source
    config: str = ""  # the named configuration it starts from: experiments/configs/NAME/CONFIG.py
    smoke: bool = False  # the experiment's tiny configuration (SMOKE); keys given beside it win
    resume: str = ""  # a RUN_DIR to continue from its last finished epoch
    # Spread training over devices (tfnotes/train/distribute.py): one device, the local
    # GPUs/CPUs, the machines named by TF_CONFIG, or a TPU.
    strategy: Literal[STRATEGIES] = "none"
    devices: NonNegativeInt = 0  # mirrored: N devices (0: all); without GPUs, N>1 splits the CPU
    tpu: str = ""  # strategy=tpu: TPU name or grpc:// address ("" on a Cloud TPU VM)
    collective_timeout: PositiveFloat = 60.0  # multi_worker: seconds to wait for a peer


def narrowed_config(config_cls: type, config: Any, **changes) -> Any:
    """A `config_cls` from the fields of `config` it shares (a sub-class's), and `changes`.

    What an experiment that runs another one gives its child runs: the child's own
    Config, so the child's checks apply and its ``config.json`` holds its own keys.
    """
    names = {field.name for field in dataclasses.fields(config_cls)}
    values = {name: getattr(config, name) for name in names if hasattr(config, name)}
    return config_cls(**{**values, **changes})


def config_to_dict(config: Any) -> dict[str, Any]:
    """Returns the config's fields as a JSON-ready dict (tuples become lists)."""
    return {
        field.name: _to_json(getattr(config, field.name)) for field in dataclasses.fields(config)
    }


def config_from_dict(config_cls: type, values: dict[str, Any]) -> Any:
    """Rebuilds a config from `config_to_dict` output (e.g. a run's config.json).

    Fields missing from `values` keep their defaults; an unknown key or a value of
    the wrong type raises `UsageError`.
    """
    checked = {
        key: _check_field(config_cls, key, value, raw=None) for key, value in values.items()
    }
    return _construct(config_cls, checked)


def parse_overrides(config_cls: type, args: list[str], *, base: Any = None) -> Any:
    """Builds a `config_cls` from ``key=value`` strings, on top of `base` if given.

    Raises `UsageError` (one line) for an argument without ``=``, an unknown key
    (listing the allowed keys), a value of the wrong type or outside the field's choices.
    """
    overrides = override_values(config_cls, args)
    if base is None:
        return _construct(config_cls, overrides)
    return _construct(config_cls, {**_current_values(base), **overrides})


def override_values(config_cls: type, args: list[str]) -> dict[str, Any]:
    """The checked values of ``key=value`` strings, by key (a later repeat wins)."""
    overrides = {}
    for arg in args:
        key, sep, raw = arg.partition("=")
        key = key.strip()
        if not sep or not key:
            allowed = ", ".join(field_names(config_cls))
            raise UsageError(f"expected key=value, got {arg!r}; allowed keys: {allowed}")
        overrides[key] = _check_field(config_cls, key, _parse_literal(raw), raw=raw)
    return overrides


def checked_values(config_cls: type, values: dict[str, Any], source: str) -> dict[str, Any]:
    """`values` (a preset's or a smoke configuration's) checked like command-line keys.

    `source` names where they come from in the one-line UsageError.
    """
    try:
        return {
            key: _check_field(config_cls, key, value, raw=None) for key, value in values.items()
        }
    except UsageError as error:
        raise UsageError(f"{source}: {error}") from None


def resolve_config(
    config_cls: type,
    explicit: dict[str, Any],
    preset: dict[str, Any] | None = None,
    smoke: dict[str, Any] | None = None,
) -> Any:
    """The config a fresh run trains with: defaults < `preset` < `smoke` < `explicit`.

    `explicit` holds the command line's checked values (`override_values`); `smoke`
    (the experiment's smoke configuration) applies only when ``smoke=True`` is set
    on the command line or in the preset. Keys given on the command line always win.
    """
    values = dict(preset or {})
    if explicit.get("smoke", values.get("smoke", False)):
        values.update(smoke or {})
    values.update(explicit)
    return _construct(config_cls, values)


def field_names(config_cls: type) -> list[str]:
    """The keys a config accepts, in declaration order."""
    return [field.name for field in dataclasses.fields(config_cls)]


def _current_values(config: Any) -> dict[str, Any]:
    return {
        field.name: getattr(config, field.name)
        for field in dataclasses.fields(config)
        if field.init
    }


def _construct(config_cls: type, values: dict[str, Any]) -> Any:
    try:
        return config_cls(**values)
    except ValueError as error:  # raised by an experiment's __post_init__ checks
        raise UsageError(str(error)) from None


def _parse_literal(raw: str) -> Any:
    try:
        return ast.literal_eval(raw.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return raw


def _to_json(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    return value


def _check_field(config_cls: type, key: str, value: Any, raw: str | None) -> Any:
    """Returns `value` converted to field `key`'s type, or raises UsageError."""
    fields = {field.name: field for field in dataclasses.fields(config_cls) if field.init}
    if key not in fields:
        close = difflib.get_close_matches(key, list(fields), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UsageError(f"unknown key {key!r}{hint}; allowed keys: {', '.join(fields)}")
    annotation = typing.get_type_hints(config_cls, include_extras=True)[key]
    shown = raw.strip() if raw is not None else repr(value)
    try:
        converted = _convert(annotation, value, raw)
    except _WrongType:
        raise UsageError(
            f"{key}={shown} has the wrong type: {key} expects {_type_name(annotation)}, "
            f"got {type(value).__name__}"
        ) from None
    except _NotAChoice as error:
        raise UsageError(_not_a_choice(key, shown, error.choices)) from None
    valid = field_range(config_cls, key)
    if valid is not None and converted is not None and converted not in valid:
        raise UsageError(f"{key}={shown} is out of range: {key} must be in {valid}")
    return converted


def field_range(config_cls: type, key: str) -> Range | None:
    """The `Range` declared on field `key` (``Annotated[..., Range(...)]``), or None."""
    annotation = typing.get_type_hints(config_cls, include_extras=True)[key]
    if typing.get_origin(annotation) is Annotated:
        return next((extra for extra in annotation.__metadata__ if isinstance(extra, Range)), None)
    return None


def _not_a_choice(key: str, shown: str, choices) -> str:
    return f"{key}={shown} is not allowed; choose one of: {', '.join(map(str, choices))}"


class _WrongType(Exception):
    pass


class _NotAChoice(Exception):
    def __init__(self, choices):
        super().__init__(choices)
        self.choices = choices


def _convert(annotation: Any, value: Any, raw: str | None) -> Any:
    """Checks `value` against a type annotation; converts where it is lossless."""
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]  # the type; the Range is checked after
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        for option in (arg for arg in args if arg is not type(None)):
            try:
                return _convert(option, value, raw)
            except _WrongType:
                pass
        raise _WrongType
    if origin is typing.Literal:
        # A Literal lists its choices; the value must be one of them, matched by text too.
        for choice in args:
            if value == choice and type(value) is type(choice):
                return choice
            if isinstance(choice, str) and raw is not None and raw.strip() == choice:
                return choice
        raise _NotAChoice(args)
    if annotation is str:
        if isinstance(value, str):
            return value
        if raw is not None:  # `cell=3` keeps the text "3"
            return raw.strip()
        raise _WrongType
    if annotation is bool:
        if isinstance(value, bool):
            return value
        raise _WrongType
    if annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _WrongType
    if annotation is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise _WrongType
    if annotation in (tuple, list) or origin in (tuple, list):
        if not isinstance(value, (tuple, list)):
            raise _WrongType
        container = origin or annotation
        if not args:  # a bare `tuple` or `list`: any items
            return container(value)
        if len(args) == 2 and args[1] is Ellipsis:  # tuple[int, ...]
            item_types = [args[0]] * len(value)
        elif container is list:  # list[int]
            item_types = [args[0]] * len(value)
        elif len(args) == len(value):  # tuple[int, int]
            item_types = list(args)
        else:
            raise _WrongType
        return container(_convert(kind, item, None) for kind, item in zip(item_types, value))
    if annotation is dict or origin is dict:
        if isinstance(value, dict):
            return value
        raise _WrongType
    if isinstance(annotation, type):
        if isinstance(value, annotation):
            return value
        raise _WrongType
    return value  # an annotation we can't check (e.g. a TypeVar): accept as parsed


def _type_name(annotation: Any) -> str:
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if annotation is bool:
        return "bool (True or False)"
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "")

"""``--help`` for an experiment: each key's type, default, range and comment, and the presets.

The comments are the ones on the Config's fields (``units: PositiveInt = 64  # ...``,
or the comment lines just above a field), read from the source, so the help and the
code cannot disagree.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import typing

from tfnotes.train.config import field_range

_FIELD = re.compile(r"^\s+(\w+)\s*:[^#]*?(?:#\s*(.*))?$")


def field_comments(config_cls: type) -> dict[str, str]:
    """Field name -> its comment, from the source of the class and its bases."""
    comments = {}
    for cls in reversed(config_cls.__mro__):
        if not dataclasses.is_dataclass(cls) or cls is object:
            continue
        try:
            lines = inspect.getsource(cls).splitlines()
        except (OSError, TypeError):
            continue
        above = []
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("#"):
                above.append(stripped.lstrip("# ").rstrip())
                continue
            match = _FIELD.match(line)
            if match and not stripped.startswith(("def ", "return ", "if ")):
                comment = match.group(2) or " ".join(above)
                if comment:
                    comments[match.group(1)] = comment.strip()
            above = []
    return comments


def config_help(config_cls: type, presets: dict[str, str]) -> str:
    """The keys of `config_cls` one per line, then the presets (name -> summary)."""
    hints = typing.get_type_hints(config_cls, include_extras=True)
    comments = field_comments(config_cls)
    rows = []
    for field in dataclasses.fields(config_cls):
        if not field.init:
            continue
        default = field.default
        if field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        detail = [_type_text(hints[field.name])]
        valid = field_range(config_cls, field.name)
        if valid is not None:
            detail.append(f"in {valid}")
        rows.append((f"{field.name}={default!r}", ", ".join(detail), comments.get(field.name, "")))
    width = max(len(row[0]) for row in rows)
    kinds = max(len(row[1]) for row in rows)
    lines = ["keys (key=value; values are Python literals):"]
    lines += [f"  {key:<{width}}  {kind:<{kinds}}  {text}".rstrip() for key, kind, text in rows]
    if presets:
        lines += ["", "presets (config=NAME; keys given beside it win):"]
        lines += [f"  {name}: {summary}" for name, summary in presets.items()]
    return "\n".join(lines)


def _type_text(annotation) -> str:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + "|".join(str(choice) for choice in typing.get_args(annotation))
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")

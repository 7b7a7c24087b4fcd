"""Load the seq.in / seq.out / label layout in which ATIS and SNIPS are distributed.

Layout::

    DIR/train/{seq.in, seq.out, label}
    DIR/valid/{seq.in, seq.out, label}     (or DIR/dev/...)
    DIR/test/{seq.in, seq.out, label}

Line ``n`` of the three files describes one utterance: whitespace-separated
tokens in ``seq.in``, as many BIO tags in ``seq.out``, and the intent in
``label``. Trailing spaces and Windows line ends are tolerated. Every problem
raises `tfnotes.errors.DataError` with a one-line message that starts with
``FILE:LINE:`` (or names the missing path and what was accepted).
"""

from __future__ import annotations

from pathlib import Path

from tfnotes.errors import DataError, UsageError
from tfnotes.slots.utterances import SlotDataset, Utterance, validate_bio

SPLIT_DIRECTORY_NAMES = {"train": ("train",), "valid": ("valid", "dev"), "test": ("test",)}
SPLIT_FILE_NAMES = ("seq.in", "seq.out", "label")


def load_seq_dir(data_dir) -> SlotDataset:
    """Read a benchmark directory into a `SlotDataset` named after the directory.

    Args:
        data_dir: the directory holding ``train``, ``valid`` (or ``dev``) and ``test``.

    Raises:
        UsageError: ``data_dir`` does not exist or is not a directory.
        DataError: a split directory or file is missing, a file is not UTF-8,
            has an empty line, or its line count differs from its siblings', a
            line's tag count differs from its token count, a tag is not BIO,
            or an intent label is not a single token.
    """
    root = Path(data_dir)
    if not root.is_dir():
        raise UsageError(
            f"data_dir {str(root)!r} is not a directory; expected "
            "DIR/{train,valid|dev,test}/{seq.in,seq.out,label}"
        )
    splits = {split: load_seq_split(find_split_dir(root, split)) for split in SPLIT_DIRECTORY_NAMES}
    return SlotDataset(**splits, name=root.resolve().name)


def find_split_dir(root: Path, split: str) -> Path:
    """The directory of one split, accepting each of its alternative names."""
    names = SPLIT_DIRECTORY_NAMES[split]
    for name in names:
        if (root / name).is_dir():
            return root / name
    accepted = " or ".join(f"{root / name}/" for name in names)
    raise DataError(f"missing {split} split: expected a directory {accepted}")


def load_seq_split(split_dir: Path) -> list[Utterance]:
    """Read ``seq.in``, ``seq.out`` and ``label`` of one split directory."""
    paths = [split_dir / name for name in SPLIT_FILE_NAMES]
    for path in paths:
        if not path.is_file():
            raise DataError(
                f"missing file {path}: each split directory needs "
                + ", ".join(SPLIT_FILE_NAMES)
            )
    token_lines, tag_lines, label_lines = (read_lines(path) for path in paths)
    check_same_line_counts(paths, [token_lines, tag_lines, label_lines])

    seq_in, seq_out, label = paths
    utterances = []
    for number, (token_line, tag_line, label_line) in enumerate(
        zip(token_lines, tag_lines, label_lines), start=1
    ):
        tokens = tuple(token_line.split())
        tags = tuple(tag_line.split())
        if len(tags) != len(tokens):
            raise DataError(
                f"{seq_out}:{number}: {len(tags)} tags for the {len(tokens)} tokens "
                f"of {seq_in}:{number}"
            )
        validate_bio(tags, f"{seq_out}:{number}")
        intent = label_line.strip()
        if len(intent.split()) != 1:
            raise DataError(f"{label}:{number}: intent label {intent!r} is not a single token")
        utterances.append(Utterance(tokens=tokens, tags=tags, intent=intent))
    return utterances


def read_lines(path: Path) -> list[str]:
    """The lines of a UTF-8 file, without line ends; a final newline is optional.

    Raises `DataError` naming the line for non-UTF-8 bytes and for lines that are
    empty or hold only whitespace.
    """
    raw_lines = path.read_bytes().split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    lines = []
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DataError(
                f"{path}:{number}: not UTF-8 (byte {raw[error.start]:#04x} at column "
                f"{error.start + 1})"
            ) from None
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            raise DataError(f"{path}:{number}: empty line")
        lines.append(line.rstrip("\r"))
    return lines


def check_same_line_counts(paths: list[Path], contents: list[list[str]]) -> None:
    """Raise `DataError` at the first line that one of the parallel files lacks."""
    counts = [len(lines) for lines in contents]
    if len(set(counts)) == 1:
        return
    shortest = min(range(len(paths)), key=lambda index: counts[index])
    longest = max(range(len(paths)), key=lambda index: counts[index])
    summary = ", ".join(f"{path.name} {count}" for path, count in zip(paths, counts))
    raise DataError(
        f"{paths[shortest]}:{counts[shortest] + 1}: missing line that "
        f"{paths[longest].name} has (line counts differ: {summary})"
    )

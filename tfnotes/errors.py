"""Errors that end a run with one clear line instead of a traceback.

The runner (`python -m experiments`) catches `TfnotesError`, prints
``error: <message>`` on stderr and exits with the error's `exit_code`.
"""

import argparse


class TfnotesError(Exception):
    """Base class: a failure whose message alone tells the user what went wrong."""

    exit_code = 1


class UsageError(TfnotesError):
    """Bad command-line use: unknown experiment or key, wrong value type, missing path."""

    exit_code = 2


class DataError(TfnotesError):
    """A malformed input file; the message names the file and, where known, the line."""

    exit_code = 2


class TrainingDiverged(TfnotesError):
    """The loss became NaN or infinite; the message names the epoch and step."""

    exit_code = 1


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are a UsageError (one line, status 2), not usage + error."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message} (see --help)")

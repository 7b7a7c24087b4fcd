"""The Keras versions tfnotes' uses of private Keras internals (``keras.src``) were checked on.

Two places reach into ``keras.src``:

* `tfnotes.train.keras_patches`: the monkeypatches of Keras's TensorFlow trainer
  applied under a ``tf.distribute`` strategy (tensorflow/tensorflow#72388);
* `tfnotes.cells.fused`: ``keras.src.backend.rnn``, the backend loop
  ``keras.layers.RNN`` runs, which has no public name.

Both were checked on the Keras minor versions in `TESTED_KERAS`, and setup.cfg pins
Keras to that range (`KERAS_REQUIREMENT`). Outside it, `check_keras_version` refuses
to patch with one line saying what to install.

This module is tiny and imports neither Keras nor TensorFlow at import time, on
purpose: `tfnotes.cells` imports it, and importing `tfnotes.train` (where the patches
live) from there would drag TensorBoard and the training machinery into every
``import tfnotes.cells``.
"""

from __future__ import annotations

import re

from tfnotes.errors import UsageError

__all__ = [
    "KERAS_REQUIREMENT",
    "TESTED_KERAS",
    "check_keras_version",
    "installed_keras_version",
    "is_tested_keras",
    "missing_private_keras",
]

# The Keras minor versions ("major.minor") the private uses were checked on, oldest
# first and contiguous. Add one only after tests/train/test_keras_patches.py and
# tests/cells/test_fused.py pass on it, then widen setup.cfg's keras line to match.
TESTED_KERAS = ("3.15",)


def _requirement(tested: tuple[str, ...]) -> str:
    """The pip requirement for the contiguous minor range `tested`, e.g. ``keras>=3.15,<3.16``."""
    lowest, highest = tested[0], tested[-1]
    major, minor = highest.split(".")
    return f"keras>={lowest},<{major}.{int(minor) + 1}"


# setup.cfg's install_requires line for Keras (a test checks that they agree).
KERAS_REQUIREMENT = _requirement(TESTED_KERAS)


def installed_keras_version() -> str:
    """``keras.__version__`` of the Keras this process imports (imports Keras)."""
    import keras

    return keras.__version__


def _minor(version: str) -> str:
    """``major.minor`` of a version string ("3.15.1" and "3.15.0.dev1" give "3.15")."""
    match = re.match(r"(\d+)\.(\d+)", version)
    return f"{match[1]}.{match[2]}" if match else version


def _tested_range() -> str:
    return " or ".join(f"{minor}.x" for minor in TESTED_KERAS)


def is_tested_keras(version: str | None = None) -> bool:
    """Whether `version` (default: the installed Keras) is in a minor version of `TESTED_KERAS`."""
    version = installed_keras_version() if version is None else version
    return _minor(version) in TESTED_KERAS


def check_keras_version(version: str | None = None) -> str:
    """Returns `version` (default: the installed Keras) if tested, else raises a UsageError.

    `tfnotes.train.keras_patches` calls it before it patches anything: a patch of
    private code written for one Keras can silently do the wrong thing on another.
    """
    version = installed_keras_version() if version is None else version
    if not is_tested_keras(version):
        raise UsageError(
            f"Keras {version} is installed, but tfnotes patches private Keras internals "
            f"(tfnotes.train.keras_patches, tensorflow/tensorflow#72388) tested only on "
            f"Keras {_tested_range()}; install the tested range: pip install '{KERAS_REQUIREMENT}'"
        )
    return version


def missing_private_keras(name: str, user: str, version: str | None = None) -> ImportError:
    """The ImportError for private Keras code `name` that `user` needs and Keras lacks.

    One line: the missing name, the installed Keras version (default: read from Keras),
    the tested range and the pip command that installs it. Raise it ``from`` the
    original ImportError.
    """
    version = installed_keras_version() if version is None else version
    return ImportError(
        f"{user} needs the private Keras code {name}, which Keras {version} does not have; "
        f"tfnotes is tested on Keras {_tested_range()}: pip install '{KERAS_REQUIREMENT}'"
    )

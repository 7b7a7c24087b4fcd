"""tfnotes: classic deep learning as runnable, measured Keras 3 experiments.

Importing the package registers the `tfnotes.cells` cells for `.keras` loading.
"""

from tfnotes import cells  # noqa: F401  (registers the serializable cells)

__version__ = "0.1.0"

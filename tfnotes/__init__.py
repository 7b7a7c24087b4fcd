"""tfnotes: classic deep learning as runnable, measured Keras 3 experiments.

Importing the package registers every serializable layer (`tfnotes.cells`,
`tfnotes.layers`) so that `keras.models.load_model` reads saved runs.
"""

from tfnotes import cells  # noqa: F401  (registers the serializable cells)
from tfnotes import layers  # noqa: F401  (registers the token encoders)

__version__ = "0.1.0"

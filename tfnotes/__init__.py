"""tfnotes: classic deep learning as runnable, measured Keras 3 experiments.

Importing the package registers every serializable layer (`tfnotes.cells`,
`tfnotes.layers`, `tfnotes.style`, `tfnotes.captioning`,
`tfnotes.generative`) so that `keras.models.load_model` reads what the
experiments saved.
"""

from tfnotes import captioning  # noqa: F401  (registers the caption decoder)
from tfnotes import cells  # noqa: F401  (registers the serializable cells)
from tfnotes import generative  # noqa: F401  (registers the VAE, the GAN and their layers)
from tfnotes import layers  # noqa: F401  (registers the token encoders)
from tfnotes import style  # noqa: F401  (registers the style-transfer network's layers)

__version__ = "0.1.0"

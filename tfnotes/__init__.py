"""tfnotes: classic deep learning as runnable, measured Keras 3 experiments.

Importing the package registers every Keras class the experiments save (cells,
slot-filling layers, the caption decoder, the style network, the VAE and GAN, the
gradient reversal layer and the domain-adversarial model), so
that `keras.models.load_model` reads a run's ``model.keras``. It imports the modules
that define those classes (and their packages), not the experiments; TFDS and the
scorers (seqeval, pycocoevalcap) load only when a run needs them.
"""

from tfnotes import cells  # noqa: F401  (the TF1 cells, MultiRNNCell, DropoutWrapper, FusedRNN)
from tfnotes.captioning import models as _caption_models  # noqa: F401  (CaptionDecoder)
from tfnotes.generative import gan as _gan  # noqa: F401  (the GAN and MinibatchStddev)
from tfnotes.generative import vae as _vae  # noqa: F401  (VariationalAutoencoder)
from tfnotes.language import model as _language_model  # noqa: F401  (TiedEmbedding)
from tfnotes.layers import gradient_reversal as _reversal  # noqa: F401  (GradientReversal)
from tfnotes.slots import crf as _crf  # noqa: F401  (CRFScores, CRFNegativeLogLikelihood)
from tfnotes.slots import sequence_context as _sequence_context  # noqa: F401
from tfnotes.slots import token_features as _token_features  # noqa: F401
from tfnotes.slots import unknown_words as _unknown_words  # noqa: F401
from tfnotes.style import transformer as _style_transformer  # noqa: F401  (ReflectionPadding2D)
from tfnotes.transfer import dann as _dann  # noqa: F401  (DomainAdversarialModel)

__version__ = "0.1.0"

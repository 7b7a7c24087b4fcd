"""language_model's shakespeare_char (2 x 256 LSTM) on tfnotes cells and on Keras' LSTM, 3 epochs.

    make experiment NAME=language_model_vs_keras ARGS="config=shakespeare_char"

Both runs take the same 314 steps per epoch; the table (docs/language_model.md) gives
their validation loss after each epoch and their training tokens/s.
"""

from experiments.configs.language_model import shakespeare_char


def get_config():
    """language_model's shakespeare_char keys, for 3 epochs per run."""
    return dict(
        shakespeare_char.get_config(),
        epochs=3,  # per run: long enough to compare the curves, short enough for one sitting
    )

"""PTB words, the TF1 tutorial's MediumConfig: published test perplexity 82.7 (not yet measured).

    make experiment NAME=language_model ARGS="config=ptb_medium data_dir=simple-examples/data"

``MediumConfig`` of ``ptb_word_lm.py``: ptb_small's recipe with 650 units, 35 steps,
39 epochs, dropout keep 0.5, the step size times 0.8 after epoch 6, weights from
U(-0.05, 0.05). Published: test perplexity 82.7 (Zaremba et al. 2014, medium
regularized LSTM); the tutorial's README ~83. Measured here: nothing yet
(each epoch is hours on the 2-core CPU).
"""

from experiments.configs.language_model import ptb_small


def get_config():
    """ptb_small with the medium model, dropout and schedule."""
    return dict(
        ptb_small.get_config(),
        units=650,  # hidden_size
        num_steps=35,  # num_steps
        epochs=39,  # max_max_epoch
        keep_prob=0.5,  # keep_prob: dropout on the embeddings and each layer's output
        learning_rate_decay=0.8,  # lr_decay
        decay_after_epochs=6,  # max_epoch
        init_scale=0.05,  # init_scale
    )

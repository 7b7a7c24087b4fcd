"""PTB words, the TF1 tutorial's LargeConfig: published test perplexity 78.4 (not yet measured).

    make experiment NAME=language_model ARGS="config=ptb_large data_dir=simple-examples/data"

``LargeConfig`` of ``ptb_word_lm.py``: ptb_small's recipe with 1500 units, 35 steps,
55 epochs, dropout keep 0.35, the step size divided by 1.15 after epoch 14, gradient
global norm clipped to 10, weights from U(-0.04, 0.04). Published: test perplexity 78.4
(Zaremba et al. 2014, large regularized LSTM); the tutorial's README ~78.
Measured here: nothing yet (it needs a GPU).
"""

from experiments.configs.language_model import ptb_small


def get_config():
    """ptb_small with the large model, dropout, clipping and schedule."""
    return dict(
        ptb_small.get_config(),
        units=1500,  # hidden_size
        num_steps=35,  # num_steps
        epochs=55,  # max_max_epoch
        keep_prob=0.35,  # keep_prob
        learning_rate_decay=1 / 1.15,  # lr_decay
        decay_after_epochs=14,  # max_epoch
        clipnorm=10.0,  # max_grad_norm
        init_scale=0.04,  # init_scale
    )

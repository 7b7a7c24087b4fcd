"""PTB words, the TF1 tutorial's SmallConfig: published test perplexity 114.5 (not yet measured).

    make experiment NAME=language_model ARGS="config=ptb_small data_dir=simple-examples/data"

The settings of ``SmallConfig`` in TensorFlow's ``ptb_word_lm.py``: 2 layers of 200
``BasicLSTMCell`` units (forget bias 0), 20 steps, batch 20, 13 epochs of plain SGD at
1.0 halved after epoch 4, gradient global norm clipped to 5 on TF1's cost (summed over
the window: ``cost=window_sum``), no dropout, weights from U(-0.1, 0.1). Published:
test perplexity 114.5 (Zaremba et al. 2014, non-regularized LSTM); the tutorial's own
README ~115. Measured here: nothing yet (data_dir= is the user's download
of simple-examples/data).
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        data="ptb",  # ptb.{train,valid,test}.txt, words, <eos> at each line end
        cell="basic_lstm",  # tf.contrib.rnn.BasicLSTMCell
        forget_bias=0.0,  # the tutorial's BasicLSTMCell(forget_bias=0.0)
        num_layers=2,  # num_layers
        units=200,  # hidden_size
        num_steps=20,  # num_steps
        batch_size=20,  # batch_size
        epochs=13,  # max_max_epoch
        optimizer="sgd",  # tf.train.GradientDescentOptimizer
        learning_rate=1.0,  # learning_rate
        learning_rate_decay=0.5,  # lr_decay
        decay_after_epochs=4,  # max_epoch
        clipnorm=5.0,  # max_grad_norm (tf.clip_by_global_norm)
        cost="window_sum",  # the tutorial's cost: summed over num_steps, mean over the batch
        keep_prob=1.0,  # keep_prob
        init_scale=0.1,  # init_scale
        sample_prime="the",  # TensorBoard samples start from this word
    )

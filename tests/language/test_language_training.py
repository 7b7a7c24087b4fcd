"""The TF1 tutorial's step decay and cost scaling, and the per-epoch scores."""

import math

import keras
import numpy as np
import pytest

from tfnotes.language.training import (
    LanguageScores,
    epoch_learning_rates,
    learning_rate_schedule,
    make_optimizer,
    scores,
)


def test_the_small_configs_step_sizes():
    # ptb_word_lm: lr_decay ** max(i + 1 - max_epoch, 0), max_epoch=4, lr_decay=0.5.
    rates = epoch_learning_rates(1.0, 13, decay=0.5, decay_after_epochs=4)
    assert rates[:6] == [1.0, 1.0, 1.0, 1.0, 0.5, 0.25] and rates[-1] == 0.5**9


def test_the_schedule_changes_at_the_first_step_of_each_epoch():
    rates = [1.0, 1.0, 0.5, 0.25]
    schedule = learning_rate_schedule(rates, steps_per_epoch=10)
    for step, expected in [(0, 1.0), (19, 1.0), (20, 0.5), (29, 0.5), (30, 0.25), (99, 0.25)]:
        assert float(schedule(step)) == pytest.approx(expected), step
    assert learning_rate_schedule([0.1, 0.1], 10) == 0.1


def test_window_sum_gives_tf1s_update_with_a_mean_loss():
    optimizer = make_optimizer(
        optimizer="sgd", learning_rate=1.0, epochs=2, steps_per_epoch=5, num_steps=20,
        clipnorm=5.0, cost="window_sum",
    )
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert float(optimizer.learning_rate) == pytest.approx(20.0)
    assert optimizer.global_clipnorm == pytest.approx(0.25) and optimizer.clipnorm is None
    # One step on the mean loss equals TF1's step on the sum (20x the gradient), clipped.
    gradient = np.full(4, 3.0, "float32")  # mean-loss gradient; the sum's is 60 per entry
    variable = keras.Variable(np.zeros(4, "float32"))
    optimizer.apply_gradients([(keras.ops.convert_to_tensor(gradient), variable)])
    summed = 20 * gradient
    tf1_step = -1.0 * summed * min(1.0, 5.0 / np.linalg.norm(summed))
    np.testing.assert_allclose(np.asarray(variable), tf1_step, rtol=1e-5)


def test_scores_are_perplexity_for_words_and_bits_for_characters():
    assert scores(math.log(100), "word") == {"perplexity": pytest.approx(100)}
    assert scores(math.log(2) * 1.5, "char") == {"bits_per_char": pytest.approx(1.5)}
    logs = {"loss": math.log(4), "val_loss": math.log(8)}
    LanguageScores("char").on_epoch_end(0, logs)
    assert logs["bits_per_char"] == pytest.approx(2)
    assert logs["val_bits_per_char"] == pytest.approx(3)

"""The GAN experiment end to end on tiny data: mock TFDS, a idx folder, rendered digits."""

from __future__ import annotations

import json
import pathlib

import keras
import numpy as np
import pytest
from support.runs import run_experiment

tfds = pytest.importorskip("tensorflow_datasets")
pytestmark = pytest.mark.slow

SCORE_KEYS = {
    "fid",
    "inception_score",
    "real_inception_score",
    "seconds_per_epoch",
    "seconds_first_epoch",
}


def only_run_dir(logdir: pathlib.Path) -> pathlib.Path:
    (run_dir,) = (logdir / "gan").iterdir()
    return run_dir


def check_scores(metrics: dict, conditional: bool) -> None:
    assert SCORE_KEYS <= set(metrics) and ("label_accuracy" in metrics) == conditional
    assert all(type(value) is float for value in metrics.values())
    assert metrics["fid"] >= 0
    assert (
        1.0 <= metrics["inception_score"] <= 10.0 and 1.0 <= metrics["real_inception_score"] <= 10.0
    )
    if conditional:
        assert 0.0 <= metrics["label_accuracy"] <= 1.0


def test_conditional_smoke_run_on_mock_tfds_exports_a_generator_that_draws_a_chosen_digit(
    run_main, tmp_path
):
    with tfds.testing.mock_data(num_examples=40):
        status, stdout, stderr = run_main(
            ["gan", "smoke=True", "variant=conditional", f"logdir={tmp_path}", "jit_compile=False"]
        )
    assert status == 0, stderr
    run_dir = only_run_dir(tmp_path)
    check_scores(json.loads((run_dir / "metrics.json").read_text()), conditional=True)
    assert list(
        (tmp_path / "_cache").glob("digit_judge_*.keras")
    )  # the judge, cached under the run root
    assert (
        list((run_dir / "images").glob("events.out.tfevents.*"))
        and (run_dir / "samples.png").is_file()
    )

    # The docstring's recipe: plain Keras, no tfnotes import needed for the generator.
    generator = keras.models.load_model(run_dir / "generator.keras")
    sevens = generator.predict([np.random.normal(size=(5, 100)), np.full(5, 7)], verbose=0)
    assert sevens.shape == (5, 28, 28, 1) and -1.0 <= sevens.min() and sevens.max() <= 1.0

    import tfnotes.generative  # noqa: F401  (registers GenerativeAdversarialNetwork)

    whole = keras.models.load_model(run_dir / "model.keras")
    assert whole.variant == "conditional" and whole.discriminator_optimizer is not None
    # generator.keras is the sampler: the moving average of the generator (ema_decay's default).
    assert whole.ema_generator is not None
    np.testing.assert_allclose(whole.sampler.get_weights()[0], generator.get_weights()[0])
    assert not np.allclose(whole.generator.get_weights()[0], generator.get_weights()[0])


def test_dcgan_smoke_run_on_a_t10k_only_idx_directory_logs_the_split(
    tmp_path, capsys, write_t10k_dir
):
    data_dir = write_t10k_dir(tmp_path / "mnist")
    metrics, _ = run_experiment(
        "gan",
        tmp_path / "logs",
        smoke=True,
        variant="dcgan",
        data_dir=str(data_dir),
        jit_compile=False,
    )
    check_scores(metrics, conditional=False)
    assert "only the t10k pair" in capsys.readouterr().out
    generator = keras.models.load_model(only_run_dir(tmp_path / "logs") / "generator.keras")
    assert generator.predict(np.zeros((2, 100)), verbose=0).shape == (2, 28, 28, 1)


def test_smoke_run_on_synthetic_digits(tmp_path):
    metrics, _ = run_experiment("gan", tmp_path, smoke=True, data="synthetic", jit_compile=False)
    check_scores(metrics, conditional=True)


def test_conditional_train_step_compiles_with_xla_and_tracks_the_auxiliary_classifier():
    from tfnotes.generative import GenerativeAdversarialNetwork

    model = GenerativeAdversarialNetwork("conditional", noise_dim=8, width=2, seed=0)
    logit, digit_logits = model.discriminator(
        [np.zeros((3, 28, 28, 1), np.float32), np.arange(3, dtype=np.int32)]
    )
    assert logit.shape == (3, 1) and digit_logits.shape == (3, 10)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=True)
    images = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype(np.float32)
    logs = model.fit(images, np.arange(8) % 10, batch_size=8, epochs=1, verbose=0).history
    assert {
        "generator_class_loss",
        "discriminator_class_loss",
        "real_digit_accuracy",
        "mode_seeking_loss",
    } <= set(logs)
    assert all(np.isfinite(values[-1]) for values in logs.values())
    assert "mode_seeking_loss" not in {
        metric.name for metric in GenerativeAdversarialNetwork("dcgan", width=2).metrics
    }


def test_step_sizes_hold_the_learning_rate_then_fall_linearly_to_zero_at_the_last_step():
    from experiments.gan import Config, step_sizes

    assert step_sizes(2e-4, Config(lr_decay="none"), total_steps=100) == 2e-4
    cases = {  # lr_decay_start -> {step: step size} over a 100-step run
        0.0: {0: 2e-4, 50: 1e-4, 100: 0.0, 150: 0.0},
        0.5: {0: 2e-4, 50: 2e-4, 75: 1e-4, 100: 0.0, 150: 0.0},
    }
    for start, expected in cases.items():
        schedule = step_sizes(2e-4, Config(lr_decay="linear", lr_decay_start=start), 100)
        values = [float(schedule(step)) for step in expected]
        np.testing.assert_allclose(values, list(expected.values()), atol=1e-12)

"""The VAE experiment end to end on tiny data: mock TFDS, a idx folder, rendered digits."""

from __future__ import annotations

import json
import pathlib

import keras
import numpy as np
import pytest
from support.runs import run_experiment

import tfnotes  # noqa: F401  (registers the layers load_model needs)
import tfnotes.generative  # noqa: F401  (registers VariationalAutoencoder)
from experiments import vae

tfds = pytest.importorskip("tensorflow_datasets")
pytestmark = pytest.mark.slow


def run_dir_from(stdout: str) -> pathlib.Path:
    return pathlib.Path(stdout.strip().splitlines()[-1].removeprefix("run_dir: "))


def check_metrics(metrics: dict) -> None:
    assert {"test_elbo", "test_nll_iw", "seconds_per_epoch", "seconds_first_epoch"} <= set(metrics)
    assert all(type(value) is float for value in metrics.values())
    assert metrics["test_elbo"] < 0 < metrics["test_nll_iw"]
    # The importance-weighted bound is at least as tight as the ELBO (up to Monte-Carlo noise).
    assert metrics["test_nll_iw"] <= -metrics["test_elbo"] + 2.0
    assert metrics["seconds_per_epoch"] > 0


def test_smoke_run_on_mock_tfds_through_the_runner(run_main, tmp_path):
    with tfds.testing.mock_data(num_examples=40):
        status, stdout, stderr = run_main(
            ["vae", "smoke=True", f"logdir={tmp_path}", "jit_compile=False"]
        )
    assert status == 0, stderr
    run_dir = run_dir_from(stdout)
    assert "data: tfds:mnist" in stdout
    metrics = json.loads((run_dir / "metrics.json").read_text())
    check_metrics(metrics)

    model = keras.models.load_model(run_dir / "model.keras")
    assert isinstance(model, tfnotes.generative.VariationalAutoencoder) and model.latent_dim == 16
    probabilities = np.asarray(model(np.zeros((3, 28, 28, 1), np.float32)))
    assert (
        probabilities.shape == (3, 28, 28, 1)
        and probabilities.min() >= 0
        and probabilities.max() <= 1
    )
    assert list((run_dir / "images").glob("events.out.tfevents.*"))


def test_smoke_run_on_a_t10k_only_idx_directory_logs_the_split(tmp_path, capsys, write_t10k_dir):
    data_dir = write_t10k_dir(tmp_path / "mnist", count=50)
    metrics, _ = run_experiment(
        "vae",
        tmp_path / "logs",
        smoke=True,
        data_dir=str(data_dir),
        jit_compile=False,
        arch="mlp",
    )
    check_metrics(metrics)
    assert "only the t10k pair" in capsys.readouterr().out


def test_smoke_run_on_synthetic_digits_draws_the_latent_manifold(tmp_path):
    metrics, _ = run_experiment(
        "vae", tmp_path, smoke=True, data="synthetic", latent_dim=2, jit_compile=False
    )
    check_metrics(metrics)
    (run_dir,) = (tmp_path / "vae").iterdir()
    assert (run_dir / "latent_manifold.png").is_file() and (run_dir / "prior_samples.png").is_file()


def test_fixed_binarization_is_repeatable_and_follows_intensity():
    images = np.full((200, 28, 28), 64, np.uint8)
    first, second = vae.binarize(images, seed=0), vae.binarize(images, seed=0)
    np.testing.assert_array_equal(first, second)
    assert set(np.unique(first)) <= {0.0, 1.0}
    assert abs(first.mean() - 64 / 255) < 0.01


def test_manifold_codes_cover_the_prior_quantiles_row_by_row():
    codes = vae.manifold_codes(3)
    assert codes.shape == (9, 2)
    np.testing.assert_allclose(codes[:3, 1], codes[0, 1])  # one row shares z2
    assert codes[0, 1] > 0 > codes[-1, 1] and codes[0, 0] < 0 < codes[2, 0]

"""The transfer, transfer_grid and interpolation experiments, end to end on tiny data."""

import json
import pathlib

import keras
import numpy as np
import pytest
from PIL import Image


def finished_run(stdout):
    return pathlib.Path(stdout.strip().splitlines()[-1].removeprefix("run_dir: "))


@pytest.mark.slow
def test_dann_fine_tune_writes_metrics_features_projector_and_a_plain_keras_model(
        run_main, tmp_path, write_t10k_dir):
    data = write_t10k_dir(tmp_path / "mnist", count=60)
    status, stdout, stderr = run_main([
        "transfer", "smoke=True", "method=dann_fine_tune", "n_target_labels=10",
        f"data_dir={data}", f"logdir={tmp_path / 'logs'}"])
    assert status == 0, stderr
    run_dir = finished_run(stdout)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for key in ("target_accuracy", "source_accuracy", "target_accuracy_before"):
        assert 0.0 <= metrics[key] <= 1.0, key
    assert metrics["n_target_labels"] == 10 and metrics["seconds"] > 0
    # Both phases logged their accuracy on both domains per epoch.
    for phase in ("dann", "fine_tune"):
        assert list((run_dir / phase / "train").glob("events.out.tfevents.*")), phase
    for picture in ("features_before.png", "features.png"):
        assert np.asarray(Image.open(run_dir / picture)).shape[-1] == 3  # two colours: RGB
    projector = run_dir / "projector"
    assert (projector / "projector_config.pbtxt").is_file()
    rows = (projector / "metadata.tsv").read_text().splitlines()
    # feature_points=20 of each domain; the 60 t10k digits leave 12 for the target's eval
    assert rows[0] == "domain\tdigit" and len(rows) == 1 + 20 + 12
    assert rows[1].startswith("source") and rows[-1].startswith("target")
    classifier = keras.models.load_model(run_dir / "model.keras")
    assert classifier.name == "digit_classifier"
    assert classifier.predict(np.zeros((2, 28, 28, 1), np.float32), verbose=0).shape == (2, 10)


@pytest.mark.slow
def test_grid_runs_every_method_shares_the_first_phase_and_writes_the_table(
        run_main, tmp_path, write_t10k_dir):
    data = write_t10k_dir(tmp_path / "mnist", count=60)
    status, stdout, stderr = run_main([
        "transfer_grid", "smoke=True", "jit_compile=False", f"data_dir={data}",
        f"logdir={tmp_path / 'logs'}"])
    assert status == 0, stderr
    run_dir = finished_run(stdout)
    table = (run_dir / "table.md").read_text()
    for method in ("source_only", "target_only", "fine_tune_all", "freeze_first_k", "dann",
                   "dann_fine_tune"):
        assert f"| {method} |" in table, method
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert "dann/0/target_accuracy" in metrics and "fine_tune_all/20/target_accuracy" in metrics
    fine_tune = json.loads((run_dir / "seed0_fine_tune_all_20" / "config.json").read_text())
    assert fine_tune["initial_model"] == str(run_dir / "seed0_source_only_0" / "model.keras")
    # Starting from the shared model, the fine-tuning run trains no first phase of its own.
    assert not (run_dir / "seed0_fine_tune_all_20" / "source").exists()
    assert (run_dir / "features_source_only_vs_dann.png").is_file()


@pytest.mark.slow
def test_interpolation_trains_both_models_and_scores_the_midpoints(run_main, tmp_path):
    status, stdout, stderr = run_main([
        "interpolation", "smoke=True", "data=synthetic", f"logdir={tmp_path / 'logs'}"])
    assert status == 0, stderr
    run_dir = finished_run(stdout)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for model in ("autoencoder", "vae"):
        for key in ("midpoint_class_probability", "midpoint_read_as_class",
                    "endpoint_read_as_class"):
            assert 0.0 <= metrics[f"{model}_{key}"] <= 1.0, (model, key)
        assert (run_dir / model / "model.keras").is_file()
    autoencoder = json.loads((run_dir / "autoencoder" / "metrics.json").read_text())
    assert "test_nll_iw" not in autoencoder  # no bound to report for a plain autoencoder
    # rows_shown=2 rows of 2 x 3 steps + a blank: 7 columns of 28 pixels, 1-pixel gaps, x2
    assert np.asarray(Image.open(run_dir / "interpolation.png")).shape == (2 * 57, 2 * 202)

"""Smoke runs of experiments.captioning on shapes, Flickr8k (both layouts) and mock COCO,
the saved model reloading in plain Keras, the caption command, and the offline encoders."""

import contextlib
import io
import json
import pathlib

import keras
import numpy as np
import pytest
from PIL import Image
from support.flickr_folders import write_kaggle, write_original
from support.runs import run_experiment

import tfnotes  # noqa: F401  (registers the cells; tfnotes.captioning the CaptionDecoder)
from experiments import captioning
from experiments.__main__ import main as runner
from tfnotes.captioning import models
from tfnotes.errors import UsageError

pytestmark = pytest.mark.slow
FAST = dict(smoke=True, jit_compile=False, timing_images=0, examples_to_log=1)


def _run(tmp_path, **overrides):
    return run_experiment("captioning", tmp_path / "logs", **{**FAST, **overrides})


def _call(function, args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = function(args)
    return status, out.getvalue(), err.getvalue()


def test_shapes_through_the_runner_then_reload_and_caption_a_file(tmp_path):
    status, out, err = _call(
        runner,
        ["captioning", f"logdir={tmp_path}", "smoke=True", "jit_compile=False", "timing_images=1"],
    )
    assert status == 0, err
    run_dir = pathlib.Path(out.strip().splitlines()[-1].removeprefix("run_dir: "))
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for key in (
        "bleu1",
        "bleu2",
        "bleu3",
        "bleu4",
        "cider",
        "bleu4_three_shapes",
        "greedy_bleu4",
        "seconds_per_epoch",
        "caption_seconds_per_image",
    ):
        assert key in metrics and np.isfinite(metrics[key])
    assert list((run_dir / "test_samples").glob("events.out.tfevents.*"))
    model = keras.models.load_model(run_dir / "model.keras")  # plain Keras after `import tfnotes`
    assert model.get_layer("decoder").attends
    image = tmp_path / "scene.png"
    Image.fromarray(np.full((50, 40, 3), 200, np.uint8)).save(image)
    status, out, err = _call(
        captioning.main,
        [str(run_dir), str(image), "beam_size=2", f"attention={tmp_path / 'att.png'}"],
    )
    assert status == 0, err
    assert json.loads(out.strip().splitlines()[-1])["caption"] == out.splitlines()[0]
    assert Image.open(tmp_path / "att.png").size[0] > 0
    assert _call(captioning.main, [str(tmp_path), str(image)])[0] == 2


def test_flickr8k_kaggle_layout_with_bad_rows_skipped(tmp_path):
    write_kaggle(tmp_path / "flickr", missing=True, empty_row=True)
    metrics, path = _run(
        tmp_path,
        data="flickr8k",
        data_dir=str(tmp_path / "flickr"),
        skip_bad=True,
        decoder="show_tell",
        cell="gru",
    )
    assert 0.0 <= metrics["bleu4"] <= 1.0 and (path / "model.keras").is_file()


def test_flickr8k_original_layout(tmp_path):
    write_original(tmp_path / "flickr")
    metrics, _ = _run(
        tmp_path, data="flickr8k", data_dir=str(tmp_path / "flickr"), cell="basic_lstm"
    )
    assert 0.0 <= metrics["cider"]


def test_coco_captions_through_tfds_mock_data(tmp_path):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=6):
        metrics, _ = _run(tmp_path, data="coco_captions", max_images=6, decoder="show_tell")
    assert 0.0 <= metrics["bleu1"] <= 1.0


def test_pretrained_encoders_fail_offline_with_one_line_naming_cnn(monkeypatch):
    monkeypatch.setattr(models, "cached_weights_exist", lambda kind: False)
    monkeypatch.setattr(models, "can_download", lambda timeout=3.0: False)
    with pytest.raises(UsageError, match="encoder=cnn") as error:
        models.build_captioner(
            vocab_size=10, caption_steps=4, image_size=96, encoder="efficientnet_b0"
        )
    assert "\n" not in str(error.value)
    encoder = models.pretrained_encoder("mobilenet_v2", 64, fine_tune=True, weights=None)
    assert encoder.output_shape == (None, 2, 2, 1280) and encoder.trainable_weights

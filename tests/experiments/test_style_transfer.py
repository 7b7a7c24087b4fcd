"""Smoke runs of both style-transfer experiments with the random backbone on images the test draws.

Shallow layers keep the XLA compilation short (the Adam test compiles its step with
XLA; the others trace without it, to stay fast); the full layer sets run in
`make experiment NAME=style_transfer ARGS="backbone=random smoke=True"`.
"""

import json

import keras
import numpy as np
import pytest
from support.runs import run_experiment

import tfnotes.style  # noqa: F401  (registers the transformer's layers for load_model)
from experiments import fast_style_transfer, style_transfer
from tfnotes.errors import DataError, UsageError
from tfnotes.style import draw_content, draw_style, load_image, save_image

pytestmark = pytest.mark.slow
SHALLOW = dict(content_layers="block2_conv2", style_layers="block1_conv1,block2_conv1")


@pytest.fixture
def drawn(tmp_path):
    """Paths of a drawn content image, two drawn style images and a folder of content images."""
    paths = {
        "content": tmp_path / "content.png",
        "style": tmp_path / "style.png",
        "style2": tmp_path / "style2.jpg",
    }
    save_image(draw_content(48, 36, seed=5), paths["content"])
    save_image(draw_style(40, 40, seed=6), paths["style"])
    save_image(draw_style(30, 40, seed=7), paths["style2"])
    folder = tmp_path / "contents"
    folder.mkdir()
    for index in range(3):
        save_image(draw_content(40, 32, seed=index), folder / f"{index}.png")
    paths["content_dir"] = folder
    return paths


def _run(module, tmp_path, **overrides):
    name = module.__name__.rsplit(".", 1)[-1]
    keys = dict(backbone="random", smoke=True, **overrides)
    return run_experiment(name, tmp_path / "logs", **keys)


def test_style_transfer_adam_lowers_the_loss_and_writes_its_outputs(tmp_path, drawn):
    metrics, path = _run(
        style_transfer,
        tmp_path,
        content=str(drawn["content"]),
        style=str(drawn["style"]),
        init="noise",
        **SHALLOW,
    )
    assert metrics["total_loss"] < metrics["initial_total_loss"]
    assert metrics["backbone_is_random"] == 1.0 and metrics["seconds_per_step"] > 0
    assert json.loads((path / "metrics.json").read_text()) == pytest.approx(metrics)
    assert load_image(path / "stylized.png").shape == (48, 64, 3)  # 48x36 drawn, longest side 64
    assert list((path / "train").glob("events.out.tfevents.*"))


def test_style_transfer_lbfgs_blends_two_styles_and_preserves_colour(tmp_path, drawn):
    metrics, path = _run(
        style_transfer,
        tmp_path,
        content=str(drawn["content"]),
        style=f"{drawn['style']},{drawn['style2']}",
        style_weights=(0.7, 0.3),
        optimizer="lbfgs",
        preserve_color=True,
        jit_compile=False,
        steps=4,
        **SHALLOW,
    )
    assert metrics["total_loss"] < metrics["initial_total_loss"]
    stylized, content = load_image(path / "stylized.png"), load_image(drawn["content"], 64)
    # Luminance-only transfer: the output keeps the content's chroma (I, Q of YIQ).
    chroma = lambda image: tfnotes.style.color.rgb_to_yiq(image)[..., 1:]  # noqa: E731
    assert np.abs(chroma(stylized) - chroma(content)).mean() < 0.03


def test_style_transfer_bad_paths_fail_with_one_line_naming_the_file(tmp_path, drawn):
    with pytest.raises(UsageError, match="nowhere.jpg"):
        _run(style_transfer, tmp_path, content=str(tmp_path / "nowhere.jpg"))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    with pytest.raises(DataError, match="broken.png"):
        _run(style_transfer, tmp_path, content=str(drawn["content"]), style=str(broken))


def test_fast_style_transfer_trains_saves_and_reloads_the_transformer(tmp_path, drawn):
    metrics, path = _run(
        fast_style_transfer,
        tmp_path,
        content=str(drawn["content"]),
        content_dir=str(drawn["content_dir"]),
        style=str(drawn["style"]),
        jit_compile=False,
        **SHALLOW,
    )  # XLA-compiling the transformer's step takes ~15 s
    assert metrics["total_loss"] < metrics["initial_total_loss"]
    assert metrics["seconds_per_image"] > 0 and metrics["backbone_is_random"] == 1.0
    stylized = load_image(path / "stylized.png")
    assert stylized.shape == (48, 64, 3)
    # The reloaded network reproduces the image the trained one wrote (up to 8-bit rounding).
    transformer = keras.models.load_model(path / "transformer.keras")
    again = transformer(load_image(drawn["content"], 64, multiple=4)[None], training=False)[0]
    np.testing.assert_allclose(np.round(np.asarray(again) * 255) / 255, stylized, atol=1.5 / 255)


def test_fast_style_transfer_rejects_several_styles(tmp_path, drawn):
    with pytest.raises(UsageError, match="one style"):
        _run(fast_style_transfer, tmp_path, style=f"{drawn['style']},{drawn['style2']}")

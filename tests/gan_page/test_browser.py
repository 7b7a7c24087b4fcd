"""The GAN page in headless Chromium: the digits drawn are the digits picked.

Skips with its reason where Chromium, Playwright or the page's runtime (`make
web`) is missing; `.ci/run` installs Debian's chromium when it can.
"""

from __future__ import annotations

import importlib.util

import keras
import numpy as np
import pytest
from stand_in import write_run

from tfnotes.gan_page.browser import PageInBrowser, check_page, find_chromium
from tfnotes.gan_page.cli import RUNTIME_DIR, run_judge, start_page
from tfnotes.gan_page.server import page_url

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(find_chromium() is None, reason="no Chromium (apt-get install chromium)"),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None, reason="playwright is not installed"
    ),
    pytest.mark.skipif(
        not (RUNTIME_DIR / "ort.wasm.min.mjs").is_file(),
        reason=f"ONNX Runtime Web is not in {RUNTIME_DIR} (make web)",
    ),
]


@pytest.fixture(name="served_run", scope="module")
def served_run_fixture(tmp_path_factory):
    run_dir = write_run(tmp_path_factory.mktemp("logs") / "run")
    server = start_page(run_dir)
    yield run_dir, page_url(server)
    server.shutdown()


def test_the_judge_reads_each_canvas_as_the_digit_picked(served_run, tmp_path):
    run_dir, url = served_run
    figures = check_page(url, run_judge(run_dir), canvases=30, screenshot=tmp_path / "page.png")
    assert figures["canvas_accuracy"] >= 0.95 and figures["grid_accuracy"] >= 0.95
    assert figures["new_noise_change"] > 0.005  # new noise, a new picture
    assert figures["median_ms"] > 0 and (tmp_path / "page.png").stat().st_size > 10_000


def test_the_canvas_holds_keras_images_for_the_pages_own_noise(served_run):
    run_dir, url = served_run
    generator = keras.models.load_model(run_dir / "generator.keras")
    with PageInBrowser(url) as browser:
        for digit in (3, 8):
            browser.pick_digit(digit)
            noise = np.asarray(browser.evaluate("Array.from(window.ganPage.state.noise)"))
            assert noise.shape == (100,) and -1 <= noise.min() and noise.max() <= 1  # uniform
            expected = generator.predict([noise[None], np.array([digit])], verbose=0)[0, ..., 0]
            np.testing.assert_allclose(browser.digit(), (expected + 1) / 2, atol=1 / 255)
        assert browser.visible("#digit-picker") and not browser.errors


def test_an_unconditional_generator_hides_the_digit_picker(tmp_path):
    run_dir = write_run(tmp_path / "run", conditional=False)
    server = start_page(run_dir)
    try:
        with PageInBrowser(page_url(server)) as browser:
            assert not browser.visible("#digit-picker")
            assert "no digit to pick" in browser.page.inner_text("#status")
            browser.show("grid")
            assert browser.grid().std() > 0.01 and not browser.errors
    finally:
        server.shutdown()

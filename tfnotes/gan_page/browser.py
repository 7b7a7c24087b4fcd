"""The GAN page in headless Chromium: pick digits, press buttons, read the canvases back.

`PageInBrowser` drives the served page as a user would (clicks on the digit
buttons, "new noise", the view switch) and reads the canvas pixels back;
`check_page` has the digit judge read 100 such canvases. Chromium is Debian's
(``/usr/bin/chromium``), driven by Playwright; neither downloads anything.
"""

from __future__ import annotations

import shutil
import statistics

import numpy as np

from tfnotes.errors import UsageError

SIZE = 28
DIGIT_SCALE = 10  # the page draws one digit at 10x
GRID_SCALE = 2  # and the 10 x 10 grid at 2x
# Chromium's own calls home are refused by a closed network, many at a time: off.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_MS = 30_000


def find_chromium() -> str | None:
    """The path of an installed Chromium (or Chrome), or None."""
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


def canvas_pixels(page, canvas_id: str, scale: int) -> np.ndarray:
    """The canvas's grey levels in [0, 1], read at the centre of each `scale` x `scale` block."""
    width, height, levels = page.evaluate(
        """id => {
            const canvas = document.getElementById(id);
            const context = canvas.getContext("2d");
            const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
            return [canvas.width, canvas.height, Array.from(data.filter((_, i) => i % 4 === 0))];
        }""",
        canvas_id,
    )
    picture = np.asarray(levels, np.float32).reshape(height, width) / 255.0
    return picture[scale // 2 :: scale, scale // 2 :: scale]


class PageInBrowser:
    """The page at `url` open in headless Chromium; a context manager.

    Each action clicks what a user would and waits until the page has drawn the result.
    """

    def __init__(self, url: str, chromium: str | None = None):
        self.url, self.chromium = url, chromium or find_chromium()
        if self.chromium is None:
            raise UsageError(
                "no Chromium to test the page with (Debian: apt-get install chromium)"
            )

    def __enter__(self):
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(
            executable_path=self.chromium, args=list(CHROMIUM_FLAGS)
        )
        self.page = self.browser.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(self.url)
        self.page.evaluate("window.ganPageReady")
        return self

    def __exit__(self, *exc_info):
        self.browser.close()
        self.playwright.stop()

    def evaluate(self, expression: str, argument=None):
        """A JavaScript expression's value in the page."""
        return self.page.evaluate(expression, argument)

    def _click_and_wait(self, selector: str) -> None:
        drawn = self.evaluate("window.ganPage.state.drawn")
        self.page.click(selector)
        self.page.wait_for_function(f"window.ganPage.state.drawn > {drawn}")

    def pick_digit(self, digit: int) -> None:
        """Clicks the digit's button."""
        self._click_and_wait(f"#digit-{digit}")

    def new_noise(self) -> None:
        """Clicks "New noise"."""
        self._click_and_wait("#new-noise")

    def show(self, view: str) -> None:
        """Switches the view: ``single`` or ``grid``."""
        self._click_and_wait(f"input[name=mode][value={view}]")

    def digit(self) -> np.ndarray:
        """The drawn digit, `[28, 28]` in [0, 1]."""
        return canvas_pixels(self.page, "digit", DIGIT_SCALE)

    def grid(self) -> np.ndarray:
        """The 10 x 10 grid as 100 digits, `[100, 28, 28]`, row by row."""
        picture = canvas_pixels(self.page, "grid", GRID_SCALE)
        return picture.reshape(10, SIZE, 10, SIZE).transpose(0, 2, 1, 3).reshape(100, SIZE, SIZE)

    def timings(self) -> list[float]:
        """Milliseconds of each generation the page timed, the first (warm-up) left out."""
        return self.evaluate("window.ganPage.state.timings")[1:]

    def visible(self, selector: str) -> bool:
        """Whether the element is shown."""
        return self.page.is_visible(selector)

    def screenshot(self, path) -> None:
        """Saves the whole page as a PNG."""
        self.page.screenshot(path=str(path), full_page=True)


def check_page(url: str, judge, canvases: int = 100, screenshot=None) -> dict:
    """Picks digits 0..9 in turn (new noise every ten) and has the judge read each canvas.

    Returns ``canvas_accuracy`` (the fraction the judge reads as the digit
    picked), ``grid_accuracy`` (the 10 x 10 view, row d read as d),
    ``new_noise_change`` (mean |difference| of the digit before and after "new
    noise") and the page's own timings of one generation (``median_ms``,
    ``max_ms``). `screenshot`: where to save the page, the one-digit view.
    """
    from tfnotes.digits.judge import judge_probabilities

    picked, drawn = [], []
    with PageInBrowser(url) as browser:
        for index in range(canvases):
            if index and index % 10 == 0:
                browser.new_noise()
            browser.pick_digit(index % 10)
            picked.append(index % 10)
            drawn.append(browser.digit())
        before = browser.digit()
        browser.new_noise()
        change = float(np.mean(np.abs(browser.digit() - before)))
        if screenshot:
            browser.pick_digit(7)
            browser.screenshot(screenshot)
        timings = browser.timings()
        browser.show("grid")
        grid = browser.grid()
        if browser.errors:
            raise RuntimeError(f"the page raised: {browser.errors[0]}")
    read = judge_probabilities(judge, np.stack(drawn)).argmax(axis=1)
    grid_read = judge_probabilities(judge, grid).argmax(axis=1)
    return {
        "canvas_accuracy": float(np.mean(read == np.asarray(picked))),
        "grid_accuracy": float(np.mean(grid_read == np.repeat(np.arange(10), 10))),
        "new_noise_change": change,
        "median_ms": statistics.median(timings),
        "max_ms": max(timings),
        "canvases": canvases,
    }


"""The page's server: the page at /, the export at /model/, the runtime at /ort/, nothing else."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tfnotes.gan_page.cli import PAGE_DIR
from tfnotes.gan_page.server import page_url, start_server


@pytest.fixture(name="served")
def served_fixture(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "generator.json").write_text('{"conditional": true}')
    (tmp_path / "ort").mkdir()
    (tmp_path / "ort" / "runtime.wasm").write_bytes(b"\0asm")
    (tmp_path / "secret.txt").write_text("not for the page")
    server = start_server(PAGE_DIR, tmp_path / "model", tmp_path / "ort")
    yield page_url(server)
    server.shutdown()


def fetch(url: str):
    with urllib.request.urlopen(url) as response:
        return response.headers["Content-Type"], response.read()


def test_serves_the_page_the_model_and_the_runtime_with_their_types(served):
    content_type, body = fetch(served)
    assert content_type.startswith("text/html") and b'id="digit-picker"' in body
    assert fetch(served + "gan.js")[0].startswith("text/javascript")
    assert fetch(served + "model/generator.json") == ("application/json", b'{"conditional": true}')
    assert fetch(served + "ort/runtime.wasm") == ("application/wasm", b"\0asm")


@pytest.mark.parametrize("path", ["model/../../secret.txt", "ort/%2e%2e/secret.txt", "nothing"])
def test_nothing_outside_the_three_folders(served, path):
    with pytest.raises(urllib.error.HTTPError) as error:
        fetch(served + path)
    assert error.value.code == 404

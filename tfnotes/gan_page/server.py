"""Serves the GAN page, the exported generator and ONNX Runtime Web on 127.0.0.1."""

from __future__ import annotations

import errno
import functools
import http.server
import threading
from pathlib import Path

from tfnotes.errors import UsageError

HOST = "127.0.0.1"
# The URL prefixes the page fetches from, each served from its own folder.
MODEL_PREFIX = "/model/"
RUNTIME_PREFIX = "/ort/"
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".wasm": "application/wasm",  # WebAssembly.instantiateStreaming insists on it
    ".onnx": "application/octet-stream",
    ".json": "application/json",
}


class PageHandler(http.server.SimpleHTTPRequestHandler):
    """Serves `page_dir` at /, `model_dir` at /model/ and `runtime_dir` at /ort/; logs nothing."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **CONTENT_TYPES}

    def __init__(self, *args, page_dir, model_dir, runtime_dir, **kwargs):
        self.roots = {MODEL_PREFIX: Path(model_dir), RUNTIME_PREFIX: Path(runtime_dir)}
        super().__init__(*args, directory=str(page_dir), **kwargs)

    def translate_path(self, path):
        """Maps /model/... and /ort/... into their folders, the rest into the page's."""
        for prefix, root in self.roots.items():
            if path.startswith(prefix):
                relative = super().translate_path("/" + path[len(prefix):])
                return str(root / Path(relative).relative_to(self.directory))
        return super().translate_path(path)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a new export shows on reload
        super().end_headers()

    def log_message(self, format, *args):
        """Quiet: the page's requests are not news."""


def start_server(page_dir, model_dir, runtime_dir, port: int = 0):
    """A started `ThreadingHTTPServer` on 127.0.0.1 (`port` 0: a free one); serves in a thread.

    A port already in use is a UsageError (one line, status 2).
    """
    for name, folder in (("page", page_dir), ("model", model_dir), ("runtime", runtime_dir)):
        if not Path(folder).is_dir():
            raise UsageError(f"{folder}: the {name} folder does not exist")
    handler = functools.partial(
        PageHandler, page_dir=page_dir, model_dir=model_dir, runtime_dir=runtime_dir
    )
    try:
        server = http.server.ThreadingHTTPServer((HOST, port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError(f"--port {port}: {HOST}:{port} is already in use") from None
        raise UsageError(
            f"--port {port}: cannot listen on {HOST}:{port} ({error.strerror})"
        ) from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def page_url(server) -> str:
    """The page's address on a started server."""
    return f"http://{HOST}:{server.server_address[1]}/"

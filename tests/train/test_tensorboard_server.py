"""A real TensorBoard server shows what a finished run wrote (read through its HTTP API)."""

from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_json(url: str, body: dict | None = None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_tensorboard_serves_the_runs_scalars_text_and_hparams(finished_toy_run, tmp_path):
    logdir, run_dir, _ = finished_toy_run
    run = f"toy/{run_dir.name}"
    port = free_port()
    tensorboard = pathlib.Path(sys.executable).with_name("tensorboard")
    with open(tmp_path / "tensorboard.log", "wb") as log:
        server = subprocess.Popen(
            [str(tensorboard), "--logdir", str(logdir), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        )
    try:
        base = f"http://127.0.0.1:{port}/data/plugin"
        tags, deadline = {}, time.monotonic() + 60
        while time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "tensorboard.log").read_text()
            try:
                tags = fetch_json(f"{base}/scalars/tags")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            splits = (f"{run}/train", f"{run}/validation")
            if all("epoch_loss" in tags.get(split, {}) for split in splits):
                break
            time.sleep(0.5)
        assert "epoch_loss" in tags.get(f"{run}/train", {}), tags
        assert "epoch_loss" in tags.get(f"{run}/validation", {}), tags
        assert {"loss", "val_loss"} <= set(tags.get(run, {}))  # the final metrics, for HParams

        assert "examples" in fetch_json(f"{base}/text/tags")[f"{run}/validation"]
        experiment = fetch_json(f"{base}/hparams/experiment", {"experimentName": ""})
        hparams = {info["name"] for info in experiment["hparamInfos"]}
        assert {"epochs", "seed", "activation"} <= hparams
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

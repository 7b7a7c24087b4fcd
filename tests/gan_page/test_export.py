"""The generator's ONNX export: the same images as Keras, what the page needs, bad input."""

from __future__ import annotations

import json
import socket

import keras
import numpy as np
import pytest
from stand_in import NOISE_DIM, write_run

from tfnotes.errors import UsageError
from tfnotes.gan_page.export import export_generator, is_current, onnx_outputs

pytest.importorskip("onnxruntime")


def test_conditional_export_matches_keras_on_new_inputs_and_describes_the_generator(tmp_path):
    run_dir = write_run(tmp_path / "run")
    info = export_generator(run_dir, tmp_path / "out")

    assert info["conditional"] and info["noise_dim"] == NOISE_DIM and info["noise"] == "uniform"
    assert info["max_abs_difference"] < 1e-5
    assert json.loads((tmp_path / "out" / "generator.json").read_text()) == info
    rng = np.random.default_rng(5)
    inputs = [rng.uniform(-1, 1, (7, NOISE_DIM)).astype(np.float32), np.arange(7, dtype=np.int32)]
    expected = keras.models.load_model(run_dir / "generator.keras").predict(inputs, verbose=0)
    got = onnx_outputs(tmp_path / "out" / "generator.onnx", info, inputs)
    np.testing.assert_allclose(got, expected, atol=1e-5)

    assert is_current(run_dir, tmp_path / "out")
    write_run(run_dir, conditional=False)  # another generator in the run: the export is stale
    assert not is_current(run_dir, tmp_path / "out")


def test_dcgan_export_is_unconditional(tmp_path):
    info = export_generator(write_run(tmp_path / "run", conditional=False), tmp_path / "out")
    assert not info["conditional"] and info["digit_input"] is None
    assert info["max_abs_difference"] < 1e-5


def test_a_run_without_a_generator_is_one_line_with_status_2(tmp_path, run_main):
    (tmp_path / "run").mkdir()
    for args in (
        ["--export-gan", str(tmp_path / "run"), str(tmp_path / "out")],
        ["--export-gan", str(tmp_path / "missing"), str(tmp_path / "out")],
        ["--export-gan", str(tmp_path / "run")],
        ["--serve-gan", str(tmp_path / "run"), "--port", "http"],
    ):
        status, stdout, stderr = run_main(args)
        assert status == 2 and stderr.count("\n") == 1 and stderr.startswith("error: "), args
    assert "no generator.keras" in run_main(["--export-gan", str(tmp_path / "run"), "o"])[2]
    assert not (tmp_path / "out").exists()


def test_a_port_in_use_is_a_usage_error(tmp_path):
    from tfnotes.gan_page.server import HOST, start_server

    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=f"{port} is already in use"):
            start_server(tmp_path, tmp_path, tmp_path, port)


def test_an_unusable_out_dir_and_a_dcgan_check_are_one_line_with_status_2(tmp_path, run_main):
    run_dir = write_run(tmp_path / "run", conditional=False)
    (tmp_path / "a_file").write_text("")
    status, _, stderr = run_main(["--export-gan", str(run_dir), str(tmp_path / "a_file")])
    assert status == 2 and stderr.count("\n") == 1 and "cannot make this folder" in stderr
    status, _, stderr = run_main(["--check-gan-page", str(run_dir)])
    assert status == 2 and stderr.count("\n") == 1 and "no digit to check" in stderr
    assert not (run_dir / "web").exists()  # refused before exporting


def test_a_malformed_generator_file_is_one_line_with_status_2(tmp_path, run_main):
    run_dir = write_run(tmp_path / "run")
    (run_dir / "generator.keras").write_text("not a zip")
    status, _, stderr = run_main(["--export-gan", str(run_dir), str(tmp_path / "out")])
    assert status == 2 and stderr.count("\n") == 1 and "not a readable Keras model" in stderr

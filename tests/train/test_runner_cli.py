"""The runner's command line: listing, and one-line errors with exit status 2."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest


def test_unknown_experiment_in_a_subprocess_is_one_line_and_status_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "experiments", "no_such_experiment", f"logdir={tmp_path}"],
        capture_output=True, text=True, timeout=120, cwd=pathlib.Path(__file__).parents[2],
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: unknown experiment 'no_such_experiment'; available: ")
    assert [line for line in lines if line.startswith("error:")] == [lines[-1]]
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.slow
def test_on_the_command_line_stderr_holds_the_error_alone(tmp_path):
    # TensorFlow's start-up lines (absl, cudart_stub, cuInit) are filtered out.
    result = subprocess.run(
        [sys.executable, "-m", "experiments", "slot_filling", "epochs=two", f"logdir={tmp_path}"],
        capture_output=True, text=True, timeout=120, cwd=pathlib.Path(__file__).parents[2],
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "error: epochs=two has the wrong type: epochs expects int, got str\n"


def test_the_filter_drops_only_tensorflows_start_up_lines():
    from experiments._quiet_stderr import is_noise

    dropped = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
        "I0000 00:00:1796350120.732957   27700 cudart_stub.cc:31] Could not find cuda drivers",
        "I0000 00:00:1796350120.732599   27700 port.cc:153] oneDNN custom operations are on.",
    ]
    cu_init = "E0000 00:00:1796349642.209358   24111 cuda_platform.cc:52] failed call to cuInit: X"
    kept = ["error: epochs=two has the wrong type", "Traceback (most recent call last):",
            "E0000 00:00:1796349642.209358   24111 xla_compiler.cc:52] something real",
            "F0000 00:00:1796349642.209358   24111 port.cc:1] a fatal check"]
    assert all(is_noise(line, has_gpu=False) for line in dropped + [cu_init])
    assert not any(is_noise(line, has_gpu=False) for line in kept)
    assert not is_noise(cu_init, has_gpu=True)  # with a GPU it may be the only word on a bad driver


def test_list_shows_each_experiment_with_its_docstring_line(toy, run_main):
    status, stdout, _ = run_main(["--list"])
    assert status == 0
    (toy_line,) = [line for line in stdout.splitlines() if line.split()[0] == "toy"]
    assert toy_line.split(None, 1)[1] == toy.__doc__.splitlines()[0]
    assert "__main__" not in stdout


def test_unknown_experiment_lists_the_available_ones(toy, run_main):
    status, _, stderr = run_main(["toys"])
    assert status == 2
    assert stderr.startswith("error: unknown experiment 'toys'; available: ") and "toy" in stderr
    assert stderr.count("\n") == 1


@pytest.mark.parametrize(
    "arg, expected",
    [
        ("epoch=2", "unknown key 'epoch' (did you mean epochs?); allowed keys: logdir, seed,"),
        ("epochs=two", "epochs=two has the wrong type: epochs expects int, got str"),
        ("jit_compile=1", "jit_compile=1 has the wrong type: jit_compile expects bool"),
        ("activation=gelu", "activation=gelu is not allowed; choose one of: relu, tanh"),
        ("units", "expected key=value, got 'units'"),
    ],
)
def test_bad_keys_and_values_exit_2_with_one_line(toy, run_main, tmp_path, arg, expected):
    status, stdout, stderr = run_main(["toy", f"logdir={tmp_path}", arg])
    assert status == 2
    assert stderr.startswith(f"error: {expected}") and stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # refused before any run directory exists


def test_resume_of_something_that_is_not_a_run_directory(toy, run_main, tmp_path):
    status, _, stderr = run_main(["toy", f"resume={tmp_path}"])
    assert status == 2 and "is not a run directory" in stderr


def test_no_arguments_prints_usage_and_exits_2(toy, run_main):
    status, stdout, _ = run_main([])
    assert status == 2 and stdout.startswith("usage: python -m experiments NAME")

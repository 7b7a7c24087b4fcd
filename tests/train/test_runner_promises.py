"""What the runner promises around resume, refusals and files (issue #21), on the toy run."""

from __future__ import annotations

import json
import os
import pathlib
import stat

from experiments.__main__ import resume_command


def only_run(logdir: pathlib.Path) -> pathlib.Path:
    (run_dir,) = (logdir / "toy").iterdir()
    return run_dir


def test_a_resume_that_changes_a_setting_is_refused_and_leaves_the_run_as_it_was(
    finished_toy_run, run_main
):
    _, run_dir, _ = finished_toy_run
    before = {path.name: path.read_bytes() for path in run_dir.glob("*.json")}
    for change in ("learning_rate=1e300", "data_dir=/bad/dir", "units=3"):
        status, stdout, stderr = run_main(["toy", f"resume={run_dir}", change])
        key = change.split("=")[0]
        assert status == 2 and stdout == "" and stderr.count("\n") == 1, change
        assert f"cannot change {key}=" in stderr and "keys that can change: " in stderr
        assert {path.name: path.read_bytes() for path in run_dir.glob("*.json")} == before


def test_a_resume_that_fails_later_restores_config_json(toy, tmp_path, run_main):
    status, _, stderr = run_main(["toy", f"logdir={tmp_path}", "epochs=1", "jit_compile=False"])
    assert status == 0, stderr
    run_dir = only_run(tmp_path)
    before = (run_dir / "config.json").read_bytes()
    # nan_at_step is a test hook the toy lets a resume change: step 9 is in epoch 2.
    status, _, stderr = run_main(["toy", f"resume={run_dir}", "epochs=3", "nan_at_step=9"])
    assert status == 1 and stderr.startswith("error: loss became nan")
    assert (run_dir / "config.json").read_bytes() == before


def test_resuming_a_finished_run_keeps_its_timing_figures(toy, tmp_path, run_main):
    status, _, stderr = run_main(["toy", f"logdir={tmp_path}", "epochs=2", "jit_compile=False"])
    assert status == 0, stderr
    run_dir = only_run(tmp_path)
    first = json.loads((run_dir / "metrics.json").read_text())
    assert {"seconds_per_epoch", "seconds_first_epoch"} <= set(first)
    status, stdout, stderr = run_main(["toy", f"resume={run_dir}"])  # nothing left to train
    assert status == 0, stderr
    again = json.loads((run_dir / "metrics.json").read_text())
    assert again["epochs_trained"] == 0
    assert again["seconds_per_epoch"] == first["seconds_per_epoch"]
    assert again["seconds_first_epoch"] == first["seconds_first_epoch"]


def test_a_fresh_run_refused_after_writing_files_leaves_no_directory(toy, tmp_path, run_main):
    status, stdout, stderr = run_main(["toy", f"logdir={tmp_path}", "refuse_after_writing=True"])
    assert status == 2 and stderr.count("\n") == 1 and stderr.startswith("error: ")
    assert not list(tmp_path.iterdir())
    assert "the run was refused" in stdout


def test_run_files_are_readable_like_the_rest_of_the_run(finished_toy_run):
    _, run_dir, _ = finished_toy_run
    mask = os.umask(0)
    os.umask(mask)
    for name in ("config.json", "metrics.json"):
        mode = stat.S_IMODE((run_dir / name).stat().st_mode)
        assert mode == 0o666 & ~mask, (name, oct(mode))


def test_a_smoke_run_says_its_figures_mean_nothing(toy, tmp_path, run_main):
    status, stdout, stderr = run_main(["toy", f"logdir={tmp_path}", "smoke=True", "epochs=1"])
    assert status == 0, stderr
    assert "smoke=True: a tiny configuration for tests; its figures mean nothing" in stdout


def test_the_resume_hint_repeats_how_the_run_was_started(monkeypatch):
    monkeypatch.setenv("MAKELEVEL", "1")
    assert resume_command("toy", "resume=R") == 'make experiment NAME=toy ARGS="resume=R"'
    monkeypatch.delenv("MAKELEVEL")
    command = resume_command("toy", "resume=R")
    assert command.endswith(" -m experiments toy resume=R") and "python" in command


def test_help_lists_keys_with_types_ranges_comments_and_presets(run_main):
    status, stdout, stderr = run_main(["slot_filling", "--help"])
    assert status == 0, stderr
    assert "usage: python -m experiments slot_filling" in stdout
    units = next(line for line in stdout.splitlines() if line.strip().startswith("units="))
    assert "units=64" in units and "int" in units and "[1, inf)" in units
    assert "hidden units per direction" in units
    assert "snips: SNIPS, the best recipe" in stdout and "real_corpus:" in stdout

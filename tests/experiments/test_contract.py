"""The experiment contract: what every experiment and preset declares, and what the runner owns."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import pathlib
import subprocess
import sys

import pytest

from experiments.__main__ import (
    experiment_names,
    load_experiment,
    load_preset,
    preset_names,
    resolved_config,
)
from tfnotes.train import STRATEGIES, CommonConfig, checked_values, override_values

REPO = pathlib.Path(__file__).resolve().parents[2]
EXPERIMENTS = [
    name for name in experiment_names() if (REPO / "experiments" / f"{name}.py").is_file()
]
PRESETS = [(name, preset) for name in EXPERIMENTS for preset in preset_names(name)]
# The runner's job, which no experiment may do itself (see experiments/__main__.py).
RUNNER_ONLY = {"apply_smoke", "seed_everything", "write_metrics", "write_config", "create"}
# gan.py seeds again after the digit judge, which reseeds while it trains (and not when
# it is cached), so that the GAN draws the same numbers either way.
ALLOWED = {("gan", "seed_everything")}


def test_every_experiment_is_listed():
    assert {"slot_filling", "captioning", "vae", "gan", "style_transfer"} <= set(EXPERIMENTS)
    assert "configs" not in experiment_names()


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_each_experiment_declares_the_contract(name):
    module = load_experiment(name)
    assert issubclass(module.Config, CommonConfig)
    assert module.STRATEGIES and set(module.STRATEGIES) <= set(STRATEGIES)
    assert list(inspect.signature(module.run).parameters) == ["config", "run_dir"]
    checked_values(module.Config, getattr(module, "SMOKE", {}), f"{name}.SMOKE")
    commands = (f"NAME={name}", f"-m experiments {name}")
    assert any(command in module.__doc__ for command in commands), "its docstring has no command"


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_no_experiment_does_the_runners_job(name):
    tree = ast.parse((REPO / "experiments" / f"{name}.py").read_text())
    called = {
        node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))
    }
    assert {(name, call) for call in called & RUNNER_ONLY} <= ALLOWED


@pytest.mark.parametrize("name, preset", PRESETS)
def test_each_preset_sets_known_keys_and_names_its_command(name, preset):
    module = load_experiment(name)
    values = checked_values(module.Config, load_preset(name, preset), preset)
    assert values and "config" not in values
    source = (REPO / "experiments" / "configs" / name / f"{preset}.py").read_text()
    assert f'NAME={name} ARGS="config={preset}' in ast.get_docstring(ast.parse(source))


def test_preset_then_smoke_then_the_command_line():
    module = load_experiment("slot_filling")
    snips = load_preset("slot_filling", "snips")
    args = ["config=snips", "smoke=True", "units=32"]
    config = resolved_config(module, "slot_filling", override_values(module.Config, args))
    assert config.config == "snips" and config.crf is True and config.data_dir == snips["data_dir"]
    assert config.epochs == module.SMOKE["epochs"] and config.units == 32
    unchanged = {field.name for field in dataclasses.fields(config)} - set(snips) - set(
        module.SMOKE
    )
    defaults = module.Config()
    assert all(
        getattr(config, key) == getattr(defaults, key)
        for key in unchanged - {"config", "smoke", "units"}
    )


def test_an_unknown_preset_is_a_usage_error_listing_the_presets(run_main, tmp_path):
    status, stdout, stderr = run_main(["slot_filling", "config=snipz", f"logdir={tmp_path}"])
    assert status == 2 and stdout == "" and stderr.count("\n") == 1
    assert "config=snipz" in stderr and "snips" in stderr and "real_corpus" in stderr
    assert not list(tmp_path.iterdir())


def test_resume_refuses_a_preset(run_main, tmp_path):
    run = tmp_path / "slot_filling" / "20260101-000000"
    run.mkdir(parents=True)
    (run / "config.json").write_text("{}")
    status, _, stderr = run_main(["slot_filling", f"resume={run}", "config=snips"])
    assert status == 2 and "config= and smoke= apply to fresh runs only" in stderr
    assert (run / "config.json").read_text() == "{}"


def _modules_after(code: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    return set(result.stdout.split())


@pytest.mark.slow
def test_listing_imports_no_tensorflow():
    listed = _modules_after(
        "import contextlib, io, runpy, sys\nsys.argv = ['experiments', '--list']\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    runpy.run_module('experiments', run_name='__main__')"
    )
    assert "tensorflow" not in listed and "keras" not in listed and "tfnotes" not in listed


@pytest.mark.slow
def test_import_tfnotes_registers_classes_without_the_experiments_dependencies():
    loaded = _modules_after(
        "import keras, tfnotes\n"
        "assert keras.saving.get_registered_object('tfnotes>CRFScores') is not None\n"
        "assert keras.saving.get_registered_object('tfnotes>CaptionDecoder') is not None"
    )
    assert not {"tensorflow_datasets", "pycocoevalcap", "seqeval", "experiments"} & loaded


def test_smoke_keeps_the_keys_given_beside_it():
    # cell_benchmark smoke=True used to time its own tiny size whatever sizes= said.
    module = load_experiment("cell_benchmark")
    args = ["smoke=True", "sizes=((2, 3, 4, 5),)"]
    config = resolved_config(module, "cell_benchmark", override_values(module.Config, args))
    assert config.sizes == ((2, 3, 4, 5),) and config.rounds == module.SMOKE["rounds"]

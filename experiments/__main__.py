"""The experiment runner: ``python -m experiments NAME [config=PRESET] key=value ...``.

    python -m experiments --list
    python -m experiments slot_filling cell=gru epochs=5
    python -m experiments slot_filling config=snips seed=1
    python -m experiments slot_filling resume=tensorboard_logs/slot_filling/20261123-153012

The experiment contract. An experiment is a module ``experiments/NAME.py`` with
- a docstring whose first line `--list` shows and which holds the command that runs it;
- ``Config``: a dataclass subclassing `tfnotes.train.CommonConfig`, one commented
  field per line, choices as ``typing.Literal``;
- ``STRATEGIES``: the ``strategy=`` values it supports (``STRATEGY_NOTE`` says why
  it refuses the others);
- optionally ``SMOKE``: a dict, the tiny configuration ``smoke=True`` applies;
- ``run(config, run_dir) -> dict`` of final metrics.
Its named configurations are ``experiments/configs/NAME/PRESET.py``, each with a
docstring and ``get_config() -> dict``.

The runner owns the job. It resolves the configuration (the Config defaults, then
the preset named by ``config=``, then ``SMOKE`` when ``smoke=True``, then the
command line's keys) BEFORE it writes ``config.json``, so that file records what was
trained; it makes the run directory ``LOGDIR/NAME/RUN_ID`` (or reopens the one named
by ``resume=``, keeping its config.json and applying the command-line keys on top),
seeds once, runs, writes ``metrics.json`` and the HParams summary, and prints
``run_dir: PATH`` last (`tfnotes.train.runner`). An experiment never does any of that.

``strategy=`` (see `tfnotes.train.distribute`) is set up before anything touches the
devices, and ``run`` is called inside the strategy's scope, so an experiment that
trains through `tfnotes.train.fit_model` is distributed without code of its own. In
a multi-worker run only the chief writes (and prints) the run directory; the other
workers write to a temporary directory that is removed when they finish.
A `tfnotes.errors.TfnotesError` ends the run with ``error: <message>`` on stderr and
the error's exit status; Ctrl-C exits with 130 and says how to resume. ``--list``
reads docstrings without importing anything, so it answers without loading TensorFlow.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import os
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

USAGE = ("usage: python -m experiments NAME [config=PRESET] [key=value ...] | --list"
         " | --play RUN_DIR [--episodes N] | --export-gan RUN_DIR OUT_DIR"
         " | --serve-gan RUN_DIR [--port N] | --check-gan-page RUN_DIR")
# The GAN page's commands (tfnotes.gan_page.cli), by flag.
GAN_PAGE_COMMANDS = {"--export-gan": "export", "--serve-gan": "serve", "--check-gan-page": "check"}
PACKAGE = "experiments"
PRESETS = "configs"  # experiments/configs/NAME/PRESET.py
REQUIRED = ("Config", "STRATEGIES", "run")  # what an experiment module must define


def main(argv: list[str] | None = None) -> int:
    """Runs the command line `argv` (default sys.argv[1:]); returns the exit status."""
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        print(_listing())
        return 0 if args else 2
    if args[0] == "--list":
        print(_listing())
        return 0
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported
    # On the command line (not in tests, which capture stderr themselves) TensorFlow's
    # start-up lines are dropped; TFNOTES_VERBOSE_STDERR=1 keeps them.
    quiet = None
    if argv is None and not os.environ.get("TFNOTES_VERBOSE_STDERR"):
        from experiments._quiet_stderr import filter_stderr_noise

        quiet = filter_stderr_noise()
    try:
        if args[0] == "--play":  # play a finished reinforcement-learning run's policy
            from tfnotes.rl.play import main as play

            return play(args[1:])
        if args[0] in GAN_PAGE_COMMANDS:  # the generator in a browser
            from tfnotes.gan_page.cli import main as gan_page

            return gan_page([GAN_PAGE_COMMANDS[args[0]], *args[1:]])
        return _main(args[0], args[1:])
    finally:
        if quiet is not None:
            quiet.stop()


def _main(name: str, overrides: list[str]) -> int:
    # Imported only now: `import tfnotes` loads Keras and TensorFlow (seconds).
    from tfnotes.errors import TfnotesError

    progress = {}  # what the interrupt message needs, filled in as the run gets going
    try:
        if any(arg in ("-h", "--help") for arg in overrides):
            print(experiment_help(name))
            return 0
        _run(name, overrides, progress)
    except TfnotesError as error:
        print(f"error: {str(error).strip()}".replace("\n", " "), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        if "run_dir" in progress:
            resume = f"resume={progress['run_dir'].path}"
            print(f"interrupted; continue with: {resume_command(name, resume)}", file=sys.stderr)
        else:
            print("interrupted", file=sys.stderr)
        return 130
    return 0


def resume_command(name: str, resume: str) -> str:
    """The command that continues an interrupted run, in the form the user started it."""
    if os.environ.get("MAKELEVEL"):  # started by `make experiment`
        return f'make experiment NAME={name} ARGS="{resume}"'
    python = os.path.relpath(sys.executable) if sys.executable else "python"
    if python.startswith(".."):
        python = sys.executable
    return f"{python} -m experiments {name} {resume}"


def experiment_help(name: str) -> str:
    """``python -m experiments NAME --help``: its keys (type, default, range, comment), presets."""
    from tfnotes.train.config_help import config_help

    module = load_experiment(name)
    presets = {preset: preset_summary(name, preset) for preset in preset_names(name)}
    usage = f"usage: python -m experiments {name} [config=PRESET] [key=value ...]"
    return "\n".join([usage, _first_line(module.__doc__), "", config_help(module.Config, presets)])


def experiment_names() -> list[str]:
    """The experiments: modules of the package (and ones already imported), minus ``_*``."""
    package = importlib.import_module(PACKAGE)
    names = {info.name for info in pkgutil.iter_modules(package.__path__) if not info.ispkg}
    # Modules registered in sys.modules count too (tests add a toy experiment this way).
    names |= {
        module_name.split(".", 1)[1]
        for module_name, module in list(sys.modules.items())
        if module_name.startswith(PACKAGE + ".")
        and module_name.count(".") == 1
        and not hasattr(module, "__path__")
    }
    return sorted(name for name in names if not name.startswith("_"))


def load_experiment(name: str) -> ModuleType:
    """Imports ``experiments.NAME``; UsageError listing the experiments if there is none."""
    from tfnotes.errors import UsageError

    names = experiment_names()
    if name not in names:
        raise UsageError(f"unknown experiment {name!r}; available: {', '.join(names) or '(none)'}")
    module = importlib.import_module(f"{PACKAGE}.{name}")
    missing = [attribute for attribute in REQUIRED if not hasattr(module, attribute)]
    if missing:
        raise UsageError(
            f"experiments/{name}.py has no {', '.join(missing)}; it is not an experiment "
            "(see the contract in experiments/__main__.py)"
        )
    return module


def preset_names(name: str) -> list[str]:
    """The named configurations of experiment `name` (``experiments/configs/NAME/*.py``)."""
    folder = _package_dir() / PRESETS / name
    if not folder.is_dir():
        return []
    return sorted(path.stem for path in folder.glob("*.py") if not path.stem.startswith("_"))


def load_preset(name: str, preset: str) -> dict:
    """The keys preset `preset` of experiment `name` sets; UsageError naming the presets."""
    from tfnotes.errors import UsageError

    available = preset_names(name)
    if preset not in available:
        listed = ", ".join(available) or "(none)"
        raise UsageError(f"config={preset}: experiment {name} has no such preset; it has: {listed}")
    module = importlib.import_module(f"{PACKAGE}.{PRESETS}.{name}.{preset}")
    values = module.get_config()
    if not isinstance(values, dict):
        raise UsageError(f"{PRESETS}/{name}/{preset}.py: get_config() must return a dict")
    return values


def preset_summary(name: str, preset: str) -> str:
    """The first line of a preset's docstring, read without importing it."""
    return _first_line(_docstring(_package_dir() / PRESETS / name / f"{preset}.py"))


def describe(name: str) -> str:
    """The first line of the experiment's docstring, read without importing it."""
    module = sys.modules.get(f"{PACKAGE}.{name}")
    if module is not None:
        return _first_line(module.__doc__)
    return _first_line(_docstring(Path(importlib.util.find_spec(f"{PACKAGE}.{name}").origin)))


def _package_dir() -> Path:
    return Path(importlib.import_module(PACKAGE).__file__).parent


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def _first_line(docstring: str | None) -> str:
    lines = [line.strip() for line in (docstring or "").strip().splitlines()]
    return lines[0] if lines else ""


def _listing() -> str:
    names = experiment_names()
    if not names:
        return "no experiments found"
    width = max(len(name) for name in names)
    lines = []
    for name in names:
        lines.append(f"{name:<{width}}  {describe(name)}")
        for preset in preset_names(name):
            lines.append(f"{'':<{width}}    config={preset}: {preset_summary(name, preset)}")
    return "\n".join(lines)


def strategy_refusal(module: ModuleType, strategy: str) -> str | None:
    """The one-line error for ``strategy=`` values the experiment does not support, else None.

    Each experiment declares ``STRATEGIES``; ``STRATEGY_NOTE`` says why it refuses others.
    """
    supported = tuple(module.STRATEGIES)
    if strategy in supported:
        return None
    name = module.__name__.rsplit(".", 1)[-1]
    note = getattr(module, "STRATEGY_NOTE", "")
    because = f" ({note})" if note else ""
    return (
        f"experiments.{name} does not support strategy={strategy}{because}; "
        f"it supports: {', '.join(supported)}"
    )


def resolved_config(module: ModuleType, name: str, explicit: dict):
    """The config a fresh run of `module` trains with: preset, smoke, then `explicit` keys.

    `explicit` holds the command line's checked values (`tfnotes.train.override_values`).
    """
    import tfnotes.train as train

    preset = {}
    if explicit.get("config"):
        source = f"{PRESETS}/{name}/{explicit['config']}.py"
        preset = train.checked_values(module.Config, load_preset(name, explicit["config"]), source)
    smoke = train.checked_values(module.Config, getattr(module, "SMOKE", {}), f"{name}.SMOKE")
    return train.resolve_config(module.Config, explicit, preset, smoke)


def _run(name: str, overrides: list[str], progress: dict) -> None:
    from tfnotes.errors import DataError, UsageError

    module = load_experiment(name)
    # Imported here, after the name is known good: it loads TensorFlow (seconds).
    import tfnotes.train as train

    if not issubclass(module.Config, train.CommonConfig):
        raise UsageError(f"experiments.{name}.Config must subclass tfnotes.train.CommonConfig")
    config = resolved_config(module, name, train.override_values(module.Config, overrides))
    chief_run_dir = None
    if config.resume:
        chief_run_dir = train.RunDirectory.open_existing(config.resume)
        if chief_run_dir.path.parent.name != name:
            raise UsageError(
                f"resume={config.resume} is a run of "
                f"{chief_run_dir.path.parent.name!r}, not {name!r}"
            )
        saved = train.config_from_dict(module.Config, chief_run_dir.read_config())
        if any(arg.partition("=")[0].strip() in ("config", "smoke") for arg in overrides):
            raise UsageError(
                f"resume={config.resume} continues with that run's own config.json; "
                "config= and smoke= apply to fresh runs only"
            )
        config = train.parse_overrides(module.Config, overrides, base=saved)
        refuse_resume_changes(module, saved, config)
    refusal = strategy_refusal(module, config.strategy)
    if refusal:
        raise UsageError(refusal)
    # Before anything creates a tensor: devices and cluster servers are fixed after that.
    distribution = train.configure_distribution(config)
    if not distribution.is_chief:
        run_dir = train.RunDirectory.worker_scratch(name, distribution.worker, chief_run_dir)
    elif chief_run_dir is not None:
        run_dir = chief_run_dir
    else:
        run_dir = train.RunDirectory.create(config.logdir, name)
    if distribution.is_chief:  # a worker's scratch folder is gone once it stops
        progress["run_dir"] = run_dir
    # A resume that fails before it finishes an epoch puts config.json back as it was
    # (on the chief, which alone owns the run directory).
    before = run_dir.snapshot() if config.resume and distribution.is_chief else None
    run_dir.write_config(config)
    verb = "resuming" if config.resume else "writing to"
    print(f"{name}: {verb} {run_dir.path}", flush=True)
    if distribution.strategy != "none":
        print(distribution.describe(), flush=True)
    if config.smoke:
        print(f"{name}: smoke=True: a tiny configuration for tests; its figures mean nothing")

    try:
        _run_in_scope(module, config, run_dir, distribution)
    except Exception as error:
        if before is not None:
            run_dir.restore_config_unless_trained(before)
        # Refused before it trained (bad data, no network for a download): a fresh
        # run leaves no directory behind; one that checkpointed or saved is kept.
        refused = isinstance(error, (UsageError, DataError))
        if refused and not config.resume and distribution.is_chief and not run_dir.has_trained():
            run_dir.remove()
            print(f"{name}: removed {run_dir.path}: the run was refused", flush=True)
        raise
    finally:
        if not distribution.is_chief:
            run_dir.remove()
    if not distribution.is_chief:
        task_type, task_index = distribution.worker
        print(f"{task_type} {task_index} finished; the chief wrote the run directory", flush=True)
        return
    print(f"run_dir: {run_dir.path}", flush=True)


def refuse_resume_changes(module: ModuleType, saved, config) -> None:
    """UsageError (one line) when a resumed run would change a key it cannot change.

    A resumed run restores its weights and optimizer state and rebuilds its data and
    schedules from its own settings; only `tfnotes.train.RESUMABLE_KEYS` (how long to
    train, where it runs) and an experiment's own ``RESUMABLE_KEYS`` may differ.
    """
    import tfnotes.train as train
    from tfnotes.errors import UsageError

    allowed = set(train.RESUMABLE_KEYS) | set(getattr(module, "RESUMABLE_KEYS", ()))
    changed = [
        field.name
        for field in dataclasses.fields(config)
        if field.name not in allowed and getattr(config, field.name) != getattr(saved, field.name)
    ]
    if changed:
        keys = ", ".join(f"{key}={getattr(config, key)!r}" for key in changed)
        raise UsageError(
            f"resume={config.resume} cannot change {keys}: a resumed run continues with "
            f"its own settings; keys that can change: {', '.join(sorted(allowed))} "
            "(start a fresh run for the others)"
        )


def _run_in_scope(module: ModuleType, config, run_dir, distribution) -> None:
    import json

    from tfnotes.train.runner import run_in_directory

    # Models, optimizers and metrics made by run() land in the strategy's scope.
    with distribution.scope():
        metrics = run_in_directory(module.run, config, run_dir)
    print("metrics: " + json.dumps(metrics))


if __name__ == "__main__":
    sys.exit(main())

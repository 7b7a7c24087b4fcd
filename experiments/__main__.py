"""The experiment runner: ``python -m experiments NAME key=value ...``.

    python -m experiments --list
    python -m experiments slot_filling cell=gru epochs=5
    python -m experiments slot_filling resume=tensorboard_logs/slot_filling/20261123-153012

An experiment is a module ``experiments.NAME`` with a `Config` dataclass (a
subclass of `tfnotes.train.CommonConfig`) and ``run(config, run_dir=None) -> dict``
of final metrics. The runner makes the run directory ``LOGDIR/NAME/RUN_ID`` (or
reopens the one named by ``resume=``, keeping its config.json and applying the
command-line keys on top), writes config.json, runs, writes metrics.json and the
hparams summary, and prints ``run_dir: PATH`` last.

``strategy=`` (see `tfnotes.train.distribute`) is set up before anything touches the
devices, and ``run`` is called inside the strategy's scope, so an experiment that
trains through `tfnotes.train.fit_model` is distributed without code of its own. In
a multi-worker run only the chief writes (and prints) the run directory; the other
workers write to a temporary directory that is removed when they finish.
A `tfnotes.errors.TfnotesError`
ends the run with ``error: <message>`` on stderr and the error's exit status;
Ctrl-C exits with 130 and says how to resume.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import pkgutil
import sys
from types import ModuleType

from tfnotes.errors import TfnotesError, UsageError

USAGE = "usage: python -m experiments NAME [key=value ...] | --list"
PACKAGE = "experiments"


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
    name, overrides = args[0], args[1:]
    progress = {}  # what the interrupt message needs, filled in as the run gets going
    try:
        _run(name, overrides, progress)
    except TfnotesError as error:
        print(f"error: {str(error).strip()}".replace("\n", " "), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        if "run_dir" in progress:
            print(
                f"interrupted; continue with: python -m experiments {name} "
                f"resume={progress['run_dir'].path}",
                file=sys.stderr,
            )
        else:
            print("interrupted", file=sys.stderr)
        return 130
    return 0


def experiment_names() -> list[str]:
    """The experiments: modules of the package (and ones already imported), minus ``_*``."""
    package = importlib.import_module(PACKAGE)
    names = {info.name for info in pkgutil.iter_modules(package.__path__)}
    # Modules registered in sys.modules count too (tests add a toy experiment this way).
    names |= {
        module_name.split(".", 1)[1]
        for module_name in list(sys.modules)
        if module_name.startswith(PACKAGE + ".") and module_name.count(".") == 1
    }
    return sorted(name for name in names if not name.startswith("_"))


def load_experiment(name: str) -> ModuleType:
    """Imports ``experiments.NAME``; UsageError listing the experiments if there is none."""
    names = experiment_names()
    if name not in names:
        raise UsageError(f"unknown experiment {name!r}; available: {', '.join(names) or '(none)'}")
    module = importlib.import_module(f"{PACKAGE}.{name}")
    for attribute in ("Config", "run"):
        if not hasattr(module, attribute):
            raise UsageError(f"experiments/{name}.py has no {attribute}; it is not an experiment")
    return module


def describe(name: str) -> str:
    """The first line of the experiment's docstring, read without importing it."""
    module = sys.modules.get(f"{PACKAGE}.{name}")
    if module is not None:
        docstring = module.__doc__
    else:
        spec = importlib.util.find_spec(f"{PACKAGE}.{name}")
        with open(spec.origin, encoding="utf-8") as source:
            docstring = ast.get_docstring(ast.parse(source.read()))
    lines = [line.strip() for line in (docstring or "").strip().splitlines()]
    return lines[0] if lines else ""


def _listing() -> str:
    names = experiment_names()
    if not names:
        return "no experiments found"
    width = max(len(name) for name in names)
    return "\n".join(f"{name:<{width}}  {describe(name)}" for name in names)


def supported_strategies(module: ModuleType) -> tuple[str, ...]:
    """The ``strategy=`` values an experiment accepts.

    An experiment module may say so itself with ``STRATEGIES = ("none", "mirrored", ...)``,
    and why it refuses the others with ``STRATEGY_NOTE = "..."`` (shown in the error,
    `strategy_refusal`). Without ``STRATEGIES``: every strategy when the module trains
    through `tfnotes.train.fit_model` (`keras.Model.fit` splits the batches and reduces
    the losses across replicas), and only ``none`` otherwise, because a custom training
    loop must call ``strategy.run`` and reduce its losses itself before it is correct on
    several replicas.
    """
    from tfnotes.train import STRATEGIES, fit_model

    declared = getattr(module, "STRATEGIES", None)
    if declared is not None:
        return tuple(declared)
    return STRATEGIES if getattr(module, "fit_model", None) is fit_model else ("none",)


def strategy_refusal(module: ModuleType, strategy: str) -> str | None:
    """The one-line error for ``strategy=`` values the experiment does not support, else None."""
    supported = supported_strategies(module)
    if strategy in supported:
        return None
    name = module.__name__.rsplit(".", 1)[-1]
    note = getattr(module, "STRATEGY_NOTE", "")
    because = f" ({note})" if note else ""
    return (
        f"experiments.{name} does not support strategy={strategy}{because}; "
        f"it supports: {', '.join(supported)}"
    )


def _run(name: str, overrides: list[str], progress: dict) -> None:
    module = load_experiment(name)
    # Imported here, after the name is known good: it loads TensorFlow (seconds).
    import tfnotes.train as train

    config = train.parse_overrides(module.Config, overrides)
    if not isinstance(config, train.CommonConfig):
        raise UsageError(f"experiments.{name}.Config must subclass tfnotes.train.CommonConfig")
    chief_run_dir = None
    if config.resume:
        chief_run_dir = train.RunDirectory.open_existing(config.resume)
        if chief_run_dir.path.parent.name != name:
            raise UsageError(
                f"resume={config.resume} is a run of "
                f"{chief_run_dir.path.parent.name!r}, not {name!r}"
            )
        saved = train.config_from_dict(module.Config, chief_run_dir.read_config())
        config = train.parse_overrides(module.Config, overrides, base=saved)
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
    progress["run_dir"] = run_dir
    run_dir.write_config(config)
    verb = "resuming" if config.resume else "writing to"
    print(f"{name}: {verb} {run_dir.path}", flush=True)
    if distribution.strategy != "none":
        print(distribution.describe(), flush=True)

    try:
        _run_in_scope(module, config, run_dir, distribution)
    except TfnotesError:
        # Refused before it wrote anything but its config (bad data, say): a fresh
        # run leaves no directory behind. Anything more (a checkpoint) is kept.
        if not config.resume and distribution.is_chief and run_dir.holds_only_config():
            run_dir.remove()
        raise
    finally:
        if not distribution.is_chief:
            run_dir.remove()
    if not distribution.is_chief:
        task_type, task_index = distribution.worker
        print(f"{task_type} {task_index} finished; the chief wrote the run directory", flush=True)
        return
    print(f"run_dir: {run_dir.path}", flush=True)


def _run_in_scope(module: ModuleType, config, run_dir, distribution) -> None:
    import tfnotes.train as train

    name = module.__name__.rsplit(".", 1)[-1]
    train.seed_everything(config.seed)
    # Models, optimizers and metrics made by run() land in the strategy's scope.
    with distribution.scope():
        metrics = module.run(config, run_dir)
    if not isinstance(metrics, dict):
        raise TypeError(f"experiments.{name}.run must return a dict of metrics, got {metrics!r}")
    if not run_dir.metrics_written:
        run_dir.write_metrics(metrics)
    metrics = json.loads(run_dir.metrics_path.read_text())
    train.write_hparams(run_dir, config, metrics)
    print("metrics: " + json.dumps(metrics))


if __name__ == "__main__":
    sys.exit(main())

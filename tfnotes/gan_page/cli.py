"""``python -m experiments --export-gan|--serve-gan``: the generator in the browser.

    python -m experiments --export-gan RUN_DIR OUT_DIR   # generator.onnx + .json, checked
    python -m experiments --serve-gan RUN_DIR [--port N] # exports to RUN_DIR/web if needed; serves
    make serve-gan RUN=RUN_DIR [PORT=N]                  # the same, installing the page's runtime
    python -m experiments --check-gan-page RUN_DIR       # the judge reads 100 canvases in Chromium

A run directory without ``generator.keras``, a port in use or a missing
runtime is one line on stderr, status 2. An unconditional (dcgan) run is served
too: the page then hides the digit picker.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tfnotes.errors import OneLineArgumentParser, UsageError
from tfnotes.gan_page.export import (
    export_generator,
    generator_path,
    is_current,
    run_settings,
)

WEB_DIR = Path(__file__).resolve().parents[2] / "web"  # the repository's web/ (package.json)
PAGE_DIR = WEB_DIR / "gan"
RUNTIME_DIR = WEB_DIR / "node_modules" / "onnxruntime-web" / "dist"
EXPORT_FOLDER = "web"  # serve's export goes to RUN_DIR/web
CHECK_FILE = "page_check.json"  # check's figures, beside the export


def parser() -> OneLineArgumentParser:
    """The command line: ``export RUN_DIR OUT_DIR`` or ``serve RUN_DIR [--port N]``.

    (The runner turns ``--export-gan`` into ``export`` and ``--serve-gan`` into ``serve``.)
    """
    main_parser = OneLineArgumentParser(
        prog="python -m experiments", description=__doc__.splitlines()[0]
    )
    commands = main_parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write generator.onnx and generator.json")
    export.add_argument("run_dir")
    export.add_argument("out_dir")
    serve = commands.add_parser("serve", help="export if needed and serve the page")
    serve.add_argument("run_dir")
    serve.add_argument("--port", type=int, default=0, help="0 (default): a free port")
    check = commands.add_parser("check", help="the judge reads the page's canvases in Chromium")
    check.add_argument("run_dir")
    check.add_argument("--canvases", type=int, default=100, help="digits to pick and read")
    check.add_argument("--screenshot", default="", help="save the page as this PNG")
    for command in (export, serve, check):
        command.error = main_parser.error
    return main_parser


def print_export(info: dict, out_dir) -> None:
    """One line on what was exported and how close it is to Keras."""
    kind = "conditional" if info["conditional"] else "unconditional (dcgan)"
    print(
        f"exported the {kind} generator to {Path(out_dir) / 'generator.onnx'}: max |ONNX - Keras| "
        f"{info['max_abs_difference']:.2e} over {info['check_samples']} fixed inputs",
        flush=True,
    )


def start_page(run_dir, port: int = 0):
    """Exports RUN_DIR's generator to RUN_DIR/web unless current; returns the started server."""
    from tfnotes.gan_page.server import start_server

    if not (RUNTIME_DIR / "ort.wasm.min.mjs").is_file():
        raise UsageError(
            f"{RUNTIME_DIR}: ONNX Runtime Web is not installed "
            "(`make serve-gan` runs npm ci in web/)"
        )
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: ports are 0-65535 (0: a free one)")
    out_dir = Path(run_dir) / EXPORT_FOLDER
    generator_path(run_dir)
    if is_current(run_dir, out_dir):
        print(f"{out_dir}: the export is current", flush=True)
    else:
        print_export(export_generator(run_dir, out_dir), out_dir)
    return start_server(PAGE_DIR, out_dir, RUNTIME_DIR, port)


def run_judge(run_dir):
    """The digit judge of the run's data (the one its scores used; cached, so usually instant)."""
    import types

    from tfnotes.digits.judge import judge_of_run
    from tfnotes.digits.loading import load_digits_for_run

    settings = run_settings(run_dir)
    if "data" not in settings:
        raise UsageError(f"{run_dir}: no readable config.json naming the run's data")
    defaults = {
        "data_dir": None,
        "synthetic_count": 10000,
        "max_train_images": 0,
        "logdir": "tensorboard_logs",
        "seed": 0,
        "judge_epochs": 10,
    }
    config = types.SimpleNamespace(**{**defaults, **settings})
    return judge_of_run(load_digits_for_run(config), config)


def check(run_dir, canvases: int, screenshot: str) -> None:
    """Serves the page, has the judge read its canvases in Chromium; prints and saves figures."""
    from tfnotes.gan_page.browser import check_page
    from tfnotes.gan_page.server import page_url

    if canvases < 10:
        raise UsageError(f"--canvases {canvases}: read at least 10 (one per digit)")
    if screenshot and not Path(screenshot).resolve().parent.is_dir():
        raise UsageError(f"--screenshot {screenshot}: its folder does not exist")
    # Refused before anything is exported; a run without config.json is refused by run_judge.
    if run_settings(run_dir).get("variant") == "dcgan":
        raise UsageError(f"{run_dir}: an unconditional (dcgan) generator has no digit to check")
    server = start_page(run_dir)
    try:  # the server stops on every way out, errors included
        figures = check_page(page_url(server), run_judge(run_dir), canvases, screenshot or None)
    finally:
        server.shutdown()
    (Path(run_dir) / EXPORT_FOLDER / CHECK_FILE).write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"the judge read {figures['canvas_accuracy']:.1%} of {canvases} canvases as the digit "
        f"picked ({figures['grid_accuracy']:.0%} of the 10 x 10 grid); one generation "
        f"{figures['median_ms']:.1f} ms median, {figures['max_ms']:.1f} ms at most, in the page",
        flush=True,
    )


def serve(run_dir, port: int) -> None:
    """Exports RUN_DIR's generator to RUN_DIR/web unless current, then serves until Ctrl-C."""
    from tfnotes.gan_page.server import page_url

    server = start_page(run_dir, port)
    print(f"serving the GAN page at {page_url(server)} (Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()


def main(argv=None) -> int:
    """Runs the command; 2 on a usage error."""
    try:
        arguments = parser().parse_args(argv)
        if arguments.command == "export":
            print_export(export_generator(arguments.run_dir, arguments.out_dir), arguments.out_dir)
        elif arguments.command == "check":
            check(arguments.run_dir, arguments.canvases, arguments.screenshot)
        else:
            serve(arguments.run_dir, arguments.port)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0

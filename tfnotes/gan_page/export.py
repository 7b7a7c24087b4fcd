"""A gan run's generator as ``generator.onnx`` for ONNX Runtime Web, checked against Keras."""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import numpy as np

from tfnotes.errors import UsageError

MODEL_FILE = "generator.onnx"
INFO_FILE = "generator.json"
TOLERANCE = 1e-4  # largest |ONNX - Keras| accepted on the check's inputs (images in [-1, 1])
CHECK_SAMPLES = 20


def generator_path(run_dir) -> Path:
    """``RUN_DIR/generator.keras``; a UsageError names what is missing."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UsageError(f"{run_dir}: no such run directory")
    path = run_dir / "generator.keras"
    if not path.is_file():
        raise UsageError(
            f"{run_dir}: no generator.keras in this run directory "
            "(give a finished run of `make experiment NAME=gan`)"
        )
    return path


def run_settings(run_dir) -> dict:
    """The run's config.json (empty when it is missing or unreadable: older runs)."""
    try:
        return json.loads((Path(run_dir) / "config.json").read_text())
    except (OSError, ValueError):
        return {}


def describe(generator, settings: dict) -> dict:
    """What the page needs: conditional or not, the noise's size and distribution, input names."""
    inputs = generator.inputs
    conditional = len(inputs) == 2
    return {
        "conditional": conditional,
        "noise_dim": int(inputs[0].shape[-1]),
        "noise": settings.get("noise", "normal"),
        "noise_input": inputs[0].name,
        "digit_input": inputs[1].name if conditional else None,
    }


def check_inputs(info: dict, samples: int = CHECK_SAMPLES) -> list[np.ndarray]:
    """Fixed inputs for the Keras-vs-ONNX check (noise from the run's distribution, digits 0..9)."""
    from tfnotes.generative.gan import draw_noise

    noise = draw_noise(np.random.default_rng(0), (samples, info["noise_dim"]), info["noise"])
    if info["conditional"]:
        return [noise, (np.arange(samples) % 10).astype(np.int32)]
    return [noise]


def onnx_outputs(model_path: Path, info: dict, inputs: list[np.ndarray]) -> np.ndarray:
    """The ONNX model's images for `inputs`, run by ONNX Runtime (CPU)."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    names = [info["noise_input"]] + ([info["digit_input"]] if info["conditional"] else [])
    return session.run(None, dict(zip(names, inputs)))[0]


def file_digest(path: Path) -> str:
    """The sha256 of a file, to tell whether an export is of the generator now in the run."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def is_current(run_dir, out_dir) -> bool:
    """Whether OUT_DIR already holds the export of RUN_DIR's present generator."""
    try:
        info = json.loads((Path(out_dir) / INFO_FILE).read_text())
    except (OSError, ValueError):
        return False
    return (Path(out_dir) / MODEL_FILE).is_file() and info.get("generator_sha256") == file_digest(
        generator_path(run_dir)
    )


def export_generator(run_dir, out_dir) -> dict:
    """Writes OUT_DIR/generator.onnx and generator.json; returns the info, with the check's result.

    The check runs Keras and ONNX Runtime on the same fixed inputs and raises if
    they differ by more than `TOLERANCE` (``max_abs_difference`` in the info).
    """
    import keras

    source = generator_path(run_dir)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{out_dir}: cannot make this folder ({error.strerror})") from None
    try:
        generator = keras.models.load_model(source)
    except (OSError, ValueError) as error:  # not a .keras zip, or not a model Keras can build
        raise UsageError(f"{source}: not a readable Keras model ({type(error).__name__})") from None
    info = describe(generator, run_settings(run_dir))
    inputs = check_inputs(info)
    expected = generator.predict(inputs if info["conditional"] else inputs[0], verbose=0)
    model_path = out_dir / MODEL_FILE
    with warnings.catch_warnings():  # tf2onnx probes numpy for np.object, which warns
        warnings.simplefilter("ignore", FutureWarning)
        generator.export(str(model_path), format="onnx", verbose=False)
    difference = float(np.max(np.abs(onnx_outputs(model_path, info, inputs) - expected)))
    if not difference <= TOLERANCE:
        raise RuntimeError(
            f"{model_path}: the ONNX generator differs from Keras by {difference:.3g} "
            f"(more than {TOLERANCE}) on the check's inputs"
        )
    info.update(
        source=str(source),
        generator_sha256=file_digest(source),
        max_abs_difference=difference,
        check_samples=len(inputs[0]),
    )
    (out_dir / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n")
    return info

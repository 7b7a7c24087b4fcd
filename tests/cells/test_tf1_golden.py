"""Golden tests: `tfnotes.cells` against the real TF1 `tf.nn.rnn_cell` code.

The fixtures under ``tests/golden/fixtures/<case>/`` were written by
``tests/golden/make_tf1_fixtures.py`` (TF1 graph mode, tf-keras,
``TF_USE_LEGACY_KERAS=1``): a ``tf.compat.v1.train.Saver`` checkpoint, the
inputs and the reference outputs/final states of ``tf.compat.v1.nn.dynamic_rnn``
(or ``bidirectional_dynamic_rnn``), and a ``case.json`` with the cell
constructor arguments, the variable scopes and the expected variables.  Each test
builds the same cell with `tfnotes.cells`, loads the checkpoint with
`load_tf1_checkpoint` and must reproduce the references to 1e-5.

Regenerate the fixtures with ``.venv/bin/python tests/golden/make_tf1_fixtures.py``;
``TFNOTES_REGENERATE_GOLDEN=1 pytest tests/cells/test_tf1_golden.py`` checks that
doing so reproduces the committed references.
"""

import json
import math
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

# Runs again on the JAX backend in `make test` (the cells and layers are backend-neutral).
pytestmark = pytest.mark.jax

GOLDEN_DIR = pathlib.Path(__file__).resolve().parents[1] / "golden"
FIXTURES_DIR = GOLDEN_DIR / "fixtures"
GENERATOR = GOLDEN_DIR / "make_tf1_fixtures.py"
REPO_ROOT = GOLDEN_DIR.parents[1]
TOLERANCE = {"atol": 1e-5, "rtol": 1e-5}

# The cases the generator writes (kept here rather than imported from the
# generator, which switches TensorFlow to legacy Keras on import).
EXPECTED_CASES = (
    "basic_rnn",
    "gru",
    "basic_lstm",
    "basic_lstm_forget_bias_concat_state",
    "lstm",
    "lstm_peepholes",
    "lstm_cell_clip",
    "lstm_num_proj",
    "lstm_num_proj_proj_clip",
    "lstm_all_options",
    "lstm_concat_state",
    "lstm_num_proj_concat_state",
    "lstm_relu_activation",
    "multi_rnn_mixed",
    "multi_rnn_concat_state",
    "lstm_sequence_length",
    "gru_sequence_length",
    "multi_rnn_sequence_length",
    "bidirectional_lstm_gru_sequence_length",
    "dropout_wrapper_lstm",
    "lstm_initial_state",
    "gru_initial_state_sequence_length",
    "lstm_time_major",
)


def load_case(name):
    """Return ``(case_dir, description, reference)`` of a golden fixture."""
    case_dir = FIXTURES_DIR / name
    with open(case_dir / "case.json") as handle:
        description = json.load(handle)
    with np.load(case_dir / "reference.npz") as archive:
        reference = {key: archive[key] for key in archive.files}
    return case_dir, description, reference


def checkpoint_path(case_dir, description):
    """The checkpoint prefix of a fixture, as `load_tf1_checkpoint` takes it."""
    return str(case_dir / description["checkpoint"])


def structure_leaves(structure):
    """The leaf names of a ``case.json`` state structure, in flatten order."""
    if isinstance(structure, str):
        return [structure]
    if isinstance(structure, dict):
        (children,) = structure.values()
        return [leaf for child in children for leaf in structure_leaves(child)]
    return [leaf for child in structure for leaf in structure_leaves(child)]


def flatten_state(state):
    """Flatten a (nested) cell state into a list of numpy arrays.

    Tuples (including `LSTMStateTuple`, in ``(c, h)`` order) and lists are
    walked depth first, the order of TF1's ``tf.nest.flatten``.
    """
    if isinstance(state, (tuple, list)):
        return [leaf for child in state for leaf in flatten_state(child)]
    return [keras.ops.convert_to_numpy(state)]


def assert_state_structure(state, structure, path="state"):
    """Check that `state` nests like the TF1 state described by `structure`."""
    from tfnotes.cells import LSTMStateTuple

    if isinstance(structure, str):
        assert not isinstance(state, (tuple, list, dict)), (
            f"{path}: TF1 returns a single tensor here, got {type(state).__name__}")
    elif isinstance(structure, dict):
        assert isinstance(state, LSTMStateTuple), (
            f"{path}: TF1 returns an LSTMStateTuple(c, h) here, got {type(state).__name__}")
        for field, child_state, child in zip("ch", state, structure["LSTMStateTuple"]):
            assert_state_structure(child_state, child, f"{path}.{field}")
    else:
        assert isinstance(state, (tuple, list)) and len(state) == len(structure), (
            f"{path}: TF1 returns a tuple of {len(structure)} states here, got {state!r:.200}")
        for index, (child_state, child) in enumerate(zip(state, structure)):
            assert_state_structure(child_state, child, f"{path}[{index}]")


def build_state(structure, reference):
    """Rebuild a nested state (tensors) from its ``case.json`` structure."""
    from tfnotes.cells import LSTMStateTuple

    if isinstance(structure, str):
        return keras.ops.convert_to_tensor(reference[structure])
    if isinstance(structure, dict):
        c, h = (build_state(child, reference) for child in structure["LSTMStateTuple"])
        return LSTMStateTuple(c, h)
    return tuple(build_state(child, reference) for child in structure)


def build_cell(spec):
    """Construct the `tfnotes.cells` cell described by a ``case.json`` spec."""
    from tfnotes import cells

    kwargs = dict(spec["kwargs"])
    if isinstance(kwargs.get("activation"), str):
        kwargs["activation"] = keras.activations.get(kwargs["activation"])
    if spec["class"] == "MultiRNNCell":
        return cells.MultiRNNCell([build_cell(child) for child in spec["cells"]], **kwargs)
    if spec["class"] == "DropoutWrapper":
        return cells.DropoutWrapper(build_cell(spec["cell"]), **kwargs)
    return getattr(cells, spec["class"])(**kwargs)


def assert_matches(name, got, expected):
    """Compare one array to its TF1 reference with the golden tolerance."""
    got = np.asarray(got)
    assert got.shape == expected.shape, f"{name}: shape {got.shape}, TF1 {expected.shape}"
    np.testing.assert_allclose(got, expected, err_msg=name, **TOLERANCE)


def run_case(name):
    """Load a fixture's checkpoint into fresh `tfnotes` cells and run them.

    Returns ``(description, reference, results, loaded_cells)`` where `results`
    maps every reference key that the run reproduces to the computed array and
    ``results["_states"]`` maps each state prefix to the returned state object.
    """
    from tfnotes.cells import bidirectional_dynamic_rnn, dynamic_rnn, load_tf1_checkpoint

    case_dir, description, reference = load_case(name)
    path = checkpoint_path(case_dir, description)
    inputs = keras.ops.convert_to_tensor(reference["inputs"])
    sequence_length = None
    if description["sequence_length"]:
        sequence_length = keras.ops.convert_to_tensor(reference["sequence_length"])
    results = {}
    if description["bidirectional"]:
        cell_fw = build_cell(description["cell_fw"])
        cell_bw = build_cell(description["cell_bw"])
        load_tf1_checkpoint(cell_fw, path, description["scopes"]["fw"])
        load_tf1_checkpoint(cell_bw, path, description["scopes"]["bw"])
        (out_fw, out_bw), (state_fw, state_bw) = bidirectional_dynamic_rnn(
            cell_fw, cell_bw, inputs, sequence_length=sequence_length,
            time_major=description["time_major"])
        results["outputs_fw"] = keras.ops.convert_to_numpy(out_fw)
        results["outputs_bw"] = keras.ops.convert_to_numpy(out_bw)
        states = {"final_state_fw": state_fw, "final_state_bw": state_bw}
        loaded_cells = [cell_fw, cell_bw]
    else:
        cell = build_cell(description["cell"])
        load_tf1_checkpoint(cell, path, description["scopes"]["cell"])
        initial_state = None
        if description["initial_state"]:
            initial_state = build_state(
                description["state_structures"]["initial_state"], reference)
        outputs, final_state = dynamic_rnn(
            cell, inputs, sequence_length=sequence_length, initial_state=initial_state,
            time_major=description["time_major"])
        results["outputs"] = keras.ops.convert_to_numpy(outputs)
        states = {"final_state": final_state}
        loaded_cells = [cell]
    for prefix, state in states.items():
        leaves = structure_leaves(description["state_structures"][prefix])
        flat = flatten_state(state)
        assert len(flat) == len(leaves), (
            f"{prefix}: {len(flat)} state tensors, TF1 has {len(leaves)}")
        results.update(zip(leaves, flat))
    results["_states"] = states
    return description, reference, results, loaded_cells


# --- fixtures alone (no tfnotes.cells needed) --------------------------------

def test_golden_fixtures_are_present():
    """Every expected case has its checkpoint, reference and description."""
    assert FIXTURES_DIR.is_dir(), f"missing {FIXTURES_DIR}; run {GENERATOR}"
    for name in EXPECTED_CASES:
        case_dir = FIXTURES_DIR / name
        for filename in ("case.json", "reference.npz", "model.ckpt.index",
                         "model.ckpt.data-00000-of-00001"):
            assert (case_dir / filename).is_file(), f"{name}: missing {filename}"
    found = sorted(p.name for p in FIXTURES_DIR.iterdir() if p.is_dir())
    assert found == sorted(EXPECTED_CASES)


def test_golden_fixtures_are_small():
    """The committed fixtures stay well under 1 MB."""
    total = sum(p.stat().st_size for p in FIXTURES_DIR.rglob("*") if p.is_file())
    assert total < 300_000, f"golden fixtures take {total} bytes"


@pytest.mark.parametrize("name", EXPECTED_CASES)
def test_golden_fixture_is_consistent(name):
    """The checkpoint holds exactly the expected variables; the arrays fit."""
    case_dir, description, reference = load_case(name)
    listed = dict(tf.train.list_variables(checkpoint_path(case_dir, description)))
    assert listed == description["variables"]
    scopes = list(description["scopes"].values())
    for variable in listed:
        assert any(variable.startswith(scope + "/") for scope in scopes), variable
    for scope in scopes:
        assert any(variable.startswith(scope + "/") for variable in listed), scope
    expected_keys = {"inputs"}
    expected_keys |= {"outputs_fw", "outputs_bw"} if description["bidirectional"] else {"outputs"}
    if description["sequence_length"]:
        expected_keys.add("sequence_length")
    for structure in description["state_structures"].values():
        expected_keys.update(structure_leaves(structure))
    assert set(reference) == expected_keys
    for key, array in reference.items():
        expected_dtype = np.int32 if key == "sequence_length" else np.float32
        assert array.dtype == expected_dtype, key
        assert np.all(np.isfinite(array)), key
    if description["sequence_length"]:
        # TF1 semantics baked into the references: zero outputs past each length.
        lengths = reference["sequence_length"]
        for key in ("outputs", "outputs_fw", "outputs_bw"):
            if key in reference:
                for row, length in enumerate(lengths):
                    assert np.all(reference[key][row, length:] == 0.0), (key, row)
                    assert np.any(reference[key][row, :length] != 0.0), (key, row)


# --- tfnotes.cells against the references -------------------------------------

@pytest.mark.parametrize("name", EXPECTED_CASES)
def test_cells_match_tf1(name):
    """`load_tf1_checkpoint` + `dynamic_rnn` reproduce TF1's outputs and states."""
    description, reference, results, _ = run_case(name)
    for prefix, state in results.pop("_states").items():
        assert_state_structure(state, description["state_structures"][prefix], prefix)
    assert set(results) == set(reference) - {"inputs", "sequence_length"} - {
        key for key in reference if key.startswith("initial_state_")}
    for key in sorted(results):
        assert_matches(key, results[key], reference[key])


@pytest.mark.parametrize("name", EXPECTED_CASES)
def test_loaded_cells_have_exactly_the_checkpoint_parameters(name):
    """The loaded cells hold as many parameters as the TF1 checkpoint (TF1 layout)."""
    description, _, _, loaded_cells = run_case(name)
    expected = sum(math.prod(shape) for shape in description["variables"].values())
    assert sum(cell.count_params() for cell in loaded_cells) == expected


# --- reproducibility of the fixtures ------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("TFNOTES_REGENERATE_GOLDEN") != "1",
                    reason="regenerates the TF1 fixtures (tf-keras subprocess); "
                           "set TFNOTES_REGENERATE_GOLDEN=1 to run")
def test_fixtures_are_reproducible(tmp_path):
    """Re-running the generator reproduces the committed fixtures."""
    environment = {**os.environ, "TF_USE_LEGACY_KERAS": "1"}
    completed = subprocess.run(
        [sys.executable, str(GENERATOR), "--output-dir", str(tmp_path)],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(EXPECTED_CASES)
    for name in EXPECTED_CASES:
        committed_dir, committed, committed_reference = load_case(name)
        fresh_dir = tmp_path / name
        with open(fresh_dir / "case.json") as handle:
            assert json.load(handle) == committed, name
        with np.load(fresh_dir / "reference.npz") as archive:
            assert set(archive.files) == set(committed_reference), name
            for key in archive.files:
                np.testing.assert_allclose(archive[key], committed_reference[key],
                                           atol=1e-6, rtol=0, err_msg=f"{name}/{key}")
        committed_checkpoint = tf.train.load_checkpoint(
            checkpoint_path(committed_dir, committed))
        fresh_checkpoint = tf.train.load_checkpoint(str(fresh_dir / committed["checkpoint"]))
        for variable in committed["variables"]:
            np.testing.assert_allclose(fresh_checkpoint.get_tensor(variable),
                                       committed_checkpoint.get_tensor(variable),
                                       atol=1e-6, rtol=0, err_msg=f"{name}/{variable}")

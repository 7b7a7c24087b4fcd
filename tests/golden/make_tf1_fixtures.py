"""Generate the TF1 golden fixtures for the `tfnotes.cells` tests.

Developer tool, not run by the test suite (except on request, see
``tests/cells/test_tf1_golden.py::test_fixtures_are_reproducible``).  It runs the
real 2017 TF1 RNN code (``tf.compat.v1.nn.rnn_cell.*`` from tf-keras, selected by
``TF_USE_LEGACY_KERAS=1``) in graph mode and writes, for every case in
``CASES``, a folder ``<output-dir>/<case>/`` holding:

- ``model.ckpt.index`` / ``model.ckpt.data-00000-of-00001``: the cell variables as
  written by ``tf.compat.v1.train.Saver`` (no meta graph, no ``checkpoint`` state
  file, so nothing machine-specific is stored);
- ``reference.npz``: ``inputs``, optionally ``sequence_length`` and
  ``initial_state_<i>``, the ``outputs`` (``outputs_fw``/``outputs_bw`` for the
  bidirectional case) and the final state flattened with ``tf.nest.flatten``
  as ``final_state_<i>`` (``final_state_fw_<i>``/``final_state_bw_<i>``);
- ``case.json``: the cell spec (class name and constructor arguments, nested for
  ``MultiRNNCell``/``DropoutWrapper``), the variable scope(s) to load from, the
  expected checkpoint variables with shapes, the state structures and the graph
  tensor behind every array of ``reference.npz``.

Run from the repository root::

    .venv/bin/python tests/golden/make_tf1_fixtures.py [--output-dir DIR] [--case NAME ...]

Weights: kernels come from a seeded ``random_uniform_initializer`` set on the
root variable scope; every bias and peephole (``*_diag``) variable is then
overwritten through assign ops with nonzero seeded random values, so the
comparison exercises them (TF1 initialises them to 0 or 1).  Cases that clip
(``cell_clip``/``proj_clip``) are re-run without the clip on the same weights and
the script fails unless the clip changed the result.
"""

import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"  # must precede the TensorFlow import
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import shutil  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
rnn_cell = tf1.nn.rnn_cell

DEFAULT_OUTPUT_DIR = pathlib.Path(__file__).resolve().parent / "fixtures"
BATCH_SIZE = 3
MAX_TIME = 5
INPUT_DEPTH = 4
SEQUENCE_LENGTHS = [5, 3, 1]
KERNEL_INIT_RANGE = 0.6  # kernels ~ U(-0.6, 0.6)
BIAS_MAGNITUDE_RANGE = (0.1, 0.6)  # biases/diags: random sign * U(0.1, 0.6)
CHECKPOINT_NAME = "model.ckpt"


def lstm(num_units, **kwargs):
    """Spec of an `LSTMCell`."""
    return {"class": "LSTMCell", "kwargs": {"num_units": num_units, **kwargs}}


def basic_lstm(num_units, **kwargs):
    """Spec of a `BasicLSTMCell`."""
    return {"class": "BasicLSTMCell", "kwargs": {"num_units": num_units, **kwargs}}


def gru(num_units, **kwargs):
    """Spec of a `GRUCell`."""
    return {"class": "GRUCell", "kwargs": {"num_units": num_units, **kwargs}}


def basic_rnn(num_units, **kwargs):
    """Spec of a `BasicRNNCell`."""
    return {"class": "BasicRNNCell", "kwargs": {"num_units": num_units, **kwargs}}


def multi(cells, **kwargs):
    """Spec of a `MultiRNNCell` over the given child specs."""
    return {"class": "MultiRNNCell", "cells": cells, "kwargs": kwargs}


def dropout(cell, **kwargs):
    """Spec of a `DropoutWrapper` around the given cell spec."""
    return {"class": "DropoutWrapper", "cell": cell, "kwargs": kwargs}


# Each case: "cell" (or "cell_fw"/"cell_bw" with "bidirectional": True), and the
# optional run options "sequence_length", "initial_state", "time_major".
CASES = {
    "basic_rnn": {"cell": basic_rnn(4)},
    "gru": {"cell": gru(4)},
    "basic_lstm": {"cell": basic_lstm(4, forget_bias=1.0)},
    "basic_lstm_forget_bias_concat_state": {
        "cell": basic_lstm(4, forget_bias=0.5, state_is_tuple=False)},
    "lstm": {"cell": lstm(4)},
    "lstm_peepholes": {"cell": lstm(4, use_peepholes=True)},
    "lstm_cell_clip": {"cell": lstm(4, cell_clip=0.1)},
    "lstm_num_proj": {"cell": lstm(5, num_proj=3)},
    "lstm_num_proj_proj_clip": {"cell": lstm(5, num_proj=3, proj_clip=0.1)},
    "lstm_all_options": {"cell": lstm(
        5, use_peepholes=True, cell_clip=0.5, num_proj=3, proj_clip=0.1,
        forget_bias=0.3)},
    "lstm_concat_state": {"cell": lstm(4, state_is_tuple=False)},
    "lstm_num_proj_concat_state": {"cell": lstm(
        5, num_proj=3, use_peepholes=True, state_is_tuple=False)},
    "lstm_relu_activation": {"cell": lstm(4, activation="relu")},
    "multi_rnn_mixed": {"cell": multi(
        [lstm(5, use_peepholes=True, num_proj=3), gru(4), basic_rnn(3)])},
    "multi_rnn_concat_state": {"cell": multi(
        [basic_lstm(4, state_is_tuple=False), gru(3)], state_is_tuple=False)},
    "lstm_sequence_length": {"cell": lstm(4), "sequence_length": True},
    "gru_sequence_length": {"cell": gru(4), "sequence_length": True},
    "multi_rnn_sequence_length": {
        "cell": multi([lstm(4, num_proj=3), gru(3)]), "sequence_length": True},
    "bidirectional_lstm_gru_sequence_length": {
        "bidirectional": True, "cell_fw": lstm(4), "cell_bw": gru(3),
        "sequence_length": True},
    "dropout_wrapper_lstm": {"cell": dropout(
        lstm(4), input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0)},
    "lstm_initial_state": {"cell": lstm(5, num_proj=3), "initial_state": True},
    "gru_initial_state_sequence_length": {
        "cell": gru(4), "initial_state": True, "sequence_length": True},
    "lstm_time_major": {"cell": lstm(4, use_peepholes=True), "time_major": True},
}

# Cases whose clip must visibly change the result: case -> kwargs to drop.
CLIP_CHECKS = {
    "lstm_cell_clip": ["cell_clip"],
    "lstm_num_proj_proj_clip": ["proj_clip"],
    "lstm_all_options": ["cell_clip", "proj_clip"],
}

ACTIVATIONS = {"relu": tf.nn.relu, "tanh": tf.tanh, "sigmoid": tf.sigmoid}
CELL_SCOPE_NAMES = {
    "BasicRNNCell": "basic_rnn_cell",
    "GRUCell": "gru_cell",
    "BasicLSTMCell": "basic_lstm_cell",
    "LSTMCell": "lstm_cell",
    "MultiRNNCell": "multi_rnn_cell",
}


def cell_scope(spec, parent):
    """The TF1 variable scope of a cell built from `spec` under scope `parent`.

    `DropoutWrapper` adds no scope: its scope is the wrapped cell's.
    """
    if spec["class"] == "DropoutWrapper":
        return cell_scope(spec["cell"], parent)
    return f"{parent}/{CELL_SCOPE_NAMES[spec['class']]}"


def build_tf1_cell(spec):
    """Construct the `tf.compat.v1.nn.rnn_cell` object described by `spec`."""
    kwargs = dict(spec["kwargs"])
    if isinstance(kwargs.get("activation"), str):
        kwargs["activation"] = ACTIVATIONS[kwargs["activation"]]
    if spec["class"] == "MultiRNNCell":
        return rnn_cell.MultiRNNCell([build_tf1_cell(c) for c in spec["cells"]], **kwargs)
    if spec["class"] == "DropoutWrapper":
        return rnn_cell.DropoutWrapper(build_tf1_cell(spec["cell"]), **kwargs)
    return getattr(rnn_cell, spec["class"])(**kwargs)


def state_structure(state, prefix, counter=None):
    """Describe a (nested) TF1 state as JSON with `prefix_<i>` leaf names.

    A leaf is the name of its flattened array in ``reference.npz``; an
    `LSTMStateTuple` becomes ``{"LSTMStateTuple": [c, h]}``; other tuples become
    lists.  Leaves are numbered in `tf.nest.flatten` order.
    """
    counter = counter if counter is not None else [0]
    if isinstance(state, rnn_cell.LSTMStateTuple):
        return {"LSTMStateTuple": [state_structure(s, prefix, counter) for s in state]}
    if isinstance(state, (tuple, list)):
        return [state_structure(s, prefix, counter) for s in state]
    name = f"{prefix}_{counter[0]}"
    counter[0] += 1
    return name


def case_seed(name):
    """A stable per-case seed (independent of Python's hash randomisation)."""
    return sum((i + 1) * ord(ch) for i, ch in enumerate(name)) % (2**31 - 1)


def random_initial_state(cell, rng):
    """A nonzero random state with the structure of `cell.zero_state` (numpy)."""
    zero = cell.zero_state(BATCH_SIZE, tf.float32)
    return tf.nest.map_structure(
        lambda z: rng.uniform(-1.0, 1.0, size=z.shape.as_list()).astype(np.float32),
        zero)


def run_graph(case, seed, variable_values=None):
    """Build and run one case in a fresh TF1 graph.

    Returns ``(arrays, tensor_names, structures, variables, session_values)``:
    the reference arrays, the graph tensor name of each array, the state
    structures for ``case.json``, ``{name: shape}`` of the checkpoint variables
    and ``{name: value}`` of every variable.  If `variable_values` is given the
    variables are assigned those values instead of the random ones (used by the
    clip checks).  The graph and session are returned for checkpoint saving via
    the ``"_graph"``/``"_session"``/``"_saver"`` keys of `session_values`.
    """
    rng = np.random.RandomState(seed)
    inputs_np = rng.uniform(-1.0, 1.0, size=(BATCH_SIZE, MAX_TIME, INPUT_DEPTH)).astype(
        np.float32)
    time_major = case.get("time_major", False)
    if time_major:
        inputs_np = np.ascontiguousarray(np.transpose(inputs_np, (1, 0, 2)))
    graph = tf.Graph()
    arrays = {"inputs": inputs_np}
    with graph.as_default():
        tf1.set_random_seed(seed)
        tf1.get_variable_scope().set_initializer(
            tf1.random_uniform_initializer(-KERNEL_INIT_RANGE, KERNEL_INIT_RANGE, seed=seed))
        inputs = tf1.placeholder(tf.float32, inputs_np.shape, name="inputs")
        feed = {inputs: inputs_np}
        tensors = {"inputs": inputs}
        sequence_length = None
        if case.get("sequence_length"):
            arrays["sequence_length"] = np.array(SEQUENCE_LENGTHS, dtype=np.int32)
            sequence_length = tf1.placeholder(tf.int32, [BATCH_SIZE], name="sequence_length")
            feed[sequence_length] = arrays["sequence_length"]
            tensors["sequence_length"] = sequence_length
        structures = {}
        if case.get("bidirectional"):
            cell_fw = build_tf1_cell(case["cell_fw"])
            cell_bw = build_tf1_cell(case["cell_bw"])
            (out_fw, out_bw), (state_fw, state_bw) = tf1.nn.bidirectional_dynamic_rnn(
                cell_fw, cell_bw, inputs, sequence_length=sequence_length,
                dtype=tf.float32, time_major=time_major)
            tensors["outputs_fw"] = out_fw
            tensors["outputs_bw"] = out_bw
            for direction, state in (("fw", state_fw), ("bw", state_bw)):
                structures[f"final_state_{direction}"] = state_structure(
                    state, f"final_state_{direction}")
                for i, leaf in enumerate(tf.nest.flatten(state)):
                    tensors[f"final_state_{direction}_{i}"] = leaf
        else:
            cell = build_tf1_cell(case["cell"])
            initial_state = None
            if case.get("initial_state"):
                initial_np = random_initial_state(cell, rng)
                initial_state = tf.nest.pack_sequence_as(initial_np, [
                    tf1.placeholder(tf.float32, a.shape, name=f"initial_state_{i}")
                    for i, a in enumerate(tf.nest.flatten(initial_np))])
                for i, (placeholder, value) in enumerate(
                        zip(tf.nest.flatten(initial_state), tf.nest.flatten(initial_np))):
                    arrays[f"initial_state_{i}"] = value
                    tensors[f"initial_state_{i}"] = placeholder
                    feed[placeholder] = value
                structures["initial_state"] = state_structure(initial_state, "initial_state")
            outputs, final_state = tf1.nn.dynamic_rnn(
                cell, inputs, sequence_length=sequence_length, initial_state=initial_state,
                dtype=None if initial_state is not None else tf.float32,
                time_major=time_major)
            tensors["outputs"] = outputs
            structures["final_state"] = state_structure(final_state, "final_state")
            for i, leaf in enumerate(tf.nest.flatten(final_state)):
                tensors[f"final_state_{i}"] = leaf

        variables = tf1.global_variables()
        session = tf1.Session(graph=graph, config=tf1.ConfigProto(
            intra_op_parallelism_threads=1, inter_op_parallelism_threads=1))
        session.run(tf1.global_variables_initializer())
        # Overwrite biases and peephole weights (or everything, if values given).
        assignments = {}
        for variable in variables:
            name = variable.op.name
            if variable_values is not None:
                assignments[variable] = variable_values[name]
            elif name.endswith("bias") or name.endswith("_diag"):
                shape = variable.shape.as_list()
                magnitude = rng.uniform(*BIAS_MAGNITUDE_RANGE, size=shape)
                sign = rng.choice([-1.0, 1.0], size=shape)
                assignments[variable] = (magnitude * sign).astype(np.float32)
        for variable, value in assignments.items():
            session.run(tf1.assign(variable, value))
        saver = tf1.train.Saver(variables, sharded=False)
        tensor_keys = [key for key in tensors if key not in arrays]
        values = session.run([tensors[key] for key in tensor_keys], feed_dict=feed)
        for key, value in zip(tensor_keys, values):
            arrays[key] = np.asarray(value, dtype=np.float32)
        variable_shapes = {v.op.name: v.shape.as_list() for v in variables}
        session_values = dict(zip([v.op.name for v in variables], session.run(variables)))
        session_values.update({"_graph": graph, "_session": session, "_saver": saver})
    tensor_names = {key: tensor.name for key, tensor in tensors.items()}
    return arrays, tensor_names, structures, variable_shapes, session_values


def check_clip_bites(name, case, arrays, variable_values, seed):
    """Fail unless dropping each clip option, one at a time, changes the result."""
    for option in CLIP_CHECKS[name]:
        single = copy.deepcopy(case)
        del single["cell"]["kwargs"][option]
        single_arrays, _, _, _, extra = run_graph(single, seed, variable_values)
        extra["_session"].close()
        difference = max(float(np.max(np.abs(arrays[key] - single_arrays[key])))
                         for key in arrays if key.startswith(("outputs", "final_state")))
        if difference < 1e-3:
            raise SystemExit(f"{name}: dropping {option} changes nothing "
                             f"(max difference {difference:g}); pick a smaller clip")
        print(f"  {option} bites: max |clipped - unclipped| = {difference:.4f}")


def write_case(name, case, output_dir):
    """Generate the fixture folder of one case under `output_dir`."""
    seed = case_seed(name)
    arrays, tensor_names, structures, variable_shapes, values = run_graph(case, seed)
    graph, session, saver = values.pop("_graph"), values.pop("_session"), values.pop("_saver")
    case_dir = output_dir / name
    if case_dir.exists():
        shutil.rmtree(case_dir)
    case_dir.mkdir(parents=True)
    with graph.as_default():
        saver.save(session, str(case_dir / CHECKPOINT_NAME),
                   write_meta_graph=False, write_state=False)
    session.close()
    np.savez(case_dir / "reference.npz", **arrays)
    listed = dict(tf.train.list_variables(str(case_dir / CHECKPOINT_NAME)))
    assert listed == variable_shapes, (listed, variable_shapes)
    if case.get("bidirectional"):
        scopes = {"fw": cell_scope(case["cell_fw"], "bidirectional_rnn/fw"),
                  "bw": cell_scope(case["cell_bw"], "bidirectional_rnn/bw")}
    else:
        scopes = {"cell": cell_scope(case["cell"], "rnn")}
    for scope in scopes.values():
        if not any(v.startswith(scope + "/") for v in variable_shapes):
            raise SystemExit(f"{name}: no variable under scope {scope!r}: {variable_shapes}")
    description = {
        "case": name,
        "seed": seed,
        **case,
        "sequence_length": bool(case.get("sequence_length")),
        "initial_state": bool(case.get("initial_state")),
        "time_major": bool(case.get("time_major")),
        "bidirectional": bool(case.get("bidirectional")),
        "scopes": scopes,
        "checkpoint": CHECKPOINT_NAME,
        "variables": variable_shapes,
        "state_structures": structures,
        "tensor_names": tensor_names,
    }
    with open(case_dir / "case.json", "w") as handle:
        json.dump(description, handle, indent=1, sort_keys=True)
        handle.write("\n")
    print(f"{name}: scopes {scopes}")
    for variable, shape in sorted(listed.items()):
        print(f"  {variable} {shape}")
    if name in CLIP_CHECKS:
        check_clip_bites(name, case, arrays, values, seed)


def main(argv=None):
    """Parse the command line and write the requested fixtures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=pathlib.Path, default=DEFAULT_OUTPUT_DIR,
                        help="where the <case>/ folders go (default: %(default)s)")
    parser.add_argument("--case", action="append", choices=sorted(CASES),
                        help="only this case (repeatable; default: all)")
    args = parser.parse_args(argv)
    tf1.disable_eager_execution()
    tf1.logging.set_verbosity(tf1.logging.ERROR)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    for name in args.case or CASES:
        write_case(name, CASES[name], args.output_dir)
    total = sum(p.stat().st_size for p in args.output_dir.rglob("*") if p.is_file())
    print(f"wrote {len(args.case or CASES)} cases to {args.output_dir} ({total} bytes in all)")


if __name__ == "__main__":
    main()

"""`load_tf1_checkpoint`: TF1 `Saver` checkpoints into `tfnotes.cells` cells."""

import numpy as np


def _format_shape(shape):
    return "[" + ", ".join(str(int(d)) for d in shape) + "]"


def load_tf1_checkpoint(cell, checkpoint_path, scope):
    """Assigns the weights of `cell` from a TF1 checkpoint.

    Variables are read under their TF1 names: for an `LSTMCell` at scope
    `rnn/lstm_cell`, `rnn/lstm_cell/kernel`, `.../bias`, `.../w_f_diag`,
    `.../w_i_diag`, `.../w_o_diag`, `.../projection/kernel`; for a `GRUCell`
    `.../gates/kernel|bias` and `.../candidate/kernel|bias`; child i of a
    `MultiRNNCell` at scope S under `S/cell_<i>/<child's TF1 scope name>`;
    a `DropoutWrapper` adds no scope.

    An unbuilt cell is first built from the checkpoint's shapes. Every
    variable is checked before any is assigned.

    Args:
        cell: the cell to fill.
        checkpoint_path: checkpoint prefix or directory (`tf.train.load_checkpoint`).
        scope: full variable scope of the cell, e.g. `"rnn/lstm_cell"`.

    Returns:
        The list of TF1 variable names that were read.

    Raises:
        ValueError: a variable is missing or has the wrong shape; the message
            names the variable, the expected and the found shape.
    """
    import tensorflow as tf  # checkpoint I/O only; the cells' math never uses tf

    scope = scope.rstrip("/")
    reader = tf.train.load_checkpoint(checkpoint_path)
    shapes = reader.get_variable_to_shape_map()

    def describe_missing(name, expected):
        near = sorted(n for n in shapes if n.startswith(scope + "/"))
        return (
            f"TF1 checkpoint {checkpoint_path!r}: variable {name!r} not found "
            f"(expected shape {expected}, found shape: none). "
            f"Variables under {scope!r}: {near or 'none'}."
        )

    def shape_of(name):
        if name not in shapes:
            raise ValueError(describe_missing(name, "unknown: the cell is not built"))
        return list(shapes[name])

    if not cell.built:
        input_depth = cell.tf1_input_depth(shape_of, scope)
        cell.build((None, input_depth))

    variables = cell.tf1_variables(scope)
    values = {}
    for name, variable in variables.items():
        expected = tuple(int(d) for d in variable.shape)
        if name not in shapes:
            raise ValueError(describe_missing(name, _format_shape(expected)))
        found = tuple(int(d) for d in shapes[name])
        if found != expected:
            raise ValueError(
                f"TF1 checkpoint {checkpoint_path!r}: variable {name!r} has the wrong shape: "
                f"expected shape {_format_shape(expected)}, found shape {_format_shape(found)}."
            )
        values[name] = reader.get_tensor(name)
    for name, variable in variables.items():
        variable.assign(np.asarray(values[name], dtype=variable.dtype))
    return list(variables)

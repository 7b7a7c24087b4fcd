"""TF1 peers of the benchmark's cases: `tf.compat.v1.nn.rnn_cell` under `dynamic_rnn`.

Graph mode, one `tf.compat.v1.Session` per job; the inputs are a constant in the
graph (no feed), the loss the mean square of the outputs, the optimizer
`tf.compat.v1.train.AdamOptimizer`. Runs inside `tfnotes.bench.worker` with
``TF_USE_LEGACY_KERAS=1`` set before TensorFlow is imported (TF1's cells need
tf-keras under TensorFlow 2.16+).
"""

import numpy as np

TF1_CASES = ("lstm", "bilstm", "gru", "lstm_stack", "lstm_peepholes", "basic_rnn")


def make_tf1_cell(case, units):
    """The `tf.compat.v1.nn.rnn_cell` cell (or stack) for a benchmark case."""
    import tensorflow as tf

    rnn_cell = tf.compat.v1.nn.rnn_cell
    if case in ("lstm", "bilstm"):
        return rnn_cell.BasicLSTMCell(units)
    if case == "lstm_stack":
        return rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(units) for _ in range(2)])
    if case == "lstm_peepholes":
        return rnn_cell.LSTMCell(units, use_peepholes=True)
    if case == "gru":
        return rnn_cell.GRUCell(units)
    if case == "basic_rnn":
        return rnn_cell.BasicRNNCell(units)
    raise ValueError(f"unknown TF1 case {case!r}; choose one of {TF1_CASES}")


def tf1_step(case, size, mode):
    """`step()`: one `session.run` of the case's TF1 training step or forward pass."""
    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()
    batch, time, inputs, units = size
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(
            np.random.default_rng(0).standard_normal((batch, time, inputs), dtype=np.float32)
        )
        if case == "bilstm":
            (forward, backward), _ = tf.compat.v1.nn.bidirectional_dynamic_rnn(
                make_tf1_cell(case, units), make_tf1_cell(case, units), x, dtype=tf.float32
            )
            outputs = tf.concat([forward, backward], axis=-1)
        else:
            outputs, _ = tf.compat.v1.nn.dynamic_rnn(
                make_tf1_cell(case, units), x, dtype=tf.float32
            )
        loss = tf.reduce_mean(tf.square(outputs))
        train = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
        target = train if mode == "train" else outputs
        init = tf.compat.v1.global_variables_initializer()
    session = tf.compat.v1.Session(graph=graph)
    session.run(init)
    return lambda: session.run(target)

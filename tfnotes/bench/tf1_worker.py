"""Child process of `tfnotes.bench.tf1`: times TF1 `rnn_cell` cells under `dynamic_rnn`.

    TF_USE_LEGACY_KERAS=1 python -m tfnotes.bench.tf1_worker '{"jobs": [...], ...}'

Prints one JSON line `{"seconds": [...]}`. Graph mode, one `tf.compat.v1.Session`
per job; the inputs are a constant in the graph (no feed), the loss the mean
square of the outputs, the optimizer `tf.compat.v1.train.AdamOptimizer`.
"""

import json
import sys

import numpy as np

TF1_CELLS = ("basic_rnn", "gru", "basic_lstm", "lstm_peepholes")


def make_tf1_cell(kind, units):
    """The `tf.compat.v1.nn.rnn_cell` cell for a benchmark cell kind."""
    import tensorflow as tf

    rnn_cell = tf.compat.v1.nn.rnn_cell
    if kind == "basic_rnn":
        return rnn_cell.BasicRNNCell(units)
    if kind == "gru":
        return rnn_cell.GRUCell(units)
    if kind == "basic_lstm":
        return rnn_cell.BasicLSTMCell(units)
    if kind == "lstm_peepholes":
        return rnn_cell.LSTMCell(units, use_peepholes=True)
    raise ValueError(f"unknown TF1 cell {kind!r}; choose one of {TF1_CELLS}")


def time_job(job, repeats, warmup, calls_per_repeat):
    """Median seconds of one training step or inference pass of a TF1 graph."""
    import tensorflow as tf

    from tfnotes.bench.timing import median_seconds

    batch, time, inputs, units = job["size"]
    graph = tf.Graph()
    with graph.as_default():
        x = np.random.default_rng(0).standard_normal((batch, time, inputs), dtype=np.float32)
        outputs, _ = tf.compat.v1.nn.dynamic_rnn(
            make_tf1_cell(job["cell"], units), tf.constant(x), dtype=tf.float32
        )
        loss = tf.reduce_mean(tf.square(outputs))
        train = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
        target = train if job["mode"] == "train" else outputs
        init = tf.compat.v1.global_variables_initializer()
    with tf.compat.v1.Session(graph=graph) as session:
        session.run(init)
        return median_seconds(
            lambda: session.run(target),
            repeats=repeats, warmup=warmup, calls_per_repeat=calls_per_repeat,
        )


def main(argv):
    """Runs the jobs of the JSON spec `argv[1]` and prints their seconds as JSON."""
    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()
    spec = json.loads(argv[1])
    seconds = [
        time_job(job, spec["repeats"], spec["warmup"], spec["calls_per_repeat"])
        for job in spec["jobs"]
    ]
    print(json.dumps({"seconds": seconds}), flush=True)


if __name__ == "__main__":
    main(sys.argv)

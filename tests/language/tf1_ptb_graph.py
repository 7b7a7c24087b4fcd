"""Build the TF1 ``ptb_word_lm`` graph (tiny sizes, random weights), run it, save it.

Run in its own process (``TF_USE_LEGACY_KERAS=1`` must be set before TensorFlow is
imported, so ``tf.compat.v1.nn.rnn_cell`` is the 2017 code, as in
tests/golden/make_tf1_fixtures.py)::

    .venv/bin/python tests/language/tf1_ptb_graph.py OUTPUT_DIR

It builds the tutorial's model (``Model`` scope: ``embedding``, a ``MultiRNNCell`` of
``BasicLSTMCell(forget_bias=0.0)`` run step by step under ``RNN``, ``softmax_w``,
``softmax_b``), draws every variable (biases too) at random, runs `BATCHES`
consecutive windows feeding each final state back as the next initial state (the
tutorial's ``run_epoch``), and writes ``OUTPUT_DIR/model.ckpt`` (a `Saver`
checkpoint) and ``OUTPUT_DIR/reference.npz`` (``inputs`` [batches, batch, steps],
``logits`` [batches, batch, steps, vocab]) and ``variables.txt`` (name and shape).
"""

import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"  # must precede the TensorFlow import
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pathlib  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
rnn_cell = tf1.nn.rnn_cell

VOCAB, SIZE, LAYERS, BATCH, STEPS, BATCHES = 13, 8, 2, 3, 4, 3


def main(output_dir):
    """Writes the checkpoint and the reference logits into `output_dir`."""
    output = pathlib.Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    inputs = rng.integers(0, VOCAB, size=(BATCHES, BATCH, STEPS)).astype(np.int32)
    with tf.Graph().as_default():
        initializer = tf1.random_uniform_initializer(-0.5, 0.5, seed=1)
        with tf1.variable_scope("Model", initializer=initializer):
            input_data = tf1.placeholder(tf.int32, [BATCH, STEPS])
            embedding = tf1.get_variable("embedding", [VOCAB, SIZE], dtype=tf.float32)
            embedded = tf1.nn.embedding_lookup(embedding, input_data)
            cell = rnn_cell.MultiRNNCell(
                [rnn_cell.BasicLSTMCell(SIZE, forget_bias=0.0, state_is_tuple=True)
                 for _ in range(LAYERS)],
                state_is_tuple=True,
            )
            initial_state = cell.zero_state(BATCH, tf.float32)
            state, outputs = initial_state, []
            with tf1.variable_scope("RNN"):
                for time_step in range(STEPS):
                    if time_step > 0:
                        tf1.get_variable_scope().reuse_variables()
                    cell_output, state = cell(embedded[:, time_step, :], state)
                    outputs.append(cell_output)
            flat_output = tf.reshape(tf.concat(outputs, 1), [-1, SIZE])
            softmax_w = tf1.get_variable("softmax_w", [SIZE, VOCAB], dtype=tf.float32)
            softmax_b = tf1.get_variable("softmax_b", [VOCAB], dtype=tf.float32)
            logits = tf.reshape(tf1.nn.xw_plus_b(flat_output, softmax_w, softmax_b),
                                [BATCH, STEPS, VOCAB])
        final_state = state
        variables = tf1.global_variables()
        biases = [v for v in variables if v.name.endswith("bias:0")]
        assigns = [
            v.assign(rng.uniform(-0.5, 0.5, v.shape.as_list()).astype(np.float32))
            for v in biases
        ]
        saver = tf1.train.Saver(variables)
        with tf1.Session() as session:
            session.run(tf1.global_variables_initializer())
            session.run(assigns)
            values = session.run(initial_state)
            all_logits = []
            for window in inputs:
                feed = {input_data: window}
                for i, (c, h) in enumerate(initial_state):
                    feed[c], feed[h] = values[i].c, values[i].h
                window_logits, values = session.run([logits, final_state], feed)
                all_logits.append(window_logits)
            saver.save(session, str(output / "model.ckpt"), write_meta_graph=False,
                       write_state=False)
        names = [f"{v.op.name} {v.shape.as_list()}" for v in variables]
    (output / "variables.txt").write_text("\n".join(names) + "\n")
    np.savez(output / "reference.npz", inputs=inputs, logits=np.stack(all_logits))


if __name__ == "__main__":
    main(sys.argv[1])

"""Where the fused LSTM's training step spends its time: each part timed alone, interleaved.

The parts of one training step of `FusedRNN(BasicLSTMCell)` (TensorFlow, XLA) are
rebuilt as separate compiled programs with the step's shapes, and timed in interleaved
rounds with the step itself (`tfnotes.bench.rounds`):

* ``forward`` and ``forward_backward``: the layer's loss, and its gradients, compiled
  alone; ``step_compiled``: gradients and the Adam update in one compiled function;
  ``step``: the benchmark's ``train_on_batch`` (adds Keras' per-call work);
* ``input_projection``: ``x @ W_x`` for all steps at once (the hoisted product);
* ``recurrent_forward``: the chain of ``time`` products ``[B, U] @ [U, 4U]``, each
  waiting for the last, as the loop runs them; ``recurrent_backward``: the chain of
  ``[B, 4U] @ [4U, U]`` products of the backward loop;
* ``large_backward``: the three products over all steps after the backward loop
  (the kernel's two gradients and the inputs' gradient);
* ``adam``: the optimizer's update of the layer's weights alone;
* ``chain_one``, ``chains_two_loops``, ``chains_one_loop`` (and ``..._no_xla``): one
  forward chain of recurrent products, and two independent chains (a bidirectional
  layer's directions) as two loops or as one loop, with and without XLA.

`profile_table` subtracts to name the rest (the gate arithmetic and the loop around
it), and bounds what any implementation with the same products can reach: the step
cannot be faster than its products, the optimizer and the per-call work.
"""

from __future__ import annotations

import statistics

import keras
import numpy as np

from tfnotes.bench.cases import keras_step, random_batch
from tfnotes.bench.rounds import interleaved_rounds
from tfnotes.bench.timing import local_timer
from tfnotes.cells import BasicLSTMCell, FusedRNN


def _blocking(function, *arguments):
    """``step()`` running a compiled function and reading one number back."""
    def step():
        result = function(*arguments)
        return float(keras.ops.convert_to_numpy(keras.tree.flatten(result)[0]).ravel()[0])

    return step


def part_steps(size, seed=0):
    """``{part: step()}`` for the LSTM at `size` = (batch, time, inputs, units), built."""
    import tensorflow as tf

    batch, time, inputs, units = size
    x = tf.constant(random_batch(batch, time, inputs, seed))
    layer = FusedRNN(BasicLSTMCell(units), return_sequences=True)
    layer(x)
    weights = layer.trainable_weights
    optimizer = keras.optimizers.Adam(1e-3)
    optimizer.build(weights)
    rng = np.random.default_rng(seed)

    def loss_of(sequence):
        return tf.reduce_mean(tf.square(layer(sequence)))

    @tf.function(jit_compile=True)
    def forward(sequence):
        return loss_of(sequence)

    @tf.function(jit_compile=True)
    def forward_backward(sequence):
        with tf.GradientTape() as tape:
            loss = loss_of(sequence)
        return tape.gradient(loss, weights)

    @tf.function(jit_compile=True)
    def step_compiled(sequence):
        with tf.GradientTape() as tape:
            loss = loss_of(sequence)
        optimizer.apply(tape.gradient(loss, weights), weights)
        return loss

    fixed_gradients = [tf.constant(rng.standard_normal(w.shape, dtype=np.float32) * 1e-3)
                       for w in weights]

    @tf.function(jit_compile=True)
    def adam(gradients):
        optimizer.apply(gradients, weights)
        return weights[0][0, 0]

    def matrix(rows, columns):
        return tf.constant(rng.standard_normal((rows, columns), dtype=np.float32) * 0.02)

    input_kernel, recurrent_kernel = matrix(inputs, 4 * units), matrix(units, 4 * units)
    flat_x = tf.reshape(x, (-1, inputs))
    gate_gradients = matrix(batch * time, 4 * units)
    flat_h = matrix(batch * time, units)

    @tf.function(jit_compile=True)
    def input_projection(flat):
        return tf.matmul(flat, input_kernel)

    @tf.function(jit_compile=True)
    def recurrent_forward(h0):
        def body(t, h):
            z = tf.matmul(h, recurrent_kernel)  # every column feeds the next step
            return t + 1, z[:, :units] + z[:, units:2 * units] + z[:, 2 * units:3 * units] \
                + z[:, 3 * units:]
        return tf.while_loop(lambda t, h: t < time, body, (0, h0))[1]

    @tf.function(jit_compile=True)
    def recurrent_backward(d0):
        def body(t, d):
            dh = tf.matmul(d, recurrent_kernel, transpose_b=True)
            return t + 1, tf.concat([dh, dh, dh, dh], axis=-1)
        return tf.while_loop(lambda t, d: t < time, body, (0, d0))[1]

    @tf.function(jit_compile=True)
    def large_backward(d_gates):
        return (tf.matmul(flat_h, d_gates, transpose_a=True),
                tf.matmul(flat_x, d_gates, transpose_a=True),
                tf.matmul(d_gates, input_kernel, transpose_b=True))

    return {
        **_direction_chains(recurrent_kernel, matrix(batch, units), time),
        "step": keras_step("lstm", "fused", size, "train", True),
        "step_compiled": _blocking(step_compiled, x),
        "forward_backward": _blocking(forward_backward, x),
        "forward": _blocking(forward, x),
        "input_projection": _blocking(input_projection, flat_x),
        "recurrent_forward": _blocking(recurrent_forward, matrix(batch, units)),
        "recurrent_backward": _blocking(recurrent_backward, matrix(batch, 4 * units)),
        "large_backward": _blocking(large_backward, gate_gradients),
        "adam": _blocking(adam, fixed_gradients),
        "keras_step": keras_step("lstm", "keras", size, "train", True),
    }


def _direction_chains(kernel, h0, time):
    """Steps of one chain of recurrent products and of two, as two loops or one (see above)."""
    import tensorflow as tf

    units = kernel.shape[0]

    def product(h):
        z = tf.matmul(h, kernel)
        return z[:, :units] + z[:, units:2 * units] + z[:, 2 * units:3 * units] + z[:, 3 * units:]

    def loop(*states):
        return tf.while_loop(lambda t, *hs: t < time,
                             lambda t, *hs: (t + 1, *[product(h) for h in hs]), (0, *states))[1:]

    def one(h):
        return loop(h)[0]

    def two_loops(h):
        return loop(h)[0] + loop(h + 1)[0]

    def one_loop(h):
        first, second = loop(h, h + 1)
        return first + second

    steps = {}
    for jit in (True, False):
        suffix = "" if jit else "_no_xla"
        for name, function in (("chain_one", one), ("chains_two_loops", two_loops),
                               ("chains_one_loop", one_loop)):
            steps[name + suffix] = _blocking(tf.function(function, jit_compile=jit), h0)
    return steps


def profile_step(size, rounds, calls, warmup):
    """``{part: median milliseconds}`` over interleaved rounds of every part."""
    steps = part_steps(size)
    for step in steps.values():
        for _ in range(warmup):
            step()
    samples = interleaved_rounds({name: local_timer(step) for name, step in steps.items()},
                                 rounds, calls)
    return {name: 1e3 * statistics.median(seconds) for name, seconds in samples.items()}


def profile_metrics(milliseconds, size):
    """Derived figures: the rest of each phase, shares of the step, the bound on the ratio."""
    batch, time, inputs, units = size
    ms = dict(milliseconds)
    ms["forward_rest"] = ms["forward"] - ms["input_projection"] - ms["recurrent_forward"]
    ms["backward"] = ms["forward_backward"] - ms["forward"]
    ms["backward_rest"] = ms["backward"] - ms["recurrent_backward"] - ms["large_backward"]
    ms["optimizer"] = ms["step_compiled"] - ms["forward_backward"]
    ms["per_call"] = ms["step"] - ms["step_compiled"]
    products = (ms["input_projection"] + ms["recurrent_forward"] + ms["recurrent_backward"]
                + ms["large_backward"])
    floor = products + ms["adam"] + max(ms["per_call"], 0.0)
    loop_flops = 2 * batch * units * 4 * units * time
    metrics = {f"profile_ms/{name}": value for name, value in ms.items()}
    metrics.update({
        "profile/recurrent_gflops": 2 * loop_flops / (ms["recurrent_forward"]
                                                     + ms["recurrent_backward"]) / 1e6,
        "profile/large_product_gflops": 2 * batch * time * 4 * units * (units + 2 * inputs)
        / ms["large_backward"] / 1e6,
        "profile/products_share": products / ms["step"],
        "profile/floor_ms": floor,
        "profile/keras_over_floor": ms["keras_step"] / floor,
        "profile/keras_over_step": ms["keras_step"] / ms["step"],
    })
    return metrics


def profile_table(metrics):
    """The profile as text: each part's milliseconds and share of the fused step."""
    ms = {key.split("/", 1)[1]: value for key, value in metrics.items()
          if key.startswith("profile_ms/")}
    step = ms["step"]
    rows = [
        ("forward: input projection (one product)", "input_projection"),
        ("forward: recurrent products (chain of T)", "recurrent_forward"),
        ("forward: gates and loop (rest)", "forward_rest"),
        ("backward: recurrent products (chain of T)", "recurrent_backward"),
        ("backward: products over all steps", "large_backward"),
        ("backward: gate gradients and loop (rest)", "backward_rest"),
        ("optimizer (Adam) in the compiled step", "optimizer"),
        ("per-call work (train_on_batch)", "per_call"),
    ]
    lines = [f"{'part of the fused LSTM training step':<46}{'ms':>8}{'share':>8}"]
    for label, key in rows:
        # A difference of two timings can come out below zero when the part is lost in noise.
        value = max(ms[key], 0.0)
        lines.append(f"{label:<46}{value:>8.2f}{100 * value / step:>7.0f}%")
    lines.append(f"{'the step (train_on_batch)':<46}{step:>8.2f}{100:>7.0f}%")
    lines.append(f"{'keras.layers.LSTM step, for comparison':<46}{ms['keras_step']:>8.2f}")
    lines.append(
        f"recurrent products run at {metrics['profile/recurrent_gflops']:.0f} GFLOP/s, the "
        f"products over all steps at {metrics['profile/large_product_gflops']:.0f}; products "
        f"are {100 * metrics['profile/products_share']:.0f}% of the step. Floor (products + "
        f"Adam + per-call work) {metrics['profile/floor_ms']:.2f} ms: Keras' step is "
        f"{metrics['profile/keras_over_floor']:.2f}x the floor, "
        f"{metrics['profile/keras_over_step']:.2f}x the fused step")
    lines.append(
        "recurrent chains (ms), a bidirectional layer's two directions: one chain "
        f"{ms['chain_one']:.2f}; two as two loops {ms['chains_two_loops']:.2f}, as one loop "
        f"{ms['chains_one_loop']:.2f} (XLA); without XLA: one {ms['chain_one_no_xla']:.2f}, "
        f"two loops {ms['chains_two_loops_no_xla']:.2f}, one loop "
        f"{ms['chains_one_loop_no_xla']:.2f}")
    return "\n".join(lines)

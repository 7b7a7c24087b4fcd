"""The cell benchmark: its smoke run through the runner, and the FLOP counter."""

import json
import pathlib

import pytest

from tfnotes.bench.cases import CASES, implementations, make_layer
from tfnotes.bench.flops import forward_flops, step_flops
from tfnotes.bench.remote import jax_available, tf1_available
from tfnotes.bench.rounds import interleaved_rounds, ratio_summary


def test_forward_flops_by_hand():
    # LSTM, B=2, T=3, D=4, U=5: [x, h] @ kernel is [2, 9] @ [9, 20] per step,
    # 2 * 2 * 9 * 20 = 720 FLOPs, times 3 steps.
    assert forward_flops("lstm", 2, 3, 4, 5) == 2160
    assert forward_flops("gru", 2, 3, 4, 5) == 2160 * 3 // 4
    assert forward_flops("rnn", 2, 3, 4, 5) == 2160 // 4
    assert step_flops("lstm", 2, 3, 4, 5, training=True) == 3 * 2160
    assert step_flops("lstm", 2, 3, 4, 5, training=False) == 2160
    # The default size: about 2.1 GFLOP forward, 6.3 GFLOP per training step.
    assert step_flops("lstm", 64, 50, 64, 256) == 3 * 2 * 64 * 50 * 4 * 256 * 320


def test_unknown_cell_kind():
    with pytest.raises(ValueError, match="unknown cell kind"):
        forward_flops("transformer", 1, 1, 1, 1)


@pytest.mark.slow
def test_smoke_run_writes_metrics(run_main, tmp_path):
    status, stdout, stderr = run_main(["cell_benchmark", "smoke=True", f"logdir={tmp_path}"])
    assert status == 0, stderr
    run_dir = pathlib.Path(stdout.strip().splitlines()[-1].removeprefix("run_dir: "))
    metrics = json.loads((run_dir / "metrics.json").read_text())
    size = "4x5x3x8"
    variants = ["tf_tfnotes_xla", "tf_fused_xla", "tf_keras_xla"]
    ratios = ["ratio_vs_keras", "ratio_vs_plain"]
    if jax_available():
        variants += ["jax_tfnotes", "jax_fused", "jax_keras"]
        ratios.append("ratio_vs_keras_jax")
    if tf1_available():
        variants.append("tf1")
        ratios.append("ratio_vs_tf1")
    expected = [f"tokens_per_second/train_lstm_{variant}/{size}" for variant in variants]
    expected += [f"{ratio}/lstm{end}" for ratio in ratios for end in ("", "/min", "/max")]
    expected += ["matmul_peak_gflops", "ratio_vs_keras_lstm", "load_average_start"]
    for key in expected:
        assert key in metrics, key
    assert all(metrics[key] > 0 for key in metrics if not key.startswith("load_average"))
    for ratio in ratios:  # one round: the median is the only ratio, so min = median = max
        assert metrics[f"{ratio}/lstm/min"] == metrics[f"{ratio}/lstm"] == metrics[
            f"{ratio}/lstm/max"]
    assert metrics["ratio_vs_keras_lstm"] == metrics["ratio_vs_keras/lstm"]
    assert "ratio_vs_keras" in stdout and "tokens/s" in stdout
    assert list((run_dir / "benchmark").glob("events.out.tfevents.*"))


def test_interleaved_rounds_time_every_variant_once_per_round_in_turn():
    order = []

    def timer(name, seconds):
        """A stand-in variant that records when it runs."""
        def time(calls):
            order.append(name)
            return seconds
        return time

    samples = interleaved_rounds({"a": timer("a", 2.0), "b": timer("b", 1.0)}, rounds=3,
                                 calls=2)
    assert order == ["a", "b"] * 3
    assert samples == {"a": [2.0] * 3, "b": [1.0] * 3}
    # b takes half a's seconds in every round: 2x its tokens/s.
    assert ratio_summary([1.0, 1.0, 2.0], [2.0, 3.0, 2.0]) == {
        "median": 2.0, "min": 1.0, "max": 3.0}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_case_builds_each_implementation_with_one_output_shape(case):
    import numpy as np

    shapes = set()
    for implementation in implementations(case):
        layer = make_layer(case, implementation, 6)
        shapes.add(tuple(layer(np.zeros((2, 3, 4), "float32")).shape))
    assert shapes == {(2, 3, 12 if case == "bilstm" else 6)}
    assert ("keras" in implementations(case)) == (case != "lstm_peepholes")


@pytest.mark.parametrize("key, value", [("sizes", "((1, 2),)"), ("cases", "lstm"),
                                        ("cases", "('transformer',)"), ("modes", "('fit',)")])
def test_bad_settings_are_a_usage_error(run_main, tmp_path, key, value):
    status, _, stderr = run_main(["cell_benchmark", f"{key}={value}", f"logdir={tmp_path}"])
    assert status == 2 and f"{key}=" in stderr and len(stderr.strip().splitlines()) == 1

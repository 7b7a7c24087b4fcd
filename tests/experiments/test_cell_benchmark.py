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


def test_profile_metrics_by_hand():
    from tfnotes.bench.step_profile import profile_metrics, profile_table

    # Size B=2, T=5, D=3, U=4; parts in milliseconds.
    parts = dict(step=20.0, step_compiled=16.0, forward_backward=15.0, forward=6.0,
                 input_projection=1.0, recurrent_forward=2.0, recurrent_backward=3.0,
                 large_backward=4.0, adam=0.5, keras_step=30.0, chain_one=2.0,
                 chains_two_loops=4.0, chains_one_loop=3.5, chain_one_no_xla=2.5,
                 chains_two_loops_no_xla=3.0, chains_one_loop_no_xla=3.2)
    metrics = profile_metrics(parts, (2, 5, 3, 4))
    assert metrics["profile_ms/forward_rest"] == 3.0  # 6 - 1 - 2
    assert metrics["profile_ms/backward"] == 9.0  # 15 - 6
    assert metrics["profile_ms/backward_rest"] == 2.0  # 9 - 3 - 4
    assert metrics["profile_ms/optimizer"] == 1.0 and metrics["profile_ms/per_call"] == 4.0
    assert metrics["profile/products_share"] == 10.0 / 20.0
    assert metrics["profile/floor_ms"] == 10.0 + 0.5 + 4.0
    assert metrics["profile/keras_over_floor"] == 30.0 / 14.5
    # 2 chains x T=5 products of 2*B*U*4U = 256 FLOPs, in 5 ms: 2560 FLOPs / 5e-3 s.
    assert metrics["profile/recurrent_gflops"] == pytest.approx(2560 / 5e-3 / 1e9)
    table = profile_table(metrics)
    assert "gates and loop (rest)" in table and "15%" in table  # 3 ms of 20


@pytest.mark.slow
def test_profile_run_times_every_part(run_main, tmp_path):
    status, stdout, stderr = run_main(["cell_benchmark", "smoke=True", "profile=True",
                                       "tf1=False", "jax=False", f"logdir={tmp_path}"])
    assert status == 0, stderr
    run_dir = pathlib.Path(stdout.strip().splitlines()[-1].removeprefix("run_dir: "))
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for part in ("step", "forward", "recurrent_forward", "large_backward", "keras_step",
                 "chains_one_loop_no_xla"):
        assert metrics[f"profile_ms/{part}"] > 0, part
    assert "part of the fused LSTM training step" in stdout

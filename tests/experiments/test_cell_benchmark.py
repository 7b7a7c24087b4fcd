"""The cell benchmark: its smoke run through the runner, and the FLOP counter."""

import json
import pathlib

import pytest

from tfnotes.bench.flops import forward_flops, step_flops
from tfnotes.bench.tf1 import tf1_available


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
    expected = [
        f"tokens_per_second/train_{variant}_xla/{size}"
        for variant in ("tfnotes_basic_lstm", "fused_basic_lstm", "keras_lstm")
    ] + ["matmul_peak_gflops", "ratio_vs_keras_lstm", "load_average_start"]
    if tf1_available():
        expected += [f"tokens_per_second/train_tf1_basic_lstm/{size}", "ratio_vs_tf1"]
    for key in expected:
        assert key in metrics, key
    assert all(metrics[key] > 0 for key in metrics if not key.startswith("load_average"))
    assert "ratio_vs_keras_lstm" in stdout and "tokens/s" in stdout
    assert list((run_dir / "benchmark").glob("events.out.tfevents.*"))


def test_bad_sizes_are_a_usage_error(run_main, tmp_path):
    status, _, stderr = run_main(["cell_benchmark", "sizes=((1, 2),)", f"logdir={tmp_path}"])
    assert status == 2 and "sizes=" in stderr

"""The cell comparison: one child run per cell and direction, a table, flat metrics."""

import json
import pathlib

import keras
import pytest

import tfnotes  # noqa: F401  (registers the layers load_model needs)


def test_smoke_run_trains_each_direction_and_writes_the_table(tmp_path, run_main):
    status, stdout, stderr = run_main(["slot_filling_cells", "smoke=True", f"logdir={tmp_path}"])
    assert status == 0, stderr
    run_dir = pathlib.Path(stdout.strip().splitlines()[-1].removeprefix("run_dir: "))
    table = (run_dir / "table.md").read_text().splitlines()
    assert [row.split("|")[1:3] for row in table[2:]] == [[" gru ", " uni "], [" gru ", " bi "]]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for direction in ("uni", "bi"):
        assert 0.0 <= metrics[f"gru_{direction}_slot_f1"] <= 1.0
        assert metrics[f"gru_{direction}_seconds_per_epoch_xla_off"] > 0
        child = run_dir / f"gru_{direction}"
        assert json.loads((child / "config.json").read_text())["bidirectional"] == (
            direction == "bi"
        )
        assert isinstance(keras.models.load_model(child / "model.keras"), keras.Model)
    assert (
        json.loads((run_dir / "gru_bi_xla_off" / "config.json").read_text())["jit_compile"] is False
    )


@pytest.mark.parametrize("cells", ["gru,transformer", ","])
def test_unknown_cell_is_a_one_line_usage_error(tmp_path, run_main, cells):
    status, _, stderr = run_main(["slot_filling_cells", f"cells={cells}", f"logdir={tmp_path}"])
    assert status == 2
    assert stderr.count("\n") == 1 and "cells=" in stderr and "elman" in stderr

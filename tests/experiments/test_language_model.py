"""The language model end to end: smoke runs, metrics, the saved model, sampling, bad input."""

from __future__ import annotations

import json
import math
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest

import tfnotes  # noqa: F401  (registers the cells load_model needs)

REPO = pathlib.Path(__file__).resolve().parents[2]
COMMON_KEYS = {"validation_loss", "test_loss", "seconds_per_epoch", "tokens_per_second"}


def run_dir_of(stdout: str) -> pathlib.Path:
    """The run directory the runner's last line names."""
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("run_dir: ")
    return pathlib.Path(last.removeprefix("run_dir: "))


def write_ptb_dir(root: pathlib.Path, train_lines=300, held_out_lines=40) -> pathlib.Path:
    """ptb.{train,valid,test}.txt of generated sentences, PTB's spacing (" w w \\n")."""
    rng = np.random.default_rng(0)
    words = ["the", "a", "cat", "dog", "sat", "ran", "on", "mat", "<unk>", "N"]

    def lines(count):
        """`count` lines of random words."""
        return "".join(
            " " + " ".join(rng.choice(words, size=rng.integers(3, 9))) + " \n"
            for _ in range(count)
        )

    root.mkdir(parents=True, exist_ok=True)
    (root / "ptb.train.txt").write_text(lines(train_lines))
    (root / "ptb.valid.txt").write_text(lines(held_out_lines))
    (root / "ptb.test.txt").write_text(lines(held_out_lines))
    return root


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory, run_main):
    """A smoke run on the bracket corpus (XLA on): (run directory, stdout)."""
    logdir = tmp_path_factory.mktemp("logs")
    status, stdout, stderr = run_main(["language_model", "smoke=True", f"logdir={logdir}"])
    assert status == 0, stderr
    return run_dir_of(stdout), stdout


@pytest.mark.slow
def test_the_smoke_run_writes_its_metrics(synthetic_run):
    run_dir, stdout = synthetic_run
    metrics = json.loads((run_dir / "metrics.json").read_text())
    keys = COMMON_KEYS | {"bits_per_char", "test_bits_per_char", "bracket_accuracy",
                          "ngram_bracket_accuracy"}
    assert keys <= set(metrics)
    assert all(math.isfinite(metrics[key]) for key in keys)
    assert metrics["bits_per_char"] == pytest.approx(metrics["validation_loss"] / math.log(2))
    assert 0 <= metrics["bracket_accuracy"] <= 1 and 0 <= metrics["ngram_bracket_accuracy"] < 0.6
    assert "data: synthetic brackets:" in stdout
    vocabulary = json.loads((run_dir / "vocabulary.json").read_text())
    assert vocabulary["level"] == "char" and ")" in vocabulary["tokens"]


@pytest.mark.slow
def test_tensorboard_has_the_scores_the_learning_rate_and_a_text_sample(synthetic_run):
    import tensorflow as tf

    run_dir, _ = synthetic_run

    def tags(split):
        """Every summary tag in the event files of run_dir/split."""
        found = set()
        for path in (run_dir / split).glob("events.out.tfevents.*"):
            for event in tf.compat.v1.train.summary_iterator(str(path)):
                found |= {value.tag for value in event.summary.value}
        return found

    assert {"epoch_loss", "epoch_bits_per_char", "epoch_learning_rate"} <= tags("train")
    assert {"epoch_loss", "epoch_bits_per_char", "epoch_bracket_accuracy", "sample"} <= tags(
        "validation"
    )


@pytest.mark.slow
def test_the_saved_model_reloads_and_predicts_like_the_run(synthetic_run):
    from tfnotes.language import reset_states

    run_dir, _ = synthetic_run
    model = keras.models.load_model(run_dir / "model.keras")
    assert model.get_layer("rnn").stateful
    batch_size, num_steps = model.input_shape
    ids = np.zeros((batch_size, num_steps), "int32")
    first = np.asarray(model.predict_on_batch(ids))
    reset_states(model)
    np.testing.assert_allclose(np.asarray(model.predict_on_batch(ids)), first, atol=1e-6)


@pytest.mark.slow
def test_the_generation_command_prints_a_seeded_sample(synthetic_run):
    run_dir, _ = synthetic_run
    command = [sys.executable, "-m", "experiments.language_model", str(run_dir), "(ab",
               "length=40", "temperature=0.8", "seed=3"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    sample = result.stdout[:-1]  # print's newline
    assert sample.startswith("(ab") and len(sample) == 43

    from experiments.language_model import generate

    assert generate(run_dir, "(ab", length=40, temperature=0.8, seed=3) == sample


def test_the_generation_command_refuses_bad_use(tmp_path, capsys):
    from experiments.language_model import main

    assert main([str(tmp_path)]) == 2
    assert main([str(tmp_path), "ROMEO:"]) == 2
    assert "has no model.keras" in capsys.readouterr().err
    assert main([str(tmp_path), "ROMEO:", "lenght=5"]) == 2
    assert "expected one of length, temperature, seed=VALUE" in capsys.readouterr().err


@pytest.mark.slow
def test_a_ptb_smoke_run_with_the_tutorials_small_config(tmp_path, run_main):
    data = write_ptb_dir(tmp_path / "data")
    status, stdout, stderr = run_main(
        ["language_model", "config=ptb_small", "smoke=True", f"data_dir={data}",
         f"logdir={tmp_path / 'logs'}", "jit_compile=False"]
    )
    assert status == 0, stderr
    run_dir = run_dir_of(stdout)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert COMMON_KEYS | {"perplexity", "test_perplexity"} <= set(metrics)
    assert metrics["perplexity"] == pytest.approx(math.exp(metrics["validation_loss"]), rel=1e-5)
    assert metrics["test_perplexity"] == pytest.approx(math.exp(metrics["test_loss"]), rel=1e-5)
    assert math.isfinite(metrics["test_perplexity"]) and "bits_per_char" not in metrics
    config = json.loads((run_dir / "config.json").read_text())
    chosen = (config["optimizer"], config["cost"], config["cell"])
    assert chosen == ("sgd", "window_sum", "basic_lstm")
    assert config["units"] == 24 and config["forget_bias"] == 0.0  # smoke wins over the preset


def refused(run_main, tmp_path, *args):
    """stderr of a run that must be refused in one line, status 2, leaving no run behind."""
    logdir = tmp_path / "logs"
    status, _, stderr = run_main(["language_model", *args, f"logdir={logdir}"])
    assert status == 2, stderr
    assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr
    assert not logdir.exists() or not any(logdir.rglob("*"))
    return stderr


def test_bad_input_is_one_line_and_leaves_no_run(run_main, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert f"{empty / 'input.txt'} does not exist" in refused(
        run_main, tmp_path, "data=text", f"data_dir={empty}"
    )
    (empty / "input.txt").write_text("\n")
    assert "input.txt: the file is empty" in refused(
        run_main, tmp_path, "data=text", f"data_dir={empty}"
    )
    ptb = write_ptb_dir(tmp_path / "ptb", train_lines=5, held_out_lines=2)
    (ptb / "ptb.valid.txt").unlink()
    assert "ptb.valid.txt does not exist" in refused(
        run_main, tmp_path, "data=ptb", f"data_dir={ptb}"
    )
    assert "data=text needs data_dir=" in refused(run_main, tmp_path, "data=text")
    assert "not data=synthetic" in refused(run_main, tmp_path, f"data_dir={empty}")
    assert "keep_prob=1.5 is out of range" in refused(run_main, tmp_path, "keep_prob=1.5")


def test_num_steps_longer_than_the_validation_text_is_one_line(run_main, tmp_path):
    folder = tmp_path / "text"
    folder.mkdir()
    (folder / "input.txt").write_text("to be or not to be\n" * 500)  # 9,500 characters
    stderr = refused(
        run_main, tmp_path, "data=text", f"data_dir={folder}", "num_steps=200", "batch_size=8"
    )
    assert "num_steps=200 with batch_size=8 needs at least 1608 tokens" in stderr
    assert "validation split, which has 950" in stderr


@pytest.mark.slow
def test_a_resumed_run_continues_with_the_next_epoch(run_main, tmp_path):
    args = ["language_model", "smoke=True", "epochs=1", "sample_length=0", f"logdir={tmp_path}"]
    status, stdout, stderr = run_main(args)
    assert status == 0, stderr
    run_dir = run_dir_of(stdout)
    status, stdout, stderr = run_main(["language_model", f"resume={run_dir}", "epochs=2"])
    assert status == 0, stderr
    assert "Epoch 2/2" in stdout and "Epoch 1/2" not in stdout
    assert json.loads((run_dir / "config.json").read_text())["epochs"] == 2
    assert math.isfinite(json.loads((run_dir / "metrics.json").read_text())["validation_loss"])


@pytest.mark.slow
def test_the_comparison_with_keras_layers_trains_both_at_equal_steps(tmp_path, run_main):
    status, stdout, stderr = run_main(["language_model_vs_keras", "smoke=True",
                                       f"logdir={tmp_path}"])
    assert status == 0, stderr
    run_dir = run_dir_of(stdout)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["tokens_per_second_ratio"] == pytest.approx(
        metrics["tfnotes_tokens_per_second"] / metrics["keras_tokens_per_second"])
    for name in ("tfnotes", "keras"):
        child = json.loads((run_dir / name / "config.json").read_text())
        assert child["rnn_layer"] == name and child["epochs"] == 2
        assert (run_dir / name / "model.keras").is_file()
    table = (run_dir / "table.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith("| 1 |")
            or line.startswith("| 2 |")]
    assert len(rows) == 2 and "-" not in rows[0].replace("| 1 |", "")
    assert "| keras |" in table and "| tfnotes |" in table

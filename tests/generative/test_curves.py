"""The GAN's training curves: per-epoch scores read back from TensorBoard, the picture, the CLI."""

from tfnotes.generative.curves import epoch_scores, main
from tfnotes.train import write_scalars
from tfnotes.train.run_directory import RunDirectory


def write_run(path, accuracies, fids):
    run_dir = RunDirectory(path)
    for step, (accuracy, fid) in enumerate(zip(accuracies, fids)):
        write_scalars(run_dir, "validation", {"label_accuracy": accuracy, "fid": fid}, step=step)


def test_epoch_scores_are_the_logged_values_numbered_from_epoch_1(tmp_path):
    write_run(tmp_path, [0.5, 0.9, 0.95], [40.0, 20.0, 10.0])
    assert epoch_scores(tmp_path, "fid") == {1: 40.0, 2: 20.0, 3: 10.0}
    scores = epoch_scores(tmp_path, "label_accuracy")
    assert list(scores) == [1, 2, 3] and abs(scores[2] - 0.9) < 1e-6


def test_main_draws_several_runs_into_one_png(tmp_path, capsys):
    for name, shift in (("a", 0.0), ("b", 0.01)):
        write_run(tmp_path / name, [0.9 + shift, 0.95 + shift], [30.0, 15.0 - shift])
    out = tmp_path / "curves.png"
    assert main([str(out), str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def test_main_refuses_a_folder_without_validation_logs_in_one_line(tmp_path, capsys):
    assert main([str(tmp_path / "out.png"), str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "no validation/" in error and str(tmp_path) in error
    assert not (tmp_path / "out.png").exists()


def test_main_wants_one_label_per_run_or_none(tmp_path, capsys):
    write_run(tmp_path / "a", [0.9, 0.95], [30.0, 15.0])
    out = tmp_path / "curves.png"
    assert main([str(out), str(tmp_path / "a"), "--label", "x", "--label", "y"]) == 2
    assert "2 --label for 1 runs" in capsys.readouterr().err and not out.exists()
    assert main([str(out), str(tmp_path / "a"), "--label", "seed 0"]) == 0 and out.is_file()


def test_main_refuses_a_bad_output_path_or_a_missing_run_in_one_line(tmp_path, capsys):
    write_run(tmp_path / "a", [0.9, 0.95], [30.0, 15.0])
    run = str(tmp_path / "a")
    for out, expected in (
        (tmp_path / "no_folder" / "c.png", "give a .png path"),
        (tmp_path / "c.txt", "give a .png path"),
    ):
        assert main([str(out), run]) == 2
        assert expected in capsys.readouterr().err
    assert main([str(tmp_path / "c.png"), str(tmp_path / "missing")]) == 2
    assert "no such run directory" in capsys.readouterr().err

"""policy_gradient and dqn end to end on their smoke configurations, and the play command."""

import json
import pathlib

import keras
import numpy as np
import pytest
from PIL import Image

pytest.importorskip("gymnasium")


def finished_run(stdout):
    return pathlib.Path(stdout.strip().splitlines()[-1].removeprefix("run_dir: "))


@pytest.mark.slow
@pytest.mark.parametrize("name, keys", [
    ("policy_gradient", []),
    ("policy_gradient", ["observe=positions", "cell=gru"]),
    ("dqn", ["double_dqn=True"]),
])
def test_a_run_writes_metrics_pictures_and_a_model_that_plays_again(run_main, tmp_path, name,
                                                                    keys):
    status, stdout, stderr = run_main([name, "smoke=True", f"logdir={tmp_path}", *keys])
    assert status == 0, stderr
    run_dir = finished_run(stdout)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for key in ("mean_return_last_100", "min_return_last_100", "episodes_to_solve",
                "env_steps", "seconds"):
        assert key in metrics, key
    assert metrics["mean_return_last_100"] >= metrics["min_return_last_100"] > 0
    assert metrics["episodes_to_solve"] == -1  # a smoke run solves nothing
    assert list((run_dir / "train").glob("events.out.tfevents.*"))
    assert list((run_dir / "validation").glob("events.out.tfevents.*"))
    gif = Image.open(run_dir / "episode.gif")
    assert gif.n_frames == 4  # gif_frames=4 in SMOKE
    model = keras.models.load_model(run_dir / "model.keras")
    assert model.name == ("q_network" if name == "dqn" else "policy")
    # The play command replays the kept model with the run's environment.
    status, stdout, stderr = run_main(["--play", str(run_dir), "--episodes", "3",
                                       "--gif", str(tmp_path / "play.gif")])
    assert status == 0, stderr
    lines = stdout.strip().splitlines()
    assert lines[0].startswith("episode 0 (seed 2000000): return ")  # the final episodes'
    returns = [float(line.rsplit(" ", 1)[-1]) for line in lines[:3]]
    assert lines[3] == f"mean return over 3 episodes: {np.mean(returns):.1f}"
    assert (tmp_path / "play.gif").is_file()


def test_play_refuses_a_directory_without_a_model(run_main, tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"env": "CartPole-v1"}))
    status, _, stderr = run_main(["--play", str(tmp_path)])
    assert status == 2 and stderr.strip().endswith("no model.keras (the run did not finish)")
    status, _, stderr = run_main(["--play", str(tmp_path / "none")])
    assert status == 2 and "not a run directory" in stderr
    assert len(stderr.strip().splitlines()) == 1
    (tmp_path / "config.json").write_text("{broken")
    status, _, stderr = run_main(["--play", str(tmp_path)])
    assert status == 2 and "config.json: not valid JSON" in stderr
    for arguments, message in ((["--seed", "-1"], "seeds are >= 0"),
                               (["--episodes", "abc"], "invalid int value: 'abc'"),
                               (["--gif", str(tmp_path / "none" / "a.gif")], "does not exist")):
        status, _, stderr = run_main(["--play", str(tmp_path), *arguments])
        assert status == 2 and message in stderr, stderr


def test_the_same_seed_trains_the_same_policy(run_main, tmp_path):
    figures = []
    for attempt in range(2):
        status, stdout, stderr = run_main(["policy_gradient", "smoke=True", "seed=3",
                                           f"logdir={tmp_path / str(attempt)}"])
        assert status == 0, stderr
        metrics = json.loads((finished_run(stdout) / "metrics.json").read_text())
        figures.append((metrics["mean_return_last_100"], metrics["env_steps"]))
    assert figures[0] == figures[1]

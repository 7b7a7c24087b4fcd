"""Plays a finished policy_gradient or dqn run: ``python -m experiments --play RUN_DIR``.

    make play RUN=tensorboard_logs/policy_gradient/RUN_ID EPISODES=10
    python -m experiments --play RUN_DIR --episodes 100 [--seed 0] [--gif out.gif]

(The runner's ``--play`` keeps TensorFlow's start-up lines off stderr and calls `main`.)

Loads ``RUN_DIR/model.keras`` and the environment named in ``RUN_DIR/config.json``,
plays greedy episodes (episode k resets with seed ``seed + k``; by default the
seeds of the run's own final episodes, so 100 episodes replay its
``mean_return_last_100``) and prints each return and their mean. A missing run
directory or model is one line, status 2.
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np

from tfnotes.errors import OneLineArgumentParser, UsageError


def load_run(run_dir: str):
    """`(model, config dict)` of a finished reinforcement-learning run."""
    path = pathlib.Path(run_dir)
    if not (path / "config.json").is_file():
        raise UsageError(f"{run_dir}: not a run directory (no config.json); give "
                         "tensorboard_logs/policy_gradient/RUN_ID or tensorboard_logs/dqn/RUN_ID")
    try:
        config = json.loads((path / "config.json").read_text())
    except ValueError as error:
        raise UsageError(f"{path / 'config.json'}: not valid JSON ({error})") from None
    if not isinstance(config, dict) or "env" not in config:
        raise UsageError(f"{run_dir}: not a policy_gradient or dqn run (its config has no env)")
    if not (path / "model.keras").is_file():
        raise UsageError(f"{run_dir}: no model.keras (the run did not finish)")
    import keras

    import tfnotes  # noqa: F401  (registers the cells a recurrent policy uses)

    return keras.models.load_model(path / "model.keras"), config


def greedy_act(model):
    """The greedy ``act(observation)`` of a loaded policy or Q network."""
    import tensorflow as tf

    from tfnotes.rl.policies import PolicyActor, greedy_policy, greedy_q

    if model.name == "q_network":
        return greedy_q(tf.function(lambda observations: model(observations)))
    return greedy_policy(PolicyActor(model, 1))


def main(argv=None) -> int:
    """Plays the run's policy and prints the returns; 2 on a usage error."""
    parser = OneLineArgumentParser(prog="python -m experiments --play",
                            description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=None,
                        help="episode k resets with seed SEED + k (default: the seeds of the "
                        "run's final episodes, so the run's mean_return_last_100 is replayed)")
    parser.add_argument("--gif", default="", help="also save the first episode as this GIF")
    try:
        arguments = parser.parse_args(argv)
        if arguments.episodes < 1:
            raise UsageError(f"--episodes {arguments.episodes}: play at least one episode")
        if arguments.seed is not None and arguments.seed < 0:
            raise UsageError(f"--seed {arguments.seed}: seeds are >= 0")
        if arguments.gif and not pathlib.Path(arguments.gif).resolve().parent.is_dir():
            raise UsageError(f"--gif {arguments.gif}: its folder does not exist")
        model, config = load_run(arguments.run_dir)
        from tfnotes.rl.environments import make_env
        from tfnotes.rl.episodes import play, save_gif
        from tfnotes.rl.evaluation import FINAL_SEEDS

        if arguments.seed is None:
            arguments.seed = FINAL_SEEDS + 1000 * int(config.get("seed", 0))
        env = make_env(config["env"], config.get("observe", "full"),
                       render_mode="rgb_array" if arguments.gif else None)
        returns, frames = play(greedy_act(model), env, arguments.episodes, arguments.seed,
                               render_frames=10_000 if arguments.gif else 0)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for episode, value in enumerate(returns):
        print(f"episode {episode} (seed {arguments.seed + episode}): return {value:.1f}")
    print(f"mean return over {len(returns)} episodes: {np.mean(returns):.1f}")
    if arguments.gif:
        save_gif(arguments.gif, frames)
        print(f"gif: {arguments.gif}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

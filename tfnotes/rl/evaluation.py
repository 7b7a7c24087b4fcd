"""Judging an agent while it learns and when it is done: greedy episodes, kept weights.

Evaluation episodes are seeded apart from training (``EVAL_SEEDS`` during training,
``FINAL_SEEDS`` for the final score), so the final score comes from episodes neither
the training nor the choice of weights has seen.
"""

from __future__ import annotations

import time

import numpy as np

from tfnotes.generative import write_image
from tfnotes.rl.episodes import frame_strip, play, save_gif
from tfnotes.train import write_scalars

EVAL_SEEDS = 1_000_000  # + 1000 * seed: the evaluations during training
FINAL_SEEDS = 2_000_000  # + 1000 * seed: the final episodes


def return_window(returns, window: int = 100) -> dict:
    """Mean, min and max episode return over the last `window` training episodes."""
    recent = np.asarray(returns[-window:], np.float64)
    return {"episode_return/mean": float(recent.mean()), "episode_return/min": float(
        recent.min()), "episode_return/max": float(recent.max())}


class GreedyEvaluation:
    """Plays the greedy agent now and then, keeps the best weights, scores them at the end.

    Args:
        model: the network whose weights are kept.
        env: an environment made with ``render_mode="rgb_array"``.
        config: the run's config (``seed``, ``eval_episodes``, ``final_episodes``,
            ``solved_return``).
        act: ``act(observation) -> action`` (``act(None)`` at each episode's start).
    """

    def __init__(self, model, env, config, act):
        self.model, self.env, self.config, self.act = model, env, config, act
        self.best, self.best_weights, self.last = -np.inf, None, float("nan")
        self.episodes_to_solve, self.env_steps_to_solve = -1, -1
        self.frames = []

    def evaluate(self, run_dir, step: int, episodes: int, env_steps: int) -> bool:
        """Plays `eval_episodes` greedy episodes, logs them; True once solved."""
        returns, _ = play(self.act, self.env, self.config.eval_episodes,
                          EVAL_SEEDS + 1000 * self.config.seed)
        self.last = float(returns.mean())
        write_scalars(run_dir, "validation", {"greedy_return/mean": self.last,
                                              "greedy_return/min": float(returns.min())},
                      step=step)
        if self.last >= self.best:
            self.best, self.best_weights = self.last, self.model.get_weights()
        solved = self.last >= self.config.solved_return
        if solved and self.episodes_to_solve < 0:
            self.episodes_to_solve, self.env_steps_to_solve = episodes, env_steps
        return solved

    def time_to_stop(self, solved: bool, start: float) -> bool:
        """True once solved (with ``stop_when_solved``) or past ``max_minutes`` since `start`."""
        late = time.perf_counter() - start > 60 * self.config.max_minutes
        return late or (solved and self.config.stop_when_solved)

    def finish(self, run_dir, model, start: float) -> dict:
        """Restores the best weights, saves the model, plays the final episodes: metrics."""
        if self.best_weights is not None:
            model.set_weights(self.best_weights)
        training_seconds = time.perf_counter() - start
        model.save(run_dir.model_path)
        returns, self.frames = play(self.act, self.env, self.config.final_episodes,
                                    FINAL_SEEDS + 1000 * self.config.seed,
                                    render_frames=self.config.gif_frames)
        print(f"the kept policy over {len(returns)} new episodes: mean return "
              f"{returns.mean():.1f} (min {returns.min():.0f}, max {returns.max():.0f}); "
              f"solved after {self.episodes_to_solve} training episodes", flush=True)
        return {"mean_return_last_100": float(returns.mean()),
                "min_return_last_100": float(returns.min()),
                "episodes_to_solve": float(self.episodes_to_solve),
                "env_steps_to_solve": float(self.env_steps_to_solve),
                "best_greedy_return": float(self.best),
                "training_seconds": training_seconds,
                "seconds": time.perf_counter() - start}


def log_final_episode(run_dir, evaluation: GreedyEvaluation, frames: int) -> None:
    """The first final episode as an image strip (TensorBoard) and ``episode.gif``."""
    if not frames or not evaluation.frames:
        return
    strip = frame_strip(evaluation.frames[:: max(1, len(evaluation.frames) // 8)][:8])
    write_image(run_dir, "images", "final_episode", strip, step=0)
    save_gif(run_dir.path / "episode.gif", evaluation.frames)

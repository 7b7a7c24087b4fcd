"""The settings both agents share: the environment, how they are judged, when they stop."""

import dataclasses
from typing import Annotated, Literal

from tfnotes.errors import UsageError
from tfnotes.rl.environments import check_environment_settings
from tfnotes.train import CommonConfig, NonNegativeInt, PositiveFloat, PositiveInt, Range


@dataclasses.dataclass
class AgentConfig(CommonConfig):
    """Environment and evaluation keys of `policy_gradient` and `dqn` (`METHOD` names which)."""

    METHOD = "agent"  # the experiment's name, for its error messages (not a field)

    env: str = "CartPole-v1"  # a gymnasium environment id with discrete actions
    observe: Literal["full", "positions"] = "full"  # positions: drop the velocities
    # the solved threshold; None: gymnasium's reward_threshold for env (CartPole-v1: 475)
    solved_return: Annotated[float | None, Range("(-inf, inf)")] = None
    eval_episodes: PositiveInt = 10  # greedy episodes per evaluation during training
    final_episodes: PositiveInt = 100  # greedy episodes that score the kept policy
    stop_when_solved: bool = True  # stop once an evaluation averages solved_return
    max_minutes: PositiveFloat = 10.0  # wall-clock cap on training
    gif_frames: NonNegativeInt = 60  # frames of the final episode drawn (0: none)

    # Common keys an agent does not read: a value given for one is refused, not ignored.
    UNUSED_KEYS = ("epochs", "data", "data_dir")

    def __post_init__(self):
        # Its UsageError reaches the user as one line (status 2) before the runner
        # makes a run directory.
        defaults = CommonConfig()
        for key in self.UNUSED_KEYS:
            if getattr(self, key) != getattr(defaults, key):
                raise UsageError(f"{self.METHOD} does not read {key}= (it plays episodes of "
                                 "env=; its own keys: python -m experiments "
                                 f"{self.METHOD} --help)")
        if any(int(width) != width or width < 1 for width in self.hidden):
            raise UsageError(f"hidden={self.hidden!r}: expected layer widths >= 1, e.g. (64, 64)")
        env = check_environment_settings(self, self.METHOD)
        if self.solved_return is None:
            threshold = env.spec.reward_threshold
            if threshold is None:
                raise UsageError(f"{self.env} has no reward threshold: set solved_return=")
            self.solved_return = float(threshold)

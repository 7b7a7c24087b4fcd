"""The settings both agents share: the environment, how they are judged, when they stop."""

import dataclasses
from typing import Annotated, Literal

from tfnotes.rl.environments import check_environment_settings
from tfnotes.train import CommonConfig, NonNegativeInt, PositiveFloat, PositiveInt, Range


@dataclasses.dataclass
class AgentConfig(CommonConfig):
    """Environment and evaluation keys of `policy_gradient` and `dqn` (`METHOD` names which)."""

    METHOD = "agent"  # the experiment's name, for its error messages (not a field)

    env: str = "CartPole-v1"  # a gymnasium environment id with discrete actions
    observe: Literal["full", "positions"] = "full"  # positions: drop the velocities
    # the environment's solved threshold (CartPole-v1: 475; Acrobot-v1: -100)
    solved_return: Annotated[float, Range("(-inf, inf)")] = 475.0
    eval_episodes: PositiveInt = 10  # greedy episodes per evaluation during training
    final_episodes: PositiveInt = 100  # greedy episodes that score the kept policy
    stop_when_solved: bool = True  # stop once an evaluation averages solved_return
    max_minutes: PositiveFloat = 10.0  # wall-clock cap on training
    gif_frames: NonNegativeInt = 60  # frames of the final episode drawn (0: none)

    def __post_init__(self):
        # Its UsageError reaches the user as one line (status 2) before the runner
        # makes a run directory.
        check_environment_settings(self, self.METHOD)

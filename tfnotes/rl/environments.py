"""Gymnasium environments: checked ids, seeded copies, and a partially observed variant.

``observe="positions"`` keeps the positions and angles of an observation and drops
the velocities (CartPole without velocities is the classic case where a policy needs
memory). A missing gymnasium, an unknown id or an action space a method cannot use is
a `UsageError` (one line, status 2).
"""

from __future__ import annotations

import numpy as np

from tfnotes.errors import UsageError

# Which observation entries are positions or angles (the rest are velocities).
POSITION_ENTRIES = {
    "CartPole-v1": (0, 2),  # cart position, pole angle (drops both velocities)
    "Acrobot-v1": (0, 1, 2, 3),  # cos and sin of both joint angles
    "LunarLander-v3": (0, 1, 4, 6, 7),  # x, y, angle, the two leg contacts
}
# The environments the experiments are tested on (classic control; LunarLander needs
# the Box2D package, a dependency of tfnotes).
TESTED = ("CartPole-v1", "Acrobot-v1", "LunarLander-v3")


def gymnasium():
    """The gymnasium module, or a UsageError saying how to install it."""
    try:
        import gymnasium as gym
    except ImportError as error:
        raise UsageError("gymnasium is not installed (needed by the reinforcement-learning "
                         "experiments): run `make install`, or `pip install "
                         f"'gymnasium[classic-control,box2d]'` ({error})") from None
    return gym


def available_ids() -> list[str]:
    """The ids of the registered environments that need no extra package (sorted)."""
    gym = gymnasium()
    return sorted(name for name in gym.registry if "/" not in name and ":" not in name
                  and not name.startswith(("ALE", "GymV", "Humanoid", "Ant", "Hopper", "Walker",
                                           "HalfCheetah", "Swimmer", "Reacher", "Pusher",
                                           "Inverted")))


def keep_entries(env, entries):
    """`env` with observations cut to `entries` (its observation space cut to match)."""
    gym = gymnasium()
    entries = list(entries)
    space = gym.spaces.Box(env.observation_space.low[entries],
                           env.observation_space.high[entries], dtype=np.float32)
    return gym.wrappers.TransformObservation(
        env, lambda observation: np.asarray(observation, np.float32)[entries], space)


def make_env(env_id: str, observe: str = "full", render_mode: str | None = None):
    """One environment of `env_id` (``observe``: ``full`` or ``positions``)."""
    gym = gymnasium()
    check_env_id(env_id, observe)
    try:
        env = gym.make(env_id, render_mode=render_mode)
    except gym.error.DependencyNotInstalled as error:
        raise UsageError(f"env={env_id} needs a package that is not installed: {error}") from None
    if observe == "positions":
        env = keep_entries(env, POSITION_ENTRIES[env_id])
    return env


def make_vector_env(env_id: str, count: int, observe: str = "full"):
    """`count` copies of the environment stepped together (gymnasium's SyncVectorEnv)."""
    gym = gymnasium()
    return gym.vector.SyncVectorEnv([lambda: make_env(env_id, observe) for _ in range(count)])


def check_env_id(env_id: str, observe: str = "full") -> None:
    """UsageError for an unregistered id, or ``observe=positions`` on an unknown layout."""
    gym = gymnasium()
    if env_id not in gym.registry:
        raise UsageError(f"env={env_id!r} is not a gymnasium environment; available: "
                         + ", ".join(available_ids()))
    if observe == "positions" and env_id not in POSITION_ENTRIES:
        raise UsageError(f"observe=positions: which entries of {env_id}'s observation are "
                         "positions is not known; it is for "
                         + ", ".join(sorted(POSITION_ENTRIES)))


def discrete_action_count(space, env_id: str, method: str) -> int:
    """The number of actions of a discrete action `space`; UsageError for any other space."""
    gym = gymnasium()
    if not isinstance(space, gym.spaces.Discrete):
        raise UsageError(f"{method} needs a discrete action space (one of N actions); "
                         f"{env_id} has {space}: use an environment with discrete "
                         "actions, e.g. CartPole-v1, Acrobot-v1, LunarLander-v3")
    return int(space.n)


def check_environment_settings(config, method: str):
    """UsageError for a config whose environment or options `method` cannot use.

    Checks that gymnasium is installed, the id, ``observe`` and the action space (it
    makes the environment once), and refuses ``resume=``: an agent's run keeps no
    per-epoch checkpoint to continue from. Returns the (closed) environment.
    """
    if config.resume:
        raise UsageError("resume= is not supported by the reinforcement-learning experiments "
                         "(they keep no per-epoch checkpoint): start a new run")
    env = make_env(config.env, config.observe)
    discrete_action_count(env.action_space, config.env, method)
    space = env.observation_space
    if not isinstance(space, gymnasium().spaces.Box) or len(space.shape) != 1:
        raise UsageError(f"{method} reads observations that are vectors of numbers; "
                         f"{config.env}'s are {space}: use e.g. CartPole-v1, Acrobot-v1, "
                         "LunarLander-v3")
    env.close()
    return env

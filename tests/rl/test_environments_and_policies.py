"""Environments (ids, hidden velocities, action spaces) and the policy networks."""

import keras
import numpy as np
import pytest

from tfnotes.errors import UsageError
from tfnotes.rl.environments import discrete_action_count, make_env, make_vector_env
from tfnotes.rl.episodes import frame_strip, play
from tfnotes.rl.policies import PolicyActor, build_policy, build_q_network, greedy_policy

pytest.importorskip("gymnasium")


def test_an_unknown_id_lists_the_available_ones():
    with pytest.raises(UsageError, match="env='CartPol-v1' is not a gymnasium environment; "
                                         "available: .*CartPole-v1"):
        make_env("CartPol-v1")


def test_positions_drop_the_velocities():
    full, positions = make_env("CartPole-v1"), make_env("CartPole-v1", "positions")
    state, _ = full.reset(seed=3)
    seen, _ = positions.reset(seed=3)
    assert positions.observation_space.shape == (2,)
    np.testing.assert_allclose(seen, state[[0, 2]])
    with pytest.raises(UsageError, match="observe=positions"):
        make_env("MountainCar-v0", "positions")


def test_continuous_actions_are_refused_by_name():
    env = make_env("Pendulum-v1")
    with pytest.raises(UsageError, match="dqn needs a discrete action space.*Pendulum-v1"):
        discrete_action_count(env.action_space, "Pendulum-v1", "dqn")
    assert discrete_action_count(make_env("Acrobot-v1").action_space, "Acrobot-v1", "dqn") == 3


@pytest.mark.parametrize("cell", ["", "lstm", "gru"])
def test_the_actor_step_by_step_equals_the_model_over_the_episode(cell):
    keras.utils.set_random_seed(0)
    model = build_policy(2, 3, hidden=(8,), cell=cell, units=5)
    episode = np.random.default_rng(0).standard_normal((4, 6, 2)).astype(np.float32)
    logits, value = model(episode)
    assert value.shape == (4, 6, 1)
    actor = PolicyActor(model, 4, jit_compile=False)
    steps = np.stack([actor.logits(episode[:, t]) for t in range(6)], axis=1)
    np.testing.assert_allclose(steps, keras.ops.convert_to_numpy(logits), atol=1e-5)
    if cell:  # the state is carried: a reset actor gives the first step again
        actor.reset()
        np.testing.assert_allclose(actor.logits(episode[:, 0]), steps[:, 0], atol=1e-6)


def test_play_is_seeded_and_the_strip_has_every_frame():
    keras.utils.set_random_seed(0)
    model = build_policy(4, 2, hidden=(4,))
    act = greedy_policy(PolicyActor(model, 1, jit_compile=False))
    env = make_env("CartPole-v1", render_mode="rgb_array")
    first, frames = play(act, env, 3, seed=5, render_frames=4)
    again, _ = play(act, env, 3, seed=5)
    np.testing.assert_array_equal(first, again)
    assert len(frames) == 4 and frames[0].shape[-1] == 3
    strip = frame_strip(frames, height=30)
    assert strip.shape[0] == 30 and strip.shape[-1] == 3 and 0.0 <= strip.min() <= strip.max() <= 1


def test_the_q_network_and_vector_env_shapes():
    q = build_q_network(4, 2, hidden=(8,))
    assert q(np.zeros((5, 4), np.float32)).shape == (5, 2)
    envs = make_vector_env("CartPole-v1", 3, "positions")
    observations, _ = envs.reset(seed=0)
    assert observations.shape == (3, 2)


def test_a_missing_gymnasium_is_one_line_saying_how_to_install_it(monkeypatch):
    import sys

    from tfnotes.rl.environments import gymnasium

    monkeypatch.setitem(sys.modules, "gymnasium", None)  # `import gymnasium` now fails
    with pytest.raises(UsageError, match="gymnasium is not installed.*make install"):
        gymnasium()

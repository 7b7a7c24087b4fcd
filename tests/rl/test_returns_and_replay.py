"""Rewards-to-go by hand, and the replay buffer's ring and sampling."""

import numpy as np

from tfnotes.rl.replay import ReplayBuffer
from tfnotes.rl.returns import rewards_to_go


def test_rewards_to_go_by_hand():
    # G_2 = 3; G_1 = 2 + 0.5 * 3 = 3.5; G_0 = 1 + 0.5 * 3.5 = 2.75
    np.testing.assert_allclose(rewards_to_go([1.0, 2.0, 3.0], 0.5), [2.75, 3.5, 3.0])
    np.testing.assert_allclose(rewards_to_go([1.0] * 4, 1.0), [4.0, 3.0, 2.0, 1.0])
    assert rewards_to_go([], 0.9).shape == (0,)


def test_replay_buffer_overwrites_the_oldest_and_samples_what_it_holds():
    buffer = ReplayBuffer(capacity=3, observation_size=2, seed=0)
    for step in range(5):  # 0 and 1 are overwritten by 3 and 4
        buffer.add([[step, step]], [step % 2], [float(step)], [[step + 1, step + 1]],
                   [float(step == 4)])
    assert buffer.size == 3 and sorted(buffer.rewards) == [2.0, 3.0, 4.0]
    observations, actions, rewards, next_observations, dones = buffer.sample(4, 5)
    assert observations.shape == (4, 5, 2) and actions.shape == (4, 5)
    assert set(rewards.ravel()) <= {2.0, 3.0, 4.0}
    np.testing.assert_array_equal(next_observations[..., 0], observations[..., 0] + 1)
    np.testing.assert_array_equal(dones, rewards == 4.0)
    np.testing.assert_array_equal(actions, rewards.astype(int) % 2)

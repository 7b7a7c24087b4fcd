"""DQN's replay buffer: the last `capacity` transitions, sampled uniformly."""

import numpy as np


class ReplayBuffer:
    """A ring buffer of transitions ``(observation, action, reward, next_observation, done)``.

    Args:
        capacity: transitions kept; the oldest is overwritten first.
        observation_size: length of an observation vector.
        seed: seeds the sampling.

    ``done`` is 1 only where the episode terminated (the pole fell): a time-limit
    truncation is not an end the value should learn, so its next state is bootstrapped.
    """

    def __init__(self, capacity: int, observation_size: int, seed: int = 0):
        self.capacity, self.size, self.position = capacity, 0, 0
        self.observations = np.zeros((capacity, observation_size), np.float32)
        self.next_observations = np.zeros((capacity, observation_size), np.float32)
        self.actions = np.zeros(capacity, np.int32)
        self.rewards = np.zeros(capacity, np.float32)
        self.dones = np.zeros(capacity, np.float32)
        self.rng = np.random.default_rng(seed)

    def add(self, observations, actions, rewards, next_observations, dones):
        """Adds a batch of transitions (one per environment)."""
        for row in range(len(actions)):
            index = self.position
            self.observations[index] = observations[row]
            self.actions[index] = actions[row]
            self.rewards[index] = rewards[row]
            self.next_observations[index] = next_observations[row]
            self.dones[index] = dones[row]
            self.position = (self.position + 1) % self.capacity
            self.size = min(self.size + 1, self.capacity)

    def sample(self, batches: int, batch_size: int):
        """`batches` minibatches at once: arrays shaped `[batches, batch_size, ...]`."""
        index = self.rng.integers(0, self.size, size=(batches, batch_size))
        return (self.observations[index], self.actions[index], self.rewards[index],
                self.next_observations[index], self.dones[index])

"""Rewards-to-go: the return that follows each step, the policy gradient's weight."""

import numpy as np


def rewards_to_go(rewards, gamma: float) -> np.ndarray:
    """``G_t = r_t + gamma * G_{t+1}`` over one episode's `rewards` (the last: ``r_T``).

    The notes weight every log-probability by the reward of the whole trajectory; the
    reward-to-go keeps only what comes after the action (what came before cannot depend
    on it), which has the same expectation and less variance.
    """
    rewards = np.asarray(rewards, np.float64)
    returns = np.zeros_like(rewards)
    following = 0.0
    for step in range(len(rewards) - 1, -1, -1):
        following = rewards[step] + gamma * following
        returns[step] = following
    return returns.astype(np.float32)

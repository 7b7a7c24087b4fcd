"""Deep Q-learning (DQN): replay buffer, target network, epsilon-greedy, Huber loss.

The notes' Q-learning: learn the value ``Q(s, a)`` of each action and act by
``a = argmax_a Q(s, a)``. The network is trained towards
``r + gamma * max_a' Q_target(s', a')`` on transitions drawn from a replay buffer,
the target network a copy of the online one refreshed every `target_update_every`
environment steps; ``double_dqn=True`` picks ``a'`` with the online network and
values it with the target one (van Hasselt et al. 2016). Exploration is
epsilon-greedy, epsilon falling linearly from 1 to `final_epsilon` over the first
`exploration_fraction` of the steps. Every `train_every` environment steps, one
XLA-compiled call takes `gradient_steps` Adam steps on as many sampled minibatches.

Every `eval_every` environment steps the greedy policy plays `eval_episodes`
episodes; the best weights are kept, and training stops once they average
`solved_return` (with ``stop_when_solved``), after `total_steps`, or after
`max_minutes`. metrics.json: ``mean_return_last_100`` (the kept network's mean
return over `final_episodes` new greedy episodes), ``min_return_last_100``,
``episodes_to_solve``, ``env_steps``, ``seconds`` (as `policy_gradient`).
TensorBoard: episode return mean/min/max over the last 100 training episodes, the
loss, epsilon and the mean Q (``train/``), the greedy returns (``validation/``), a
strip of the final episode (``images/``), ``episode.gif``.

Run it, then play the saved network:

    make experiment NAME=dqn                                  # CartPole-v1
    make experiment NAME=dqn ARGS="double_dqn=True seed=1"
    make play RUN=tensorboard_logs/dqn/RUN_ID EPISODES=100
"""

import dataclasses
import time
from typing import Annotated

import keras
import numpy as np

from tfnotes.errors import UsageError
from tfnotes.rl.config import AgentConfig
from tfnotes.rl.environments import discrete_action_count, make_env
from tfnotes.rl.evaluation import GreedyEvaluation, log_final_episode, return_window
from tfnotes.rl.policies import build_q_network, greedy_q
from tfnotes.rl.replay import ReplayBuffer
from tfnotes.train import Fraction, NonNegativeInt, PositiveFloat, PositiveInt, Range, write_scalars

STRATEGIES = ("none",)
STRATEGY_NOTE = "its replay buffer and environment live in one process on one device"


@dataclasses.dataclass
class Config(AgentConfig):
    """DQN settings (defaults: RL Baselines3 Zoo's CartPole-v1 DQN), besides `AgentConfig`'s."""

    METHOD = "dqn"

    hidden: tuple = (256, 256)  # ReLU layers of the Q network
    total_steps: PositiveInt = 50_000  # environment steps at most
    buffer_size: PositiveInt = 100_000  # transitions the replay buffer keeps
    learning_starts: NonNegativeInt = 1_000  # environment steps before the first update
    batch_size: PositiveInt = 64  # transitions per minibatch
    gamma: Annotated[float, Range("(0, 1]")] = 0.99  # discount
    learning_rate: PositiveFloat = 2.3e-3  # Adam
    train_every: PositiveInt = 256  # environment steps between training calls
    gradient_steps: PositiveInt = 128  # Adam steps per training call
    target_update_every: PositiveInt = 10  # environment steps between target refreshes
    exploration_fraction: Fraction = 0.16  # share of total_steps over which epsilon falls
    final_epsilon: Fraction = 0.04  # epsilon after the fall
    double_dqn: bool = False  # Double DQN's target
    huber_delta: PositiveFloat = 1.0  # the Huber loss's switch from squared to linear
    # the gradients' global norm is clipped to this (Stable-Baselines3's max_grad_norm)
    global_clipnorm: PositiveFloat = 10.0
    eval_every: PositiveInt = 2_500  # environment steps between greedy evaluations

    def __post_init__(self):
        if self.clipnorm is not None:
            raise UsageError("dqn clips the gradients' global norm: set global_clipnorm=, "
                             "not clipnorm=")
        super().__post_init__()


# The configuration `smoke=True` applies (seconds, for tests).
SMOKE = dict(total_steps=300, learning_starts=50, train_every=50, gradient_steps=4,
             batch_size=8, hidden=(16,), eval_every=150, eval_episodes=2, final_episodes=3,
             buffer_size=500, gif_frames=4)


def epsilon_at(step, config):
    """The exploration rate after `step` environment steps (linear fall, then flat)."""
    fall = max(1.0, config.exploration_fraction * config.total_steps)
    return max(config.final_epsilon, 1.0 - (1.0 - config.final_epsilon) * step / fall)


def make_training(online, target, optimizer, config):
    """The compiled training call: `gradient_steps` Adam steps on `[G, B, ...]` minibatches."""
    import tensorflow as tf

    huber = keras.losses.Huber(delta=config.huber_delta, reduction="sum_over_batch_size")

    def one_step(observations, actions, rewards, next_observations, dones):
        next_target = target(next_observations)
        if config.double_dqn:
            best = tf.argmax(online(next_observations), axis=-1, output_type=tf.int32)
            next_value = tf.gather(next_target, best, batch_dims=1)
        else:
            next_value = tf.reduce_max(next_target, axis=-1)
        goal = tf.stop_gradient(rewards + config.gamma * (1.0 - dones) * next_value)
        with tf.GradientTape() as tape:
            chosen = tf.gather(online(observations, training=True), actions, batch_dims=1)
            loss = huber(goal, chosen)
        variables = online.trainable_variables
        optimizer.apply(tape.gradient(loss, variables), variables)
        return loss, tf.reduce_mean(chosen)

    def train(observations, actions, rewards, next_observations, dones):
        loss_sum, q_sum = tf.constant(0.0), tf.constant(0.0)
        for index in tf.range(tf.shape(actions)[0]):
            loss, q = one_step(observations[index], actions[index], rewards[index],
                               next_observations[index], dones[index])
            loss_sum, q_sum = loss_sum + loss, q_sum + q
        count = tf.cast(tf.shape(actions)[0], tf.float32)
        return loss_sum / count, q_sum / count

    return tf.function(train, jit_compile=config.jit_compile)


def run(config, run_dir):
    """Trains the Q network, keeps the best greedy weights, plays the final episodes."""
    import tensorflow as tf

    start = time.perf_counter()
    env = make_env(config.env, config.observe)
    eval_env = make_env(config.env, config.observe, render_mode="rgb_array")
    actions = discrete_action_count(env.action_space, config.env, "dqn")
    size = env.observation_space.shape[0]
    online = build_q_network(size, actions, config.hidden)
    target = build_q_network(size, actions, config.hidden)
    target.set_weights(online.get_weights())
    optimizer = keras.optimizers.Adam(config.learning_rate, global_clipnorm=config.global_clipnorm)
    optimizer.build(online.trainable_variables)
    train = make_training(online, target, optimizer, config)
    q_values = tf.function(lambda observations: online(observations),
                           jit_compile=config.jit_compile)
    evaluation = GreedyEvaluation(online, eval_env, config, greedy_q(q_values))
    buffer = ReplayBuffer(config.buffer_size, size, seed=config.seed)
    rng = np.random.default_rng(config.seed)
    observation, _ = env.reset(seed=config.seed)
    returns, episode_return, step = [], 0.0, 0
    for step in range(1, config.total_steps + 1):
        epsilon = epsilon_at(step, config)
        if rng.random() < epsilon:
            action = int(rng.integers(actions))
        else:
            action = int(np.argmax(keras.ops.convert_to_numpy(q_values(observation[None]))[0]))
        next_observation, reward, terminated, truncated, _ = env.step(action)
        buffer.add([observation], [action], [reward], [next_observation], [float(terminated)])
        episode_return += float(reward)
        observation = next_observation
        if terminated or truncated:
            returns.append(episode_return)
            episode_return = 0.0
            observation, _ = env.reset()
        if step % config.target_update_every == 0:
            target.set_weights(online.get_weights())
        if step >= config.learning_starts and step % config.train_every == 0:
            loss, mean_q = train(*buffer.sample(config.gradient_steps, config.batch_size))
            scalars = {"loss": float(loss), "mean_q": float(mean_q), "epsilon": epsilon}
            if returns:
                scalars.update(return_window(returns))
            write_scalars(run_dir, "train", scalars, step=step)
        if step % config.eval_every == 0 or step == config.total_steps:
            solved = evaluation.evaluate(run_dir, step, len(returns), step)
            recent = return_window(returns)["episode_return/mean"] if returns else 0.0
            print(f"step {step}: mean training return (last 100) {recent:.1f}, greedy "
                  f"{evaluation.last:.1f}, epsilon {epsilon:.2f}", flush=True)
            if evaluation.time_to_stop(solved, start):
                break
    metrics = evaluation.finish(run_dir, online, start)
    metrics.update(env_steps=float(step), training_episodes=float(len(returns)))
    log_final_episode(run_dir, evaluation, config.gif_frames)
    return metrics

"""Policy gradient: REINFORCE with rewards-to-go, a learned baseline and an entropy bonus.

The notes' derivation: move the policy's parameters along the gradient of the expected
reward, estimated from N sampled episodes with the log-derivative trick,
``grad E[R] ~ 1/N sum_n sum_t A_t grad log pi(a_t | s_t)``. Each update plays
`episodes_per_update` episodes in as many gymnasium environments stepped together,
weights each log-probability by its advantage (the reward-to-go minus the learned
baseline ``V(s_t)``, normalised over the batch), adds an entropy bonus, and takes one
XLA-compiled Adam step on the padded episodes. ``cell=lstm`` (any `tfnotes.cells`
cell) makes the policy recurrent; ``observe=positions`` hides the velocities.

Every `eval_every` updates the greedy policy plays `eval_episodes` episodes; the best
weights are kept, and training stops once they average `solved_return` (with
``stop_when_solved``) or after `max_minutes`. The kept policy then plays
`final_episodes` fresh episodes: metrics.json has ``mean_return_last_100`` (their
mean), ``min_return_last_100``, ``episodes_to_solve`` (training episodes played when
the greedy policy first averaged `solved_return`; -1 if never), ``env_steps``,
``updates``, ``seconds``. TensorBoard: episode return mean/min/max over the last 100
training episodes, the losses and entropy (``train/``), the greedy returns
(``validation/``), a strip of the final policy's episode (``images/``), and
``episode.gif`` in the run directory.

Run it, then play the saved policy:

    make experiment NAME=policy_gradient                          # CartPole-v1
    make experiment NAME=policy_gradient ARGS="config=cartpole_positions cell=lstm"
    make play RUN=tensorboard_logs/policy_gradient/RUN_ID EPISODES=100
"""

import dataclasses
import time
from typing import Annotated, Literal

import keras
import numpy as np

from tfnotes.cells import CELL_NAMES
from tfnotes.rl.config import AgentConfig
from tfnotes.rl.environments import discrete_action_count, make_env, make_vector_env
from tfnotes.rl.evaluation import GreedyEvaluation, log_final_episode, return_window
from tfnotes.rl.policies import PolicyActor, build_policy, greedy_policy
from tfnotes.rl.returns import rewards_to_go
from tfnotes.train import NonNegativeFloat, PositiveFloat, PositiveInt, Range, write_scalars

STRATEGIES = ("none",)
STRATEGY_NOTE = "its episodes are played and learned from on one device"


@dataclasses.dataclass
class Config(AgentConfig):
    """REINFORCE settings, besides the environment and evaluation keys of `AgentConfig`."""

    METHOD = "policy_gradient"
    UNUSED_KEYS = (*AgentConfig.UNUSED_KEYS, "batch_size")  # episodes_per_update is its batch

    cell: Literal[("", *CELL_NAMES)] = ""  # "": feed-forward policy; else a recurrent one
    units: PositiveInt = 64  # units of the recurrent cell
    hidden: tuple = (64, 64)  # tanh layers of the policy head and of the baseline head
    episodes_per_update: PositiveInt = 16  # N: episodes sampled per gradient step
    updates: PositiveInt = 400  # at most this many updates
    gamma: Annotated[float, Range("(0, 1]")] = 0.99  # discount of the reward-to-go
    learning_rate: PositiveFloat = 3e-3  # Adam
    value_weight: NonNegativeFloat = 0.5  # weight of the baseline's squared error
    entropy_weight: NonNegativeFloat = 0.01  # weight of the entropy bonus
    eval_every: PositiveInt = 5  # updates between greedy evaluations


# The configuration `smoke=True` applies (seconds, for tests).
SMOKE = dict(episodes_per_update=4, updates=3, eval_every=2, eval_episodes=2, final_episodes=3,
             hidden=(16,), units=8, gif_frames=4)


def collect(envs, actor, rng, max_steps):
    """One episode from each environment: padded `[N, T]` arrays and the episode returns."""
    count = envs.num_envs
    observations, _ = envs.reset()
    actor.reset()
    size = observations.shape[-1]
    seen = np.zeros((count, max_steps, size), np.float32)
    actions = np.zeros((count, max_steps), np.int32)
    rewards = np.zeros((count, max_steps), np.float32)
    lengths = np.zeros(count, np.int64)
    running = np.ones(count, bool)
    for step in range(max_steps):
        logits = actor.logits(observations)
        probabilities = np.exp(logits - logits.max(axis=-1, keepdims=True))
        probabilities /= probabilities.sum(axis=-1, keepdims=True)
        chosen = (rng.random((count, 1)) > np.cumsum(probabilities, axis=-1)).sum(axis=-1)
        chosen = np.minimum(chosen, logits.shape[-1] - 1)
        seen[running, step] = observations[running]
        actions[running, step] = chosen[running]
        observations, reward, terminated, truncated, _ = envs.step(chosen)
        rewards[running, step] = reward[running]
        lengths[running] += 1
        running &= ~(terminated | truncated)
        if not running.any():
            break
    return seen, actions, rewards, lengths


def batch_arrays(rewards, lengths, gamma):
    """Rewards-to-go and the mask of real steps for padded episodes."""
    to_go = np.zeros_like(rewards)
    mask = np.zeros_like(rewards)
    for row, length in enumerate(lengths):
        to_go[row, :length] = rewards_to_go(rewards[row, :length], gamma)
        mask[row, :length] = 1.0
    return to_go, mask


def make_update(model, optimizer, config):
    """The compiled REINFORCE step: ``update(observations, actions, to_go, mask) -> stats``."""
    import tensorflow as tf

    # The baseline learns rewards-to-go times (1 - gamma), of order 1 whatever the horizon,
    # so that its squared error does not swamp the policy's loss in a shared memory layer.
    value_scale = 1.0 - config.gamma if config.gamma < 1 else 1.0 / 100.0

    def update(observations, actions, to_go, mask):
        count = tf.reduce_sum(mask)

        def masked_mean(values):
            return tf.reduce_sum(values * mask) / count

        with tf.GradientTape() as tape:
            logits, value = model(observations, training=True)
            value = value[..., 0]
            log_probabilities = tf.nn.log_softmax(logits)
            chosen = tf.gather(log_probabilities, actions, batch_dims=2)
            advantage = to_go * value_scale - tf.stop_gradient(value)
            centred = advantage - masked_mean(advantage)
            advantage = centred / (tf.sqrt(masked_mean(tf.square(centred))) + 1e-8)
            policy_loss = -masked_mean(chosen * advantage)
            value_loss = masked_mean(tf.square(value - to_go * value_scale))
            entropy = masked_mean(-tf.reduce_sum(tf.exp(log_probabilities) * log_probabilities,
                                                 axis=-1))
            loss = (policy_loss + config.value_weight * value_loss
                    - config.entropy_weight * entropy)
        variables = model.trainable_variables
        optimizer.apply(tape.gradient(loss, variables), variables)
        return {"loss": loss, "policy_loss": policy_loss, "value_loss": value_loss,
                "entropy": entropy}

    return tf.function(update, jit_compile=config.jit_compile)


def run(config, run_dir):
    """Trains the policy, keeps the best greedy weights, plays the final episodes."""
    start = time.perf_counter()
    envs = make_vector_env(config.env, config.episodes_per_update, config.observe)
    # Environment k of seed s starts from seed s * N + k: no two runs share a stream.
    envs.reset(seed=config.seed * config.episodes_per_update)
    eval_env = make_env(config.env, config.observe, render_mode="rgb_array")
    actions = discrete_action_count(envs.single_action_space, config.env, "policy_gradient")
    max_steps = eval_env.spec.max_episode_steps or 1000
    model = build_policy(envs.single_observation_space.shape[0], actions, config.hidden,
                         config.cell, config.units)
    optimizer = keras.optimizers.Adam(config.learning_rate, clipnorm=config.clipnorm)
    optimizer.build(model.trainable_variables)
    update = make_update(model, optimizer, config)
    actor = PolicyActor(model, config.episodes_per_update, config.jit_compile)
    evaluation = GreedyEvaluation(model, eval_env, config,
                                  greedy_policy(PolicyActor(model, 1, config.jit_compile)))
    rng = np.random.default_rng(config.seed)
    returns, env_steps, episodes = [], 0, 0
    for number in range(1, config.updates + 1):
        seen, chosen, rewards, lengths = collect(envs, actor, rng, max_steps)
        to_go, mask = batch_arrays(rewards, lengths, config.gamma)
        stats = update(seen, chosen, to_go, mask)
        returns += list(rewards.sum(axis=1))
        env_steps, episodes = env_steps + int(lengths.sum()), episodes + len(lengths)
        scalars = {key: float(value) for key, value in stats.items()}
        write_scalars(run_dir, "train", {**scalars, **return_window(returns),
                                         "env_steps": env_steps}, step=number)
        if number % config.eval_every == 0 or number == config.updates:
            solved = evaluation.evaluate(run_dir, number, episodes, env_steps)
            print(f"update {number}: mean training return (last 100) "
                  f"{return_window(returns)['episode_return/mean']:.1f}, greedy "
                  f"{evaluation.last:.1f}, {env_steps} env steps", flush=True)
            if evaluation.time_to_stop(solved, start):
                break
    metrics = evaluation.finish(run_dir, model, start)
    metrics.update(env_steps=float(env_steps), updates=float(number),
                   training_episodes=float(episodes))
    log_final_episode(run_dir, evaluation, config.gif_frames)
    return metrics

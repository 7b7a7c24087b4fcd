"""The networks the agents learn: a policy with a value baseline, and a Q network.

The policy reads a whole episode `[batch, time, observation]` and returns action
logits `[batch, time, actions]` and the value baseline `[batch, time, 1]`. Feed-forward
(``cell=""``), each step sees its own observation; recurrent (``cell=lstm`` etc.,
any `tfnotes.cells` cell), a `memory` layer carries a state along the episode, so the
policy can recover what one observation lacks (velocities from positions). The
episode is padded at its end only, so the recurrence needs no mask: padded steps
come after every real one and the losses leave them out.

`PolicyActor` runs the same layers one step at a time while acting, carrying the
recurrent state per environment.
"""

from __future__ import annotations

import keras
import numpy as np

from tfnotes.cells import make_cell, recurrent_layer


def build_policy(observation_size: int, action_count: int, hidden=(64, 64), cell: str = "",
                 units: int = 64) -> keras.Model:
    """The policy-and-baseline model (see the module docstring); tanh hidden layers."""
    observations = keras.Input((None, observation_size), name="observations")
    features = observations
    if cell:
        features = recurrent_layer(make_cell(cell, units), return_sequences=True,
                                   name="memory")(features)
    heads = []
    for head, size in (("policy", action_count), ("value", 1)):
        x = features
        for index, width in enumerate(hidden):
            x = keras.layers.Dense(width, activation="tanh", name=f"{head}_{index + 1}")(x)
        heads.append(keras.layers.Dense(size, name=f"{head}_out")(x))
    return keras.Model(observations, heads, name="policy")


def build_q_network(observation_size: int, action_count: int, hidden=(256, 256)) -> keras.Model:
    """Q(s, a) for every action: observations `[batch, obs]` -> `[batch, actions]` (ReLU)."""
    layers = [keras.Input((observation_size,), name="observations")]
    layers += [keras.layers.Dense(width, activation="relu", name=f"q_{index + 1}")
               for index, width in enumerate(hidden)]
    layers.append(keras.layers.Dense(action_count, name="q_values"))
    return keras.Sequential(layers, name="q_network")


class PolicyActor:
    """Action logits for one step of `count` environments, recurrent state carried.

    Args:
        model: a `build_policy` model.
        count: environments acted for at once.
        jit_compile: compile the step with XLA.
    """

    def __init__(self, model: keras.Model, count: int, jit_compile: bool = True):
        import tensorflow as tf

        self.model, self.count = model, count
        names = [layer.name for layer in model.layers]
        self.memory = model.get_layer("memory") if "memory" in names else None
        self.policy_layers = [layer for layer in model.layers if layer.name.startswith("policy")]
        self.step = tf.function(self._step, jit_compile=jit_compile)
        self.states = []  # the recurrent state of each environment (none without memory)
        self.reset()

    def reset(self):
        """Zeroes the recurrent state of every environment (at the episodes' start)."""
        if self.memory is not None:
            fresh = self.memory.cell.get_initial_state(batch_size=self.count)
            fresh = fresh if isinstance(fresh, (list, tuple)) else [fresh]
            self.states = [keras.ops.convert_to_tensor(state) for state in fresh]

    def _step(self, observations, states):
        features = observations
        if self.memory is not None:
            features, states = self.memory.cell(features, list(states))
            states = states if isinstance(states, (list, tuple)) else [states]
        for layer in self.policy_layers:
            features = layer(features)
        return features, list(states)

    def logits(self, observations) -> np.ndarray:
        """`[count, actions]` logits for `[count, obs]` observations; advances the state."""
        logits, states = self.step(np.asarray(observations, np.float32), list(self.states))
        self.states = states
        return keras.ops.convert_to_numpy(logits)


def greedy_policy(actor: PolicyActor):
    """``act(observation) -> action``: the most probable action (``act(None)`` resets)."""
    def act(observation):
        if observation is None:
            actor.reset()
            return None
        return int(np.argmax(actor.logits(np.asarray(observation)[None])[0]))

    return act


def greedy_q(q_values):
    """``act(observation) -> action``: the action of highest Q (`q_values`: a batch function)."""
    def act(observation):
        if observation is None:
            return None
        values = q_values(np.asarray(observation, np.float32)[None])
        return int(np.argmax(keras.ops.convert_to_numpy(values)[0]))

    return act

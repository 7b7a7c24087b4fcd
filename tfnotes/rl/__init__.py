"""Reinforcement learning as the course notes derive it: policy gradient and deep Q-learning.

`environments` makes gymnasium environments (vectorised, seeded, optionally without
velocities), `returns` computes rewards-to-go, `policies` builds the Keras policy and
Q networks, `replay` is DQN's replay buffer, `episodes` plays and renders episodes.
"""

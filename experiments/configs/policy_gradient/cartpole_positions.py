"""CartPole-v1 seeing only the cart's position and the pole's angle (docs/rl.md).

    make experiment NAME=policy_gradient ARGS="config=cartpole_positions"            # feed-forward
    make experiment NAME=policy_gradient ARGS="config=cartpole_positions cell=lstm"  # recurrent

Without the velocities one observation cannot tell a pole falling left from one
rising left; a recurrent policy can recover them from the last few observations.
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        observe="positions",  # drop the cart's and the pole's velocities
        units=64,  # recurrent cell size (cell=lstm, gru, ...)
    )

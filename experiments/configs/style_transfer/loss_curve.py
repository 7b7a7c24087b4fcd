"""Random VGG19 backbone, 256 px, Adam, 80 steps: total loss 294,818 -> 133,700.

    make experiment NAME=style_transfer ARGS="config=loss_curve"

The total loss every 10 steps is in TensorBoard (train/) and docs/style_transfer.md.
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        backbone="random",  # VGG19-shaped, random weights: the picture means nothing
        content="../shared/data/style/tubingen.jpg",  # Gatys et al.'s content photo
        style="../shared/data/style/starry_night.jpg",  # van Gogh
        size=256,  # longest side in pixels (256 x 192)
        steps=80,  # Adam steps
        log_every=10,  # total loss (and image) every 10 steps
    )

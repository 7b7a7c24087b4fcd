"""Random VGG19 backbone, 256 px, XLA on: 1.15 s per Adam step (first, compiling: 6.2 s).

    make experiment NAME=style_transfer ARGS="config=timing"
    make experiment NAME=style_transfer ARGS="config=timing jit_compile=False"   # 1.74 s
    make experiment NAME=style_transfer ARGS="config=timing size=512"            # 8.77 s

backbone=random: VGG19's layers and cost with random weights (no ImageNet weights here).
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        backbone="random",  # VGG19-shaped, random weights: timings carry over, pictures do not
        content="../shared/data/style/tubingen.jpg",  # Gatys et al.'s content photo
        style="../shared/data/style/starry_night.jpg",  # van Gogh
        size=256,  # longest side in pixels (256 x 192)
        steps=6,  # the first step compiles; seconds_per_step is the median of the other 5
        log_every=100,  # no TensorBoard image inside the timed steps
        jit_compile=True,  # XLA on
    )

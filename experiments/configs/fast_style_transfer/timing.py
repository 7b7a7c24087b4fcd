"""Random VGG19 backbone: one forward pass of the transformation network, 0.20 s at 256 px.

    make experiment NAME=fast_style_transfer ARGS="config=timing"
    make experiment NAME=fast_style_transfer ARGS="config=timing eval_size=512"   # 1.17 s

Three tiny training steps, then seconds_per_image: the median of 5 timed passes.
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        backbone="random",  # VGG19-shaped loss network, random weights
        style="../shared/data/style/starry_night.jpg",  # the one style learned
        content="../shared/data/style/tubingen.jpg",  # the image stylised and timed
        size=64,  # training crops (training is not what is timed)
        batch_size=2,  # content images per step
        steps=3,  # training steps
        eval_size=256,  # longest side of the timed, stylised output (256 x 192)
        timing_repeats=5,  # timed forward passes; the median is reported
    )

"""Rendered digits in 21 fonts -> MNIST: six methods x 0 / 100 target labels x 3 seeds.

    make experiment NAME=transfer_grid ARGS="config=mnist_fonts"

The source drawn in matplotlib's fonts too (source_fonts=matplotlib), a broader
domain of printed digits than Pillow's one font; docs/transfer.md compares the two.
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        data_dir="../shared/data/mnist",  # LeCun idx files; only t10k: a fixed 8,000 / 2,000 split
        source_fonts="matplotlib",  # Pillow's default font and 20 of matplotlib's faces
        labels=(0, 100),  # the no-label and the 100-label columns
        reference=False,  # the in-domain reference does not depend on the source
    )

"""Rendered digits -> MNIST: six methods x 0 / 100 / 1,000 target labels x 3 seeds.

    make experiment NAME=transfer_grid ARGS="config=mnist"

The table, the seeds and the wall time are in docs/transfer.md.
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        data_dir="../shared/data/mnist",  # LeCun idx files; only t10k: a fixed 8,000 / 2,000 split
    )

"""Rendered digits -> the real MNIST digits of ../shared/data/mnist (docs/transfer.md).

    make experiment NAME=transfer ARGS="config=mnist method=dann"
    make experiment NAME=transfer ARGS="config=mnist method=fine_tune_all n_target_labels=100"
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        data_dir="../shared/data/mnist",  # LeCun idx files; only t10k: a fixed 8,000 / 2,000 split
    )

"""Autoencoder vs VAE on the MNIST digits of ../shared/data/mnist (docs/transfer.md).

    make experiment NAME=interpolation ARGS="config=mnist"

Both models: the conv networks, 16-d codes, 10 epochs on the 8,000 training digits;
500 same-class pairs of the 2,000 eval digits read by the digit judge.
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        data_dir="../shared/data/mnist",  # LeCun idx files; only t10k: a fixed 8,000 / 2,000 split
        epochs=10,  # passes over the training split, each model
    )

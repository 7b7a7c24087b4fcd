"""MNIST (8,000 t10k digits): -log p(x) 99.18 nats (IWAE k=500), eval ELBO -105.27, 20 epochs.

    make experiment NAME=vae ARGS="config=mnist"

The IW estimate is also logged every 5 epochs: the epochs table of docs/vae_gan.md.
"""


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        data_dir="../shared/data/mnist",  # LeCun idx files; only t10k: a fixed 8,000 / 2,000 split
        epochs=20,  # passes over the training split
        iw_every=5,  # also log the importance-weighted estimate every 5 epochs
    )

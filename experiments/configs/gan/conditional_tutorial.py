"""The conditional GAN trained as the DCGAN tutorial trains, 30 epochs: its label accuracy drifts.

    make experiment NAME=gan ARGS="config=conditional_tutorial"

The baseline `config=conditional` is measured against (docs/gan_page.md): the
same networks and digits, with the tutorial's cross-entropy, one Adam 1e-4
(beta_1 0.5) for both networks, batch 64, normal noise, no spectral norm, no
moving average, and a discriminator as narrow as the generator.
"""

from experiments.configs.gan import TUTORIAL_TRAINING


def get_config():
    """The keys this preset sets; every other key keeps its Config default."""
    return dict(
        data_dir="../shared/data/mnist",  # LeCun idx files; only t10k: a fixed 8,000 / 2,000 split
        variant="conditional",
        epochs=30,
        **TUTORIAL_TRAINING,
    )

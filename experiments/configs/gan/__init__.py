"""Named configurations of the gan experiment, chosen with config=PRESET."""

# The TensorFlow DCGAN tutorial's training, which the Config's defaults replace with
# the conditional GAN's recipe (docs/gan_page.md); config=dcgan and
# config=conditional_tutorial train this way.
TUTORIAL_TRAINING = dict(
    loss="nonsaturating",
    spectral_norm=False,
    ema_decay=0.0,
    batch_size=64,
    learning_rate=1e-4,
    discriminator_learning_rate=0.0,
    beta_1=0.5,
    beta_2=0.999,
    lr_decay="none",
    discriminator_width=0,
    noise="normal",
)

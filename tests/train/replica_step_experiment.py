"""One plain SGD step of the VAE and the conditional GAN: what their custom train_steps do.

Registered as ``experiments.replica_step`` by test_distribute's launcher, so the runner
runs it under ``strategy=`` like any experiment. `keras.optimizers.Adam` hides a wrong
loss scale (it divides the step by the gradient's size), and the smoke runs use Adam;
with SGD a step that forgot to divide its loss by the replicas moves the weights
twice as far as one device does. The metrics are each network's update size (the
norm of the weight change) and the losses the step reported.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from tfnotes.generative import GenerativeAdversarialNetwork, VariationalAutoencoder
from tfnotes.train import CommonConfig, PositiveFloat, PositiveInt

STRATEGIES = ("none", "mirrored")  # it calls model.fit itself, not fit_model


@dataclasses.dataclass
class Config(CommonConfig):
    batch_size: PositiveInt = 16  # digits in the one global batch
    learning_rate: PositiveFloat = 0.05  # SGD step size


def update_norm(before: list[np.ndarray], weights) -> float:
    """The Euclidean norm of the change from `before` to `weights`."""
    return float(
        np.sqrt(sum(np.sum((w.numpy() - b) ** 2) for b, w in zip(before, weights)))
    )


def one_step(model, data, optimizer, networks: dict, prefix: str = "") -> dict:
    """Compiles `model` with `optimizer`, fits one batch; update norms and logged losses.

    `networks` names the sub-models whose update norms are reported (``NAME_update``);
    `prefix` goes before the names of the losses the step logged.
    """
    model.compile(optimizer=optimizer, jit_compile=False)
    before = {name: [w.numpy() for w in net.trainable_weights] for name, net in networks.items()}
    logs = model.fit(data, epochs=1, verbose=0).history
    metrics = {prefix + name: values[-1] for name, values in logs.items() if name.endswith("loss")}
    for name, net in networks.items():
        metrics[f"{name}_update"] = update_norm(before[name], net.trainable_weights)
    return metrics


def run(config: Config, run_dir) -> dict:
    """One SGD step each of a small VAE and conditional GAN on fixed random digits."""
    import tensorflow as tf

    rng = np.random.default_rng(config.seed)
    intensities = rng.random((config.batch_size, 28, 28, 1)).astype("float32")
    digits = (np.arange(config.batch_size) % 10).astype("int32")

    vae = VariationalAutoencoder(latent_dim=4, arch="mlp", seed=config.seed)
    vae_metrics = one_step(
        vae,
        tf.data.Dataset.from_tensor_slices(intensities).batch(config.batch_size),
        keras.optimizers.SGD(config.learning_rate),
        {"vae": vae},
        prefix="vae_",
    )
    gan = GenerativeAdversarialNetwork("conditional", noise_dim=8, width=4, seed=config.seed)
    gan_metrics = one_step(
        gan,
        tf.data.Dataset.from_tensor_slices((intensities * 2 - 1, digits)).batch(config.batch_size),
        {"generator": keras.optimizers.SGD(config.learning_rate),
         "discriminator": keras.optimizers.SGD(config.learning_rate)},
        {"generator": gan.generator, "discriminator": gan.discriminator},
    )
    return {**vae_metrics, **gan_metrics}

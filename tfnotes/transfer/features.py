"""The features of both domains: a PCA picture (one colour per domain) and the projector.

`pca_picture` projects source and target features on the first two principal
components of the two together and draws them as a scatter plot (matplotlib, no
display needed); `write_projector` exports them for TensorBoard's embedding
projector with each point's domain and digit as metadata.
"""

from pathlib import Path

import numpy as np

DOMAIN_NAMES = ("source (rendered)", "target (MNIST)")
COLOURS = ("#1f77b4", "#d62728")


def principal_components(features, dimensions: int = 2) -> np.ndarray:
    """`features` `[N, F]` projected on their first `dimensions` principal components."""
    centred = np.asarray(features, np.float64) - np.mean(features, axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    return centred @ components[:dimensions].T


def pca_picture(source_features, target_features, title: str) -> np.ndarray:
    """A scatter plot of both domains' features (PCA of the two together): RGB in [0, 1]."""
    import matplotlib

    matplotlib.use("Agg")  # draw off-screen
    from matplotlib import pyplot

    points = principal_components(np.concatenate([source_features, target_features]))
    figure, axes = pyplot.subplots(figsize=(4, 4), dpi=80)
    count = len(source_features)
    for index, (part, name) in enumerate(((points[:count], DOMAIN_NAMES[0]),
                                          (points[count:], DOMAIN_NAMES[1]))):
        axes.scatter(part[:, 0], part[:, 1], s=4, alpha=0.5, c=COLOURS[index], label=name)
    axes.set_title(title, fontsize=9)
    axes.set_xticks([])
    axes.set_yticks([])
    axes.legend(loc="best", fontsize=7, markerscale=3)
    figure.tight_layout()
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())[..., :3].astype(np.float32) / 255.0
    pyplot.close(figure)
    return pixels


def save_picture(path, picture) -> Path:
    """Saves an RGB picture `[H, W, 3]` in [0, 1] as a PNG file."""
    from PIL import Image

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.round(np.clip(picture, 0, 1) * 255).astype(np.uint8)).save(path)
    return path


def write_projector(directory, features, domains, labels) -> Path:
    """Exports features for TensorBoard's projector into `directory` (a run directory).

    Writes a checkpoint of the ``[N, F]`` features, ``metadata.tsv`` (domain and
    digit of each point) and ``projector_config.pbtxt``; returns the directory.
    """
    import tensorflow as tf
    from tensorboard.plugins import projector

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rows = ["domain\tdigit"] + [f"{DOMAIN_NAMES[int(domain)]}\t{int(label)}"
                                for domain, label in zip(domains, labels)]
    (directory / "metadata.tsv").write_text("\n".join(rows) + "\n")
    embedding = tf.Variable(np.asarray(features, np.float32), name="features")
    tf.train.Checkpoint(embedding=embedding).save(str(directory / "embedding.ckpt"))
    config = projector.ProjectorConfig()
    entry = config.embeddings.add()
    entry.tensor_name = "embedding/.ATTRIBUTES/VARIABLE_VALUE"
    entry.metadata_path = "metadata.tsv"
    projector.visualize_embeddings(str(directory), config)
    return directory

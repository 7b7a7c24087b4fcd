"""Sample-quality metrics for generated digits: FID, inception score, label accuracy, diversity.

The "inception" network here is the project's MNIST judge
(`tfnotes.digits.judge`): its penultimate features feed `fid`, its class
probabilities feed `inception_score` and `label_accuracy`; the features of
one digit's samples, `within_class_diversity`. Plain numpy, float64.
"""

import numpy as np


def feature_statistics(features):
    """Mean `[dims]` and covariance `[dims, dims]` (unbiased, N-1) of `[N, dims]` features."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"features must be [N >= 2, dims], got shape {features.shape}")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _psd_sqrt(matrix):
    """Symmetric square root of a symmetric positive semi-definite matrix.

    Round-off can make eigenvalues of a PSD covariance slightly negative;
    they are clipped to zero rather than producing NaNs.
    """
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """Fréchet (2-Wasserstein) distance between N(mu1, sigma1) and N(mu2, sigma2).

    d^2 = |mu1 - mu2|^2 + tr(sigma1) + tr(sigma2) - 2 tr((sigma1 sigma2)^(1/2)).

    sigma1 @ sigma2 is not symmetric, and a general matrix square root of it
    (scipy's sqrtm) can return tiny imaginary parts. Instead the trace term uses
    tr((s1 s2)^(1/2)) = tr((A s2 A)^(1/2)) with A = s1^(1/2): A s2 A is symmetric
    PSD (same eigenvalues as s1 s2), so a real eigendecomposition suffices and
    singular covariances (fewer samples than dims) are fine.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(
        np.asarray(mu2, np.float64)
    )
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(
        np.asarray(sigma2, np.float64)
    )
    dims = mu1.shape[0]
    if (
        mu1.shape != (dims,)
        or mu2.shape != (dims,)
        or sigma1.shape != (dims, dims)
        or sigma2.shape != (dims, dims)
    ):
        raise ValueError(
            f"shapes do not match: mu1 {mu1.shape}, sigma1 {sigma1.shape}, "
            f"mu2 {mu2.shape}, sigma2 {sigma2.shape}"
        )
    root1 = _psd_sqrt(sigma1)
    middle = root1 @ sigma2 @ root1
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    trace_sqrt = np.sqrt(np.clip(eigenvalues, 0.0, None)).sum()
    distance = np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt
    # Mathematically >= 0; identical inputs can round to -1e-12.
    return float(max(distance, 0.0))


def fid(real_features, generated_features):
    """Fréchet Inception Distance between two feature sets `[N, dims]` (lower is better)."""
    return frechet_distance(
        *feature_statistics(real_features), *feature_statistics(generated_features)
    )


def inception_score(probabilities, splits=10):
    """Inception score exp(E_x KL(p(y|x) || p(y))) as `(mean, std)` over `splits` chunks.

    `probabilities`: `[N, classes]` rows summing to 1 (the judge's softmax).
    Ranges from 1 (every image gets the same prediction) to the number of
    classes (confident predictions spread evenly over the classes). Chunks are
    consecutive, as in Salimans et al. 2016.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or not 1 <= splits <= len(probabilities):
        raise ValueError(
            f"need [N, classes] probabilities with N >= splits={splits}, got {probabilities.shape}"
        )
    scores = []
    for chunk in np.array_split(probabilities, splits):
        marginal = chunk.mean(axis=0, keepdims=True)
        # 0 * log(0) = 0: classes given zero probability contribute nothing.
        ratio = np.divide(chunk, marginal, out=np.ones_like(chunk), where=chunk > 0)
        kl = np.sum(chunk * np.log(ratio), axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def label_accuracy(probabilities, requested_labels):
    """Fraction of samples whose most probable class is the label they were drawn for."""
    probabilities = np.asarray(probabilities)
    requested_labels = np.asarray(requested_labels).reshape(-1)
    if (
        probabilities.ndim != 2
        or len(probabilities) != len(requested_labels)
        or len(requested_labels) == 0
    ):
        raise ValueError(
            f"need [N, classes] probabilities and N labels, "
            f"got {probabilities.shape} and {requested_labels.shape}"
        )
    return float(np.mean(np.argmax(probabilities, axis=1) == requested_labels))


def within_class_diversity(features, labels):
    """The mean over classes of the mean pairwise distance among one class's features.

    Brute force (all pairs, Euclidean), so keep a class to a few thousand
    samples. Generated digits of one class that all look alike score near 0;
    comparing the figure with real digits' (`diversity_ratio` in the gan
    experiment) says how much of the real variety within a digit is drawn.
    """
    features, labels = np.asarray(features, np.float64), np.asarray(labels)
    spreads = []
    for label in np.unique(labels):
        group = features[labels == label]
        if len(group) < 2:
            continue
        squared = np.sum(group**2, axis=1)
        distances = np.sqrt(np.maximum(squared[:, None] + squared[None] - 2 * group @ group.T, 0))
        spreads.append(distances.sum() / (len(group) * (len(group) - 1)))
    if not spreads:
        raise ValueError("within_class_diversity needs a class with at least two samples")
    return float(np.mean(spreads))

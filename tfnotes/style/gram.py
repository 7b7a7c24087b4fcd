"""Gram matrices and the three style-transfer loss terms (content, style, total variation).

Definitions follow the TensorFlow style-transfer tutorial, so its weights
(content 1e4, style 1e-2, total variation 30) carry over unchanged:

* Gram matrix: ``G[c, d] = sum_ij F[i, j, c] F[i, j, d] / (H * W)``.
* content loss: mean squared difference of feature maps, averaged over layers.
* style loss: mean squared difference of Gram matrices, averaged over layers.
* total variation: ``tf.image.total_variation``, the summed absolute difference of
  neighbouring pixels (per image).

Only `keras.ops` is used, so the functions trace inside an XLA-compiled step.
"""

from keras import ops


def gram_matrix(features):
    """Gram matrices of a batch of feature maps: [B, H, W, C] -> [B, C, C], divided by H * W."""
    shape = ops.shape(features)
    locations = ops.cast(shape[1] * shape[2], features.dtype)
    return ops.einsum("bijc,bijd->bcd", features, features) / locations


def content_loss(features, targets):
    """Mean over layers of the mean squared difference between feature maps.

    `features` and `targets` are equally long lists of [B, H, W, C] tensors.
    """
    terms = [ops.mean(ops.square(f - t)) for f, t in zip(features, targets)]
    return ops.sum(ops.stack(terms)) / len(terms)


def style_loss(grams, targets):
    """Mean over layers of the mean squared difference between Gram matrices.

    `grams` and `targets` are equally long lists of [B, C, C] tensors; a target with
    batch size 1 is broadcast over the batch.
    """
    terms = [ops.mean(ops.square(g - t)) for g, t in zip(grams, targets)]
    return ops.sum(ops.stack(terms)) / len(terms)


def total_variation(images):
    """Summed absolute difference of vertical and horizontal neighbours, one value per image."""
    vertical = ops.abs(images[:, 1:, :, :] - images[:, :-1, :, :])
    horizontal = ops.abs(images[:, :, 1:, :] - images[:, :, :-1, :])
    return ops.sum(vertical, axis=(1, 2, 3)) + ops.sum(horizontal, axis=(1, 2, 3))

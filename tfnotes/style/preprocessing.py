"""Caffe-style VGG preprocessing (as `keras.applications.vgg19.preprocess_input`) and its inverse.

VGG19's ImageNet weights expect BGR images in 0..255 with the ImageNet channel
means subtracted, no scaling. Written with `keras.ops` so it compiles into the step.
"""

from keras import ops

# ImageNet channel means in BGR order, as in keras.applications' caffe mode.
IMAGENET_MEAN_BGR = (103.939, 116.779, 123.68)


def preprocess(images):
    """RGB images in 0..255, [..., 3] -> BGR with the ImageNet mean subtracted."""
    bgr = ops.flip(ops.convert_to_tensor(images, "float32"), axis=-1)
    return bgr - ops.convert_to_tensor(IMAGENET_MEAN_BGR, "float32")


def deprocess(features):
    """Inverse of `preprocess`: BGR, mean-subtracted -> RGB in 0..255 (not clipped)."""
    bgr = ops.convert_to_tensor(features, "float32") + ops.convert_to_tensor(
        IMAGENET_MEAN_BGR, "float32"
    )
    return ops.flip(bgr, axis=-1)

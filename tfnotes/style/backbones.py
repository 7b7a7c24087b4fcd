"""Feature extractors for style transfer: VGG19 with ImageNet weights, or random VGG19-shaped ones.

Both take RGB images in [0, 1] ([B, H, W, 3], any H and W), apply the caffe-style
preprocessing VGG19 expects, and return a dict ``{layer_name: features}`` for the
requested layers (`block1_conv1` .. `block5_conv4`, outputs after the ReLU as in
keras.applications). Only the layers up to the deepest requested one are computed.
Pooling is average pooling, as Gatys et al. recommend (smoother gradients); it also
keeps the compiled step deterministic: XLA has no deterministic MaxPool gradient, and
the runner turns on TensorFlow's op determinism.

`backbone="random"` has VGG19's exact topology, layer names and cost (so timings
measured with it hold for the real network) with seeded He-normal weights instead of
ImageNet ones. Its features are random: use it offline and in tests, not for
pictures. The extractor's name says "random" so logs and summaries show it.
"""

import os
from pathlib import Path

import keras

from tfnotes.downloads import can_download
from tfnotes.errors import DataError, UsageError
from tfnotes.style.preprocessing import preprocess

BACKBONES = ("vgg19", "random")
VGG19_BLOCKS = (
    (1, 2, 64),
    (2, 2, 128),
    (3, 4, 256),
    (4, 4, 512),
    (5, 4, 512),
)  # (block, convs, filters)
VGG19_LAYERS = tuple(
    f"block{b}_conv{i}" for b, convs, _ in VGG19_BLOCKS for i in range(1, convs + 1)
)
WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"


def check_layers(names):
    """Raise a one-line UsageError unless every name is a VGG19 convolution layer."""
    unknown = [name for name in names if name not in VGG19_LAYERS]
    if unknown or not names:
        raise UsageError(
            f"unknown VGG19 layer(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(VGG19_LAYERS)}"
        )


def cached_weights_path():
    """Where `keras.utils.get_file` caches the ImageNet notop weights (KERAS_HOME or ~/.keras)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models" / WEIGHTS_FILE


def _offline_error(reason):
    return UsageError(
        f"VGG19 ImageNet weights unavailable ({reason}; looked in {cached_weights_path()}): "
        f"pass backbone_weights=PATH to a local {WEIGHTS_FILE}, "
        "or backbone=random for random features"
    )


def _extractor(inputs, features, layer_names, name):
    return keras.Model(inputs, {layer: features[layer] for layer in layer_names}, name=name)


def vgg19_extractor(layer_names, weights_path=None):
    """VGG19 features with ImageNet weights: from `weights_path`, the keras cache, or a download."""
    check_layers(layer_names)
    if weights_path:
        weights_path = Path(weights_path)
        if not weights_path.is_file():
            raise UsageError(f"backbone_weights file not found: {weights_path}")
        weights = str(weights_path)
    else:
        if not cached_weights_path().is_file() and not can_download():
            raise _offline_error("not cached and no network")
        weights = "imagenet"
    try:
        base = keras.applications.VGG19(
            include_top=False, weights=weights, input_shape=(None, None, 3)
        )
    except (
        Exception
    ) as error:  # keras raises bare Exception for fetch failures, ValueError/OSError for bad files
        if weights_path:
            message = " ".join(str(error).split())[:200]
            raise DataError(
                f"cannot load VGG19 notop weights from {weights_path}: {message}"
            ) from None
        raise _offline_error(f"download failed: {' '.join(str(error).split())[:120]}") from None
    base.trainable = False
    images = keras.Input((None, None, 3), name="images")
    # Rebuild the graph on a [0, 1] input so preprocessing is part of the model.
    x = preprocess(images * 255.0)
    features = {}
    deepest = max(VGG19_LAYERS.index(name) for name in layer_names)
    for layer in base.layers[1:]:
        if isinstance(layer, keras.layers.MaxPooling2D):
            layer = keras.layers.AveragePooling2D(2, name=layer.name)
        x = layer(x)
        if layer.name in VGG19_LAYERS:
            features[layer.name] = x
            if VGG19_LAYERS.index(layer.name) == deepest:
                break
    return _extractor(images, features, layer_names, name="vgg19_imagenet_features")


def random_extractor(layer_names, seed=0):
    """VGG19-shaped features with seeded He-normal weights (random, not ImageNet), same names."""
    check_layers(layer_names)
    deepest = max(VGG19_LAYERS.index(name) for name in layer_names)
    images = keras.Input((None, None, 3), name="images")
    x = preprocess(images * 255.0)
    features = {}
    for block, convs, filters in VGG19_BLOCKS:
        if block > 1:
            x = keras.layers.AveragePooling2D(2, name=f"block{block - 1}_pool")(x)
        for index in range(1, convs + 1):
            name = f"block{block}_conv{index}"
            # He-normal keeps activation scale through the ReLUs; Glorot would shrink deep features.
            x = keras.layers.Conv2D(
                filters,
                3,
                padding="same",
                activation="relu",
                name=name,
                trainable=False,
                kernel_initializer=keras.initializers.HeNormal(seed=seed + len(features)),
            )(x)
            features[name] = x
            if len(features) > deepest:
                return _extractor(images, features, layer_names, name="random_vgg19_features")


def build_extractor(backbone, layer_names, weights_path=None, seed=0):
    """The feature extractor named by `backbone` ("vgg19" or "random") for `layer_names`."""
    if backbone == "random":
        return random_extractor(layer_names, seed=seed)
    if backbone == "vgg19":
        return vgg19_extractor(layer_names, weights_path=weights_path)
    raise UsageError(f"unknown backbone {backbone!r}; choose from {', '.join(BACKBONES)}")


def describe(backbone, weights_path=None):
    """One line for logs: what the features are, with RANDOM spelled out when they are."""
    if backbone == "random":
        return (
            "backbone: RANDOM VGG19-shaped features (seeded He-normal weights, not ImageNet); "
            "pictures are not meaningful"
        )
    return f"backbone: VGG19 ImageNet weights ({weights_path or 'keras.applications cache'})"

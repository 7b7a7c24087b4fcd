"""The digit CNN of Ganin & Lempitsky's MNIST experiments, split where adaptation needs it.

Feature extractor: 5x5 convolutions of 32 and 48 channels, each followed by 2x2 max
pooling, flattened to 768 features. Label predictor: two 100-unit layers and 10
logits. Domain classifier: one 100-unit layer and one logit. The classifier is a
`keras.Sequential` of the extractor and the predictor, so a saved ``model.keras``
loads in plain Keras.
"""

import keras

IMAGE_SHAPE = (28, 28, 1)
FEATURES = 768  # 4 x 4 x 48 after the second pooling
# The classifier's weight layers, input to output: what `frozen_layers=k` counts.
WEIGHT_LAYERS = ("conv1", "conv2", "dense1", "dense2", "logits")


def build_feature_extractor() -> keras.Sequential:
    """Images `[28, 28, 1]` in [0, 1] -> features `[768]`."""
    return keras.Sequential([
        keras.Input(IMAGE_SHAPE),
        keras.layers.Conv2D(32, 5, activation="relu", name="conv1"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(48, 5, activation="relu", name="conv2"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(name="features"),
    ], name="feature_extractor")


def build_label_predictor() -> keras.Sequential:
    """Features `[768]` -> digit logits `[10]`."""
    return keras.Sequential([
        keras.Input((FEATURES,)),
        keras.layers.Dense(100, activation="relu", name="dense1"),
        keras.layers.Dense(100, activation="relu", name="dense2"),
        keras.layers.Dense(10, name="logits"),
    ], name="label_predictor")


def build_domain_classifier(units=(100,), input_size=FEATURES) -> keras.Sequential:
    """Features `[input_size]` -> one logit: source (0) or target (1); hidden `units`."""
    hidden = [keras.layers.Dense(width, activation="relu", name=f"domain_dense{index + 1}")
              for index, width in enumerate(units)]
    return keras.Sequential([keras.Input((input_size,)), *hidden,
                             keras.layers.Dense(1, name="domain_logit")],
                            name="domain_classifier")


def build_classifier() -> keras.Sequential:
    """The digit classifier: feature extractor then label predictor (logits out)."""
    return keras.Sequential([keras.Input(IMAGE_SHAPE), build_feature_extractor(),
                             build_label_predictor()], name="digit_classifier")


def feature_extractor_of(classifier: keras.Sequential) -> keras.Sequential:
    """The classifier's feature extractor (shared weights)."""
    return classifier.get_layer("feature_extractor")


def weight_layers(classifier: keras.Sequential) -> list:
    """The classifier's weight layers in `WEIGHT_LAYERS` order."""
    extractor = feature_extractor_of(classifier)
    predictor = classifier.get_layer("label_predictor")
    return [extractor.get_layer(name) for name in WEIGHT_LAYERS[:2]] + [
        predictor.get_layer(name) for name in WEIGHT_LAYERS[2:]]


def freeze_first(classifier: keras.Sequential, count: int) -> None:
    """Makes the first `count` weight layers non-trainable (the rest trainable)."""
    for index, layer in enumerate(weight_layers(classifier)):
        layer.trainable = index >= count

"""Johnson et al. (2016) image transformation network for fast (feed-forward) style transfer.

Reflection-padded 9x9 convolution, two stride-2 downsampling convolutions, five
residual blocks, two upsampling stages and a 9x9 output convolution, with instance
normalisation (Ulyanov et al.) in place of batch normalisation and nearest-neighbour
upsampling plus convolution in place of transposed convolution (no checkerboard
artefacts). Maps RGB in [0, 1] to RGB in [0, 1]; height and width should be
multiples of 4 so the output has the input's size.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tfnotes")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by mirroring the border (no edge artefacts from zero padding)."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, inputs):
        p = self.padding
        return ops.pad(inputs, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        grow = lambda side: None if side is None else side + 2 * self.padding  # noqa: E731
        return (input_shape[0], grow(input_shape[1]), grow(input_shape[2]), input_shape[3])

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


def _conv(x, filters, kernel, stride, name, normalise=True, activation="relu"):
    x = ReflectionPadding2D(kernel // 2, name=f"{name}_pad")(x)
    x = keras.layers.Conv2D(filters, kernel, strides=stride, name=f"{name}_conv")(x)
    if normalise:
        # groups == channels: instance normalisation.
        x = keras.layers.GroupNormalization(groups=filters, epsilon=1e-3, name=f"{name}_norm")(x)
    if activation:
        x = keras.layers.Activation(activation, name=f"{name}_{activation}")(x)
    return x


def _residual(x, filters, name):
    y = _conv(x, filters, 3, 1, f"{name}_a")
    y = _conv(y, filters, 3, 1, f"{name}_b", activation=None)
    return keras.layers.Add(name=f"{name}_add")([x, y])


def build_transformer(filters=32, residual_blocks=5, name="style_transformer"):
    """The transformation network as a functional Keras model over [B, H, W, 3] images in [0, 1]."""
    images = keras.Input((None, None, 3), name="images")
    x = _conv(images, filters, 9, 1, "down0")
    x = _conv(x, filters * 2, 3, 2, "down1")
    x = _conv(x, filters * 4, 3, 2, "down2")
    for index in range(residual_blocks):
        x = _residual(x, filters * 4, f"residual{index}")
    x = keras.layers.UpSampling2D(2, name="up1_resize")(x)
    x = _conv(x, filters * 2, 3, 1, "up1")
    x = keras.layers.UpSampling2D(2, name="up2_resize")(x)
    x = _conv(x, filters, 3, 1, "up2")
    x = _conv(x, 3, 9, 1, "output", normalise=False, activation="sigmoid")
    return keras.Model(images, x, name=name)

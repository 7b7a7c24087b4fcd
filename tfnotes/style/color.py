"""Luminance-only transfer (Gatys et al. 2016, "Preserving colour in neural style transfer").

Style transfer runs on luminance images (Y of YIQ repeated over three channels), the
style's luminance matched in mean and spread to the content's; the result's
luminance is then recombined with the content's I and Q colour channels.
"""

import numpy as np

RGB_TO_YIQ = np.array(
    [[0.299, 0.587, 0.114], [0.595716, -0.274453, -0.321263], [0.211456, -0.522591, 0.311135]],
    dtype=np.float32,
)
YIQ_TO_RGB = np.linalg.inv(RGB_TO_YIQ).astype(np.float32)


def rgb_to_yiq(image):
    """[..., 3] RGB in [0, 1] -> YIQ."""
    return np.asarray(image, np.float32) @ RGB_TO_YIQ.T


def yiq_to_rgb(image):
    """[..., 3] YIQ -> RGB (not clipped)."""
    return np.asarray(image, np.float32) @ YIQ_TO_RGB.T


def luminance_image(image):
    """The luminance of an RGB image repeated over three channels."""
    return np.repeat(rgb_to_yiq(image)[..., :1], 3, axis=-1)


def matched_luminance(style, content):
    """The style's luminance image shifted and scaled to the content luminance's mean and std."""
    style_y, content_y = rgb_to_yiq(style)[..., 0], rgb_to_yiq(content)[..., 0]
    matched = (style_y - style_y.mean()) * (
        content_y.std() / (style_y.std() + 1e-6)
    ) + content_y.mean()
    return np.repeat(np.clip(matched, 0.0, 1.0)[..., None], 3, axis=-1)


def recombine(stylized, content):
    """The stylised image's luminance with the content image's colour (I, Q), clipped to [0, 1]."""
    yiq = rgb_to_yiq(content)
    yiq[..., 0] = rgb_to_yiq(stylized)[..., 0]
    return np.clip(yiq_to_rgb(yiq), 0.0, 1.0)

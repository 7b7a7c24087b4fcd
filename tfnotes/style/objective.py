"""The weighted style-transfer objective over a feature extractor, shared by both experiments."""

from keras import ops

from tfnotes.style.backbones import build_extractor, check_layers
from tfnotes.style.gram import content_loss, gram_matrix, style_loss, total_variation
from tfnotes.style.inputs import split_names


class StyleObjective:
    """Content, style and total-variation loss terms of images in [0, 1] against fixed targets.

    `extractor` maps images to ``{layer: features}`` and must cover every name in
    `content_layers` and `style_layers`. Targets are passed to `terms` as arguments
    (not captured) so a compiled step takes them as inputs rather than constants.
    """

    def __init__(
        self, extractor, content_layers, style_layers, content_weight, style_weight, tv_weight
    ):
        self.extractor = extractor
        self.content_layers = tuple(content_layers)
        self.style_layers = tuple(style_layers)
        self.content_weight = float(content_weight)
        self.style_weight = float(style_weight)
        self.tv_weight = float(tv_weight)

    def features(self, images):
        """(content feature maps, style Gram matrices) of a batch of images, as lists by layer."""
        outputs = self.extractor(images, training=False)
        return (
            [outputs[name] for name in self.content_layers],
            [gram_matrix(outputs[name]) for name in self.style_layers],
        )

    def content_targets(self, images):
        """Content feature maps of the content image(s), the target of the content term."""
        return self.features(images)[0]

    def style_targets(self, style_images, style_weights=None):
        """Style Gram targets for one or more style images ([1, H, W, 3] each, sizes may differ).

        Returns one list per style image, with the normalised weights: several styles are
        blended by weighting each style's loss, so `style_weight` keeps its meaning.
        """
        style_weights = list(style_weights or [1.0] * len(style_images))
        total = float(sum(style_weights))
        grams = [self.features(image)[1] for image in style_images]
        return grams, [float(w) / total for w in style_weights]

    def terms(self, images, content_targets, style_targets, style_weights):
        """Weighted loss terms: dict of content_loss, style_loss, tv_loss and total_loss."""
        content_features, grams = self.features(images)
        weighted_content = self.content_weight * content_loss(content_features, content_targets)
        style_terms = [
            w * style_loss(grams, targets) for targets, w in zip(style_targets, style_weights)
        ]
        weighted_style = self.style_weight * ops.sum(ops.stack(style_terms))
        weighted_tv = self.tv_weight * ops.mean(total_variation(images))
        return {
            "total_loss": weighted_content + weighted_style + weighted_tv,
            "content_loss": weighted_content,
            "style_loss": weighted_style,
            "tv_loss": weighted_tv,
        }


def as_tensors(nested):
    """Convert (nested lists of) arrays to float32 tensors, keeping the nesting."""
    if isinstance(nested, (list, tuple)):
        return [as_tensors(item) for item in nested]
    return ops.convert_to_tensor(nested, "float32")


def objective_from_config(config):
    """The `StyleObjective` a style experiment's config asks for.

    Reads `content_layers`, `style_layers` (comma-separated layer names),
    `backbone`, `backbone_weights`, `seed` and the three loss weights.
    """
    content_layers = split_names(config.content_layers)
    style_layers = split_names(config.style_layers)
    check_layers(content_layers)
    check_layers(style_layers)
    layers = tuple(dict.fromkeys(content_layers + style_layers))
    extractor = build_extractor(
        config.backbone, layers, weights_path=config.backbone_weights, seed=config.seed
    )
    return StyleObjective(
        extractor,
        content_layers,
        style_layers,
        config.content_weight,
        config.style_weight,
        config.tv_weight,
    )

"""Neural style transfer building blocks: Gram matrices and losses, VGG preprocessing,
feature backbones (VGG19 or random), image I/O, luminance-only transfer and Johnson et
al.'s transformation network (registered for `keras.models.load_model`)."""

from tfnotes.style.backbones import BACKBONES, VGG19_LAYERS, build_extractor, describe
from tfnotes.style.color import luminance_image, matched_luminance, recombine
from tfnotes.style.gram import content_loss, gram_matrix, style_loss, total_variation
from tfnotes.style.images import (
    draw_content,
    draw_style,
    list_images,
    load_image,
    load_square,
    save_image,
)
from tfnotes.style.inputs import content_image, split_names, style_images, style_weights
from tfnotes.style.objective import StyleObjective, as_tensors, objective_from_config
from tfnotes.style.preprocessing import deprocess, preprocess
from tfnotes.style.transformer import ReflectionPadding2D, build_transformer

__all__ = [
    "BACKBONES",
    "VGG19_LAYERS",
    "build_extractor",
    "describe",
    "luminance_image",
    "matched_luminance",
    "recombine",
    "content_loss",
    "gram_matrix",
    "style_loss",
    "total_variation",
    "draw_content",
    "draw_style",
    "list_images",
    "load_image",
    "load_square",
    "save_image",
    "content_image",
    "split_names",
    "style_images",
    "style_weights",
    "StyleObjective",
    "objective_from_config",
    "as_tensors",
    "deprocess",
    "preprocess",
    "ReflectionPadding2D",
    "build_transformer",
]

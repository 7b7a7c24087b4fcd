"""Image captioning: data sources (drawn shapes, Flickr8k, COCO via tfds), caption text,
CNN encoders and a recurrent `CaptionDecoder` with optional attention (registered for
`keras.models.load_model`), XLA-compiled greedy and beam-search decoding, BLEU/CIDEr."""

from tfnotes.captioning.bleu_cider import caption_scores
from tfnotes.captioning.coco import load_coco_captions
from tfnotes.captioning.dataset import (
    CaptionData,
    CaptionSplit,
    caption_pairs,
    flatten_captions,
    load_image_file,
    sampled_caption_batches,
)
from tfnotes.captioning.decoding import CaptionGenerator, beam_loop, greedy_loop
from tfnotes.captioning.evaluation import (
    caption_seconds,
    generated_captions,
    score_captions,
)
from tfnotes.captioning.flickr8k import load_flickr8k
from tfnotes.captioning.models import (
    CELLS,
    DECODERS,
    ENCODERS,
    CaptionDecoder,
    ImageNormCalibration,
    build_captioner,
    calibrate_image_norm,
)
from tfnotes.captioning.shapes import load_shapes
from tfnotes.captioning.text import (
    build_caption_vocabulary,
    encode_captions,
    ids_to_words,
    load_caption_vocabulary,
    save_caption_vocabulary,
    tokenize_caption,
)
from tfnotes.captioning.visualize import (
    CaptionSamples,
    attention_strip,
    caption_panel,
    feature_grid,
)

__all__ = [
    "CELLS", "DECODERS", "ENCODERS", "CaptionData", "CaptionDecoder", "CaptionGenerator",
    "CaptionSamples", "CaptionSplit", "attention_strip", "beam_loop",
    "build_caption_vocabulary", "build_captioner", "caption_pairs", "caption_panel",
    "ImageNormCalibration", "calibrate_image_norm",
    "caption_scores", "caption_seconds", "encode_captions", "feature_grid", "flatten_captions",
    "generated_captions", "greedy_loop", "ids_to_words", "load_caption_vocabulary",
    "load_coco_captions", "load_flickr8k", "load_image_file", "load_shapes",
    "sampled_caption_batches", "save_caption_vocabulary", "score_captions", "tokenize_caption",
]

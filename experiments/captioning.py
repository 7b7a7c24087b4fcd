"""Image captioning: a CNN encoder reads the image, a recurrent decoder writes the sentence.

The notes' multimodal lecture: image -> vision network -> language-generating RNN.
`decoder=show_tell` starts a `tfnotes.cells` cell from the image feature;
`decoder=attend` looks back at the CNN's spatial grid at every word (additive
attention, Show-Attend-Tell). Trained with teacher forcing; evaluated on the test
split with beam search (`beam_size=`, length-normalised) and greedy decoding,
both compiled with XLA; BLEU-1..4 and CIDEr-D from pycocoevalcap.

Run it (shapes drawn by the project, no download; figures in docs/captioning.md):

    make experiment NAME=captioning
    make experiment NAME=captioning ARGS="config=shapes_attend"
    make experiment NAME=captioning ARGS="config=shapes_show_tell"
    make experiment NAME=captioning ARGS="cell=gru num_layers=2"
    make experiment NAME=captioning ARGS="data=flickr8k data_dir=DIR skip_bad=True"
    make experiment NAME=captioning ARGS="data=flickr8k data_dir=DIR encoder=mobilenet_v2 \
        image_size=224"
    make experiment NAME=captioning ARGS="data=coco_captions data_dir=DIR max_images=5000"

Caption an image file with a finished run (beam search; `beam_size=1` is greedy;
`attention=PNG` also draws where an attending decoder looked for each word):

    .venv/bin/python -m experiments.captioning RUN_DIR image.png
    .venv/bin/python -m experiments.captioning RUN_DIR image.png beam_size=1 attention=att.png
"""

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated, Literal

from tfnotes import captioning as cap
from tfnotes.errors import DataError, UsageError
from tfnotes.train import (
    ALL_STRATEGIES,
    CommonConfig,
    DropRate,
    EpochTimer,
    NonNegativeFloat,
    NonNegativeInt,
    OptionalPositiveFloat,
    PositiveFloat,
    PositiveInt,
    Range,
    fit_model,
    write_scalars,
)

# strategy=: all; fit_model distributes the standard (masked) caption loss, and the
# decoders drop XLA inside the strategy's scope (tfnotes.train.jit_compile_under_strategy).
STRATEGIES = ALL_STRATEGIES


@dataclasses.dataclass
class Config(CommonConfig):
    """Captioning settings; every field can be set as `key=value` on the command line."""

    # drawn scenes, Flickr8k (data_dir=), or COCO via tfds
    data: Literal["shapes", "flickr8k", "coco_captions"] = "shapes"
    # flickr8k: skip bad rows / missing or unreadable images (counted) instead of failing
    skip_bad: bool = False
    max_images: NonNegativeInt = 0  # flickr8k / coco: at most this many images per split (0 = all)
    # images are resized to image_size x image_size (encoder=cnn: at least 2 ** its blocks)
    image_size: PositiveInt = 64
    train_size: PositiveInt = 4000  # shapes: training images (5 captions each)
    # each epoch (train and valid) shows every image once, with one random caption (False: every
    # caption)
    sample_captions: bool = True
    eval_size: PositiveInt = 300  # shapes: validation and test images (each)
    max_words: PositiveInt = 20  # captions are cut to this many words
    # caption vocabulary size, the 4 reserved tokens included (train split only)
    max_vocab: Annotated[int, Range("[5, inf)")] = 5000
    min_word_count: PositiveInt = 1  # rarer training words become <unk>
    # encoder=cnn: filters of its conv-ReLU(-pool) blocks, each halving the side (grid =
    # image_size / 8 with three)
    cnn_filters: tuple[int, ...] = (16, 32, 64)
    # small CNN from scratch, or keras.applications with ImageNet weights
    encoder: Literal[cap.ENCODERS] = "cnn"
    fine_tune: bool = False  # train the pretrained encoder too (else frozen)
    # show_tell (image initialises the cell) or attend (attention at every word)
    decoder: Literal[cap.DECODERS] = "attend"
    cell: Literal[cap.CELLS] = "lstm"  # recurrent cell from tfnotes.cells
    num_layers: PositiveInt = 1  # stacked cells (MultiRNNCell)
    units: PositiveInt = 128  # cell units
    embedding_dim: PositiveInt = 64  # word vector size
    attention_units: PositiveInt = 64  # additive attention size (decoder=attend)
    dropout: DropRate = 0.0  # drop rate before the output layer
    epochs: PositiveInt = 25  # passes over the training images
    batch_size: PositiveInt = 64  # captions per step
    learning_rate: PositiveFloat = 2e-3  # Adam step size
    clipnorm: OptionalPositiveFloat = 5.0  # clip each gradient tensor's norm (Keras clipnorm)
    beam_size: PositiveInt = 3  # test-set beam width (1 = greedy)
    length_penalty: NonNegativeFloat = 1.0  # beam score = log-prob / length ** length_penalty
    examples_to_log: NonNegativeInt = 4  # test images captioned in TensorBoard each epoch
    timing_images: NonNegativeInt = 10  # test images captioned one by one to time decoding (0: off)

    def __post_init__(self):
        # A ValueError here reaches the user as a one-line usage error (status 2)
        # before the runner makes a run directory.
        if self.encoder != "cnn":
            return  # keras.applications encoders check image_size themselves when built
        if not self.cnn_filters or min(self.cnn_filters) < 1:
            raise ValueError(
                f"cnn_filters={self.cnn_filters}: give one positive filter count per block"
            )
        smallest = 2 ** len(self.cnn_filters)  # each block halves the side
        if self.image_size < smallest:
            raise ValueError(
                f"image_size={self.image_size}: encoder=cnn with {len(self.cnn_filters)} blocks "
                f"needs image_size >= {smallest}"
            )


# The shrunken configuration `smoke=True` applies (fast enough for tests).
SMOKE = dict(
    epochs=1,
    batch_size=16,
    train_size=40,
    eval_size=6,
    image_size=32,
    units=16,
    embedding_dim=8,
    attention_units=8,
    examples_to_log=2,
    timing_images=2,
    beam_size=2,
    max_words=12,
)


def load_data(config):
    """The `CaptionData` named by `data` (and `data_dir`)."""
    if config.data == "shapes":
        return cap.load_shapes(config.train_size, config.eval_size, config.image_size, config.seed)
    if config.data == "flickr8k":
        if not config.data_dir:
            raise UsageError(
                "data=flickr8k needs data_dir=DIR (Kaggle Images/ + captions.txt, "
                "or Flicker8k_Dataset/ + Flickr8k.token.txt); offline, use data=shapes"
            )
        return cap.load_flickr8k(
            config.data_dir,
            config.image_size,
            skip_bad=config.skip_bad,
            max_images=config.max_images,
        )
    return cap.load_coco_captions(config.image_size, config.data_dir, config.max_images)


def caption_arrays(split, vocabulary, max_words):
    """``(ids [M, max_words + 2], owners [M])`` for every caption of the split."""
    token_lists, owners = cap.flatten_captions(split)
    return cap.encode_captions(token_lists, vocabulary, max_words), owners


def make_generator(model, config, max_len):
    """A `CaptionGenerator` over the model's encoder and decoder."""
    return cap.CaptionGenerator(
        model.get_layer("encoder"),
        model.get_layer("decoder"),
        max_len,
        jit_compile=config.jit_compile,
        length_penalty=config.length_penalty,
    )


def run(config, run_dir):
    """Train a captioner and score it on the test split; returns the metrics of metrics.json."""
    import keras

    data = load_data(config)
    train_tokens, _ = cap.flatten_captions(data.train)
    vocabulary = cap.build_caption_vocabulary(train_tokens, config.max_vocab, config.min_word_count)
    max_words = min(config.max_words, max(len(tokens) for tokens in train_tokens))
    max_len = max_words + 1  # decoding steps: words and <end>
    cap.save_caption_vocabulary(
        run_dir.path / "vocabulary.json",
        vocabulary,
        extra={
            "image_size": config.image_size,
            "max_len": max_len,
            "beam_size": config.beam_size,
            "length_penalty": config.length_penalty,
            "config": dataclasses.asdict(config),
        },
    )
    print(
        f"data: {data.name}: {len(data.train)} train / {len(data.valid)} valid / "
        f"{len(data.test)} test images, {len(train_tokens)} training captions, "
        f"{len(vocabulary)} words, captions cut to {max_words} words",
        flush=True,
    )

    train_ids, train_owners = caption_arrays(data.train, vocabulary, max_words)
    valid_ids, valid_owners = caption_arrays(data.valid, vocabulary, max_words)
    batches = cap.sampled_caption_batches if config.sample_captions else cap.caption_pairs
    train = batches(data.train, train_ids, train_owners, config.batch_size, config.seed)
    valid = (
        batches(data.valid, valid_ids, valid_owners, config.batch_size, config.seed)
        if len(valid_ids)
        else None
    )
    model = cap.build_captioner(
        vocab_size=len(vocabulary),
        caption_steps=max_words + 1,
        image_size=config.image_size,
        encoder=config.encoder,
        decoder=config.decoder,
        cell=config.cell,
        units=config.units,
        num_layers=config.num_layers,
        embedding_dim=config.embedding_dim,
        attention_units=config.attention_units,
        dropout=config.dropout,
        fine_tune=config.fine_tune,
        cnn_filters=config.cnn_filters,
    )
    timer, generator = EpochTimer(), make_generator(model, config, max_len)
    samples = cap.CaptionSamples(data.test, vocabulary, run_dir, generator, config.examples_to_log)
    history = fit_model(
        model,
        train,
        valid,
        config=config,
        run_dir=run_dir,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
        callbacks=[timer, cap.ImageNormCalibration(data.train.images[:512]), samples],
    )

    metrics = cap.score_captions(
        data.test, cap.generated_captions(generator, data.test, vocabulary, config.beam_size)
    )
    greedy = cap.score_captions(data.test, cap.generated_captions(generator, data.test, vocabulary))
    metrics.update(
        {
            f"greedy_{key}": value
            for key, value in greedy.items()
            if key in ("bleu4", "cider") or key.startswith("bleu4_")
        }
    )
    metrics.update(
        {
            name: values[-1]
            for name, values in history.history.items()
            if name in ("loss", "val_loss")
        }
    )  # the last epoch's (nats per word)
    metrics.update(timer.timing_metrics())
    if config.timing_images and len(data.test):
        timing = data.test.images[: config.timing_images]
        metrics["caption_seconds_per_image"] = cap.caption_seconds(generator, timing, 1)
        metrics["caption_seconds_per_image_beam"] = cap.caption_seconds(
            generator, timing, config.beam_size
        )
    metrics = {name: float(value) for name, value in metrics.items()}
    write_scalars(run_dir, "test", metrics, step=config.epochs)
    return metrics


def caption_image(run_path, image_path, beam_size=None, attention_path=None):
    """The caption a saved run gives an image file (and, optionally, its attention strip PNG)."""
    import keras
    from PIL import Image

    import tfnotes  # noqa: F401  (registers the cells; `cap` registers CaptionDecoder)

    run_path = Path(run_path)
    vocabulary, extra = cap.load_caption_vocabulary(run_path / "vocabulary.json")
    model = keras.models.load_model(run_path / "model.keras")
    image = cap.load_image_file(image_path, int(extra["image_size"]))
    config = Config(
        jit_compile=extra["config"].get("jit_compile", True),
        length_penalty=float(extra.get("length_penalty", 1.0)),
    )
    if attention_path and not model.get_layer("decoder").attends:
        raise UsageError(f"{run_path} has no attention maps (decoder=show_tell)")
    generator = make_generator(model, config, int(extra["max_len"]))
    beam_size = int(extra.get("beam_size", 1) if beam_size is None else beam_size)
    # The attention of the caption printed: greedy decoding's own, or the beam's best path's.
    ids, attention = generator.caption(image[None], beam_size, with_attention=bool(attention_path))
    words = cap.ids_to_words(ids[0], vocabulary)
    if attention_path:
        steps = min(len(words) + 1, attention.shape[1])  # each word and <end>
        strip = cap.attention_strip(
            image, words, attention[0, :steps], cap.feature_grid(model.get_layer("encoder"))
        )
        Image.fromarray(strip).save(attention_path)
    return words


def main(argv):
    """`python -m experiments.captioning RUN_DIR IMAGE [beam_size=N] [attention=PNG]`."""
    usage = (
        "usage: python -m experiments.captioning RUN_DIR IMAGE [beam_size=N] [attention=OUT.png]"
    )
    if len(argv) < 2:
        print(usage, file=sys.stderr)
        return 2
    run_path, image_path, options = (
        argv[0],
        argv[1],
        dict(arg.partition("=")[::2] for arg in argv[2:]),
    )
    unknown = set(options) - {"beam_size", "attention"}
    if unknown or not (Path(run_path) / "model.keras").is_file():
        problem = (
            f"unknown option {sorted(unknown)[0]}"
            if unknown
            else f"{run_path} has no model.keras (is it a finished captioning run?)"
        )
        print(f"error: {problem}; {usage}", file=sys.stderr)
        return 2
    try:
        beam = int(options["beam_size"]) if "beam_size" in options else None
    except ValueError:
        beam = 0
    if beam is not None and beam < 1:
        print(f"error: beam_size must be a positive integer (1: greedy); {usage}", file=sys.stderr)
        return 2
    try:
        words = caption_image(run_path, image_path, beam, options.get("attention"))
    except (UsageError, DataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(" ".join(words))
    print(json.dumps({"image": str(image_path), "caption": " ".join(words)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

r"""Fast style transfer (Johnson et al.): a network learns one style, then stylises in one pass.

The transformation network (tfnotes.style.transformer) learns, on a folder of
content images, to minimise the same content + style + total-variation objective
as `style_transfer` (losses on a fixed VGG19 or random backbone); afterwards any
image is stylised by one forward pass instead of hundreds of optimisation steps.

Run it:

    make experiment NAME=fast_style_transfer ARGS="backbone=random"  # offline: drawn images
    make experiment NAME=fast_style_transfer ARGS="backbone=random strategy=mirrored devices=2"
    S=../shared/data/style
    make experiment NAME=fast_style_transfer \
        ARGS="style=$S/starry_night.jpg content=$S/tubingen.jpg content_dir=DIR"

Without `content_dir=` it trains on synthetic drawings (and without `style=` /
`content=` it draws those too), so the first command runs with no data and no
network. Writes transformer.keras (load it with keras.models.load_model after
`import tfnotes`), stylized.png (the `content` image at longest side `eval_size`),
training loss terms and preview images in TensorBoard (train/), and metrics.json:
initial_total_loss and total_loss, content_loss, style_loss, tv_loss (on a fixed
batch of training images before and after training), seconds_per_step (training),
seconds_per_image (one compiled forward pass at eval_size, median of
`timing_repeats` after a warm-up), backbone_is_random.
"""

import dataclasses
import statistics
import time
from typing import Annotated, Literal

import keras
import numpy as np
import tensorflow as tf

from tfnotes.errors import UsageError
from tfnotes.style import (
    BACKBONES,
    as_tensors,
    build_transformer,
    describe,
    draw_content,
    list_images,
    load_image,
    load_square,
    objective_from_config,
    save_image,
    split_names,
    style_images,
)
from tfnotes.train import (
    ALL_STRATEGIES,
    CommonConfig,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    Range,
    jit_compile_under_strategy,
    scale_for_replicas,
    write_scalars,
    write_text,
)

# The runner's strategy= values: the training step runs on every replica
# (make_train_step); multi_worker and tpu use the same code, untested here.
STRATEGIES = ALL_STRATEGIES

# Johnson et al.'s VGG16 layers relu2_2 (content) and relu1_2, relu2_2, relu3_3, relu4_3 (style),
# taken at the same depth (last convolution of the block) in VGG19.
JOHNSON_CONTENT_LAYERS = "block2_conv2"
JOHNSON_STYLE_LAYERS = "block1_conv2,block2_conv2,block3_conv4,block4_conv4"


@dataclasses.dataclass
class Config(CommonConfig):
    """Fast-style-transfer settings; every field can be set as `key=value` on the command line."""

    style: str | None = None  # the one style image to learn (None: a synthetic drawing)
    content_dir: str | None = None  # folder of training content images (None: drawings)
    content: str | None = None  # image stylised and timed after training (None: a drawing)
    # side of the square training crops (and longest side of the style image): a multiple of 4
    # (the transformer halves it twice), at least 16 (VGG19's block5 sees 1/16 of it)
    size: Annotated[int, Range("[16, inf)")] = 256
    # longest side of the stylised output whose forward pass is timed
    eval_size: Annotated[int, Range("[16, inf)")] = 512
    steps: PositiveInt = 2000  # training steps
    batch_size: PositiveInt = 4  # content images per step
    learning_rate: PositiveFloat = 1e-3  # Adam step size for the transformation network
    # weight of the content term (definitions as style_transfer)
    content_weight: NonNegativeFloat = 1e4
    style_weight: NonNegativeFloat = 1e-2  # weight of the style term
    tv_weight: NonNegativeFloat = 30.0  # weight of the total-variation term (per image)
    content_layers: str = JOHNSON_CONTENT_LAYERS  # comma-separated VGG19 layers for content
    style_layers: str = JOHNSON_STYLE_LAYERS  # comma-separated VGG19 layers for style
    backbone: Literal[BACKBONES] = "vgg19"  # loss net
    backbone_weights: str | None = None  # local VGG19 notop .h5 instead of the download
    filters: PositiveInt = 32  # transformer width (first convolution; doubles twice)
    residual_blocks: NonNegativeInt = 5  # residual blocks at the lowest resolution
    max_images: PositiveInt = 2000  # content images read from content_dir (all held in memory)
    synthetic_images: PositiveInt = 64  # synthetic content drawings when content_dir is not given
    log_every: PositiveInt = 100  # steps between TensorBoard scalars and preview images
    timing_repeats: PositiveInt = 5  # timed forward passes for seconds_per_image

    def __post_init__(self):
        # A ValueError here reaches the user as a one-line usage error (status 2)
        # before the runner makes a run directory.
        if self.size % 4:
            raise ValueError(
                f"size={self.size}: the training crops' side must be a multiple of 4 "
                "(the transformer halves it twice and doubles it back)"
            )


# The shrunken configuration `smoke=True` applies (fast enough for tests).
SMOKE = dict(
    size=64,
    eval_size=64,
    steps=6,
    batch_size=2,
    filters=8,
    residual_blocks=1,
    synthetic_images=6,
    log_every=3,
    timing_repeats=2,
)


def training_images(config):
    """Square content crops [N, size, size, 3] from content_dir, or synthetic drawings."""
    if config.content_dir:
        files = list_images(config.content_dir, role="content")[: config.max_images]
        return np.stack([load_square(path, config.size, role="content") for path in files])
    return np.stack(
        [
            draw_content(config.size, config.size, seed=config.seed + 100 + index)
            for index in range(config.synthetic_images)
        ]
    )


def evaluation_image(config):
    """The image to stylise after training, longest side eval_size, sides multiples of 4."""
    if config.content:
        return load_image(config.content, config.eval_size, role="content", multiple=4)
    width = config.eval_size
    return draw_content(width, (width * 3 // 4) // 4 * 4, seed=config.seed)


def make_train_step(transformer, objective, optimizer, jit_compile):
    """One compiled step: stylise a batch, score it against itself and the style, update.

    Runs on every replica of the current tf.distribute strategy (the runner's
    ``strategy=``; one device otherwise): ``train_step(batch, ...)`` takes the global
    batch, each replica stylises its equal share, differentiates its batch-mean loss
    divided by the replicas, and the optimizer sums the replicas' gradients. Every
    loss term is a mean of per-image values (the transformer normalises each image
    on its own), so the step is the one-device step; the returned terms are the
    global batch's means.
    """
    strategy = tf.distribute.get_strategy()
    replicas = strategy.num_replicas_in_sync

    def replica_step(batch, style_targets, weights):
        content_targets = [tf.stop_gradient(f) for f in objective.content_targets(batch)]
        with tf.GradientTape() as tape:
            terms = objective.terms(
                transformer(batch, training=True), content_targets, style_targets, weights
            )
            loss = scale_for_replicas(terms["total_loss"])
        gradients = tape.gradient(loss, transformer.trainable_variables)
        optimizer.apply_gradients(zip(gradients, transformer.trainable_variables))
        return terms

    @tf.function(jit_compile=jit_compile_under_strategy(jit_compile))
    def replicated_step(shares, style_targets, weights):
        terms = strategy.run(replica_step, args=(shares, style_targets, weights))
        return {name: strategy.reduce("MEAN", value, axis=None) for name, value in terms.items()}

    def train_step(batch, style_targets, weights):
        rows = batch.shape[0] // replicas  # run() checks that the batch splits evenly

        def share(context):
            start = context.replica_id_in_sync_group * rows
            return batch[start : start + rows]

        shares = strategy.experimental_distribute_values_from_function(share)
        return replicated_step(shares, style_targets, weights)

    return train_step


def evaluate(transformer, objective, batch, targets):
    """Loss terms (floats) of the transformer's output on a fixed batch."""
    terms = objective.terms(
        transformer(batch, training=False), objective.content_targets(batch), *targets
    )
    return {name: float(value) for name, value in terms.items()}


def time_forward(transformer, image, repeats, jit_compile):
    """(stylised image, median seconds of a compiled forward pass after one warm-up pass)."""
    jit_compile = jit_compile_under_strategy(jit_compile)
    forward = tf.function(lambda x: transformer(x, training=False), jit_compile=jit_compile)
    batch = tf.constant(image[None])
    output = forward(batch).numpy()
    seconds = []
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        output = forward(batch).numpy()
        seconds.append(time.perf_counter() - started)
    return output[0], statistics.median(seconds)


def run(config, run_dir):
    """Train the transformer, save it, stylise and time one image; returns the metrics."""
    if len(split_names(config.style)) > 1:
        raise UsageError(
            f"style={config.style}: fast style transfer learns one style; give one image "
            f"(style_transfer blends several)"
        )
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if config.batch_size % replicas:
        raise UsageError(
            f"batch_size={config.batch_size} must be a multiple of the {replicas} replicas "
            f"(strategy={config.strategy}): each replica stylises an equal share"
        )
    images = training_images(config)
    evaluation = evaluation_image(config)  # read before training so a bad path fails at once
    objective = objective_from_config(config)
    label = describe(config.backbone, config.backbone_weights)
    print(f"{label}; {len(images)} training images of {config.size}x{config.size}", flush=True)
    write_text(run_dir, "train", "backbone", label, step=0)

    style = style_images(config.style, config.size, seed=config.seed + 1)[0]
    grams, weights = objective.style_targets([style[None]])
    targets = (as_tensors(grams), as_tensors(weights))
    transformer = build_transformer(config.filters, config.residual_blocks)
    optimizer = keras.optimizers.Adam(learning_rate=config.learning_rate)
    optimizer.build(transformer.trainable_variables)
    train_step = make_train_step(transformer, objective, optimizer, config.jit_compile)

    fixed_batch = tf.constant(images[: config.batch_size])
    initial = evaluate(transformer, objective, fixed_batch, targets)
    rng = np.random.default_rng(config.seed)
    writer = tf.summary.create_file_writer(str(run_dir.path / "train"))
    seconds = []
    for step in range(config.steps):
        batch = tf.constant(
            images[
                rng.choice(len(images), config.batch_size, replace=len(images) < config.batch_size)
            ]
        )
        started = time.perf_counter()
        terms = {name: float(value) for name, value in train_step(batch, *targets).items()}
        seconds.append(time.perf_counter() - started)
        if step % config.log_every == 0 or step == config.steps - 1:
            write_scalars(run_dir, "train", terms, step=step)
            with writer.as_default():
                tf.summary.image(
                    "stylized_training_images",
                    transformer(fixed_batch, training=False),
                    step=step,
                    max_outputs=config.batch_size,
                )
            print(f"step {step}: " + " ".join(f"{k}={v:.4g}" for k, v in terms.items()), flush=True)
    writer.close()

    transformer.save(run_dir.path / "transformer.keras")
    stylized, seconds_per_image = time_forward(
        transformer, evaluation, config.timing_repeats, config.jit_compile
    )
    save_image(stylized, run_dir.path / "stylized.png")
    print(
        f"stylised {evaluation.shape[1]}x{evaluation.shape[0]} pixels in {seconds_per_image:.4f} s",
        flush=True,
    )

    metrics = evaluate(transformer, objective, fixed_batch, targets)
    metrics["initial_total_loss"] = initial["total_loss"]
    metrics["seconds_per_step"] = statistics.median(seconds[1:] or seconds or [0.0])
    metrics["first_step_seconds"] = seconds[0] if seconds else 0.0
    metrics["seconds_per_image"] = seconds_per_image
    metrics["backbone_is_random"] = 1.0 if config.backbone == "random" else 0.0
    return metrics

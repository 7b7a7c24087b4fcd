r"""Neural style transfer (Gatys et al.): optimise an image to one's content and another's style.

Content is matched on deep VGG19 feature maps, style on Gram matrices (feature
correlations) of several layers; one XLA-compiled function computes the features,
Gram matrices, losses, gradient and the Adam update. `optimizer=lbfgs` runs
L-BFGS-B (scipy) on a compiled value-and-gradient function instead, as in the paper.

Run it:

    make experiment NAME=style_transfer ARGS="backbone=random"  # offline: drawn images
    S=../shared/data/style
    make experiment NAME=style_transfer ARGS="content=$S/tubingen.jpg style=$S/starry_night.jpg"
    make experiment NAME=style_transfer ARGS="backbone=random content=$S/tubingen.jpg \
        style=$S/starry_night.jpg,$S/the_scream.jpg style_weights=0.7,0.3 preserve_color=True"

Without `content=` / `style=` it draws a small synthetic content picture (a house
under a sun) and a striped style picture, so the first command runs on a fresh
machine with no data and no network. `backbone=vgg19` (the default) needs the
keras.applications ImageNet weights (downloaded once into ~/.keras/models) or
`backbone_weights=PATH` to a local notop .h5 file; `backbone=random` uses random
VGG19-shaped features (same cost, meaningless pictures), labelled as such in the
logs, TensorBoard and metrics (`backbone_is_random`).

Every `log_every` steps it prints one line, the loss terms with the time so far and
an estimate of the time left (from the median step time), e.g. ``step 50/300: ...
(38 s, about 3 min 10 s left)``. Writes stylized.png, the image and loss terms every
`log_every` steps in TensorBoard (train/), and metrics.json: initial_total_loss, total_loss,
content_loss, style_loss, tv_loss (weighted terms, final), seconds_per_step
(median after the first, compiling, step), first_step_seconds, backbone_is_random.
"""

import dataclasses
import statistics
import time
from typing import Annotated, Literal

import keras
import numpy as np
import tensorflow as tf

from tfnotes.style import (
    BACKBONES,
    as_tensors,
    content_image,
    describe,
    luminance_image,
    matched_luminance,
    objective_from_config,
    recombine,
    save_image,
    split_names,
    style_images,
    style_weights,
)
from tfnotes.train import (
    CommonConfig,
    NonNegativeFloat,
    PositiveFloat,
    PositiveInt,
    Range,
    write_scalars,
    write_text,
)

# strategy=: one device only (the runner refuses the others with this note).
STRATEGIES = ("none",)
STRATEGY_NOTE = (
    "it optimises the pixels of one image, a batch of one: there is nothing to split "
    "across replicas; fast_style_transfer trains a network on batches and supports them"
)

GATYS_STYLE_LAYERS = "block1_conv1,block2_conv1,block3_conv1,block4_conv1,block5_conv1"


@dataclasses.dataclass
class Config(CommonConfig):
    """Style-transfer settings; every field can be set as `key=value` on the command line."""

    content: str | None = None  # content image path (None: a synthetic drawing)
    style: str | None = None  # style image path(s), comma-separated (None: a synthetic drawing)
    style_weights: tuple[float, ...] | None = None  # weight per style image, e.g. 0.7,0.3
    # longest side of the output (and of each style image) in pixels; VGG19's block5 sees 1/16 of
    # it, and the drawn content picture is 3/4 as tall
    size: Annotated[int, Range("[32, inf)")] = 512
    steps: PositiveInt = 300  # optimisation steps (L-BFGS: iterations)
    optimizer: Literal["adam", "lbfgs"] = "adam"  # Adam (TF tutorial) or L-BFGS-B (the paper)
    learning_rate: PositiveFloat = 0.02  # Adam step size on pixels in [0, 1] (the TF tutorial's)
    content_weight: NonNegativeFloat = 1e4  # weight of the content term
    style_weight: NonNegativeFloat = 1e-2  # weight of the style term
    tv_weight: NonNegativeFloat = 30.0  # weight of the total-variation (smoothness) term
    content_layers: str = "block5_conv2"  # comma-separated VGG19 layers for content
    style_layers: str = GATYS_STYLE_LAYERS  # comma-separated VGG19 layers for style (Gatys')
    init: Literal["content", "noise"] = "content"  # start from the content image or uniform noise
    preserve_color: bool = False  # luminance-only transfer: keep the content image's colours
    # VGG19 ImageNet features, or random (offline, tests)
    backbone: Literal[BACKBONES] = BACKBONES[0]
    backbone_weights: str | None = None  # local VGG19 notop .h5 instead of the download
    log_every: PositiveInt = 50  # steps between TensorBoard images and loss scalars

    def __post_init__(self):
        # Its UsageError reaches the user as one line (status 2) before the runner
        # makes a run directory.
        style_weights(self.style_weights, len(split_names(self.style)) or 1)


# The shrunken configuration `smoke=True` applies (fast enough for tests).
# A gentler Adam step than the tutorial's 0.02, which overshoots on 64-pixel images.
SMOKE = dict(size=64, steps=10, log_every=5, learning_rate=0.005)


def prepare_images(config):
    """(original content, content to optimise towards, style images, per-style weights).

    With preserve_color the second and third are luminance images (luminance-only transfer).
    """
    original = content_image(config.content, config.size, seed=config.seed)
    styles = style_images(config.style, config.size, seed=config.seed + 1)
    weights = style_weights(config.style_weights, len(styles))
    if not config.preserve_color:
        return original, original, styles, weights
    styles = [matched_luminance(style, original) for style in styles]
    return original, luminance_image(original), styles, weights


def format_duration(seconds):
    """A duration for people: ``4.2 s``, ``12 s``, ``2 min 10 s``, ``1 h 05 min``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def progress_note(done, total, elapsed, seconds):
    """``12 s, about 2 min 10 s left`` after `done` of `total` steps, `elapsed` seconds in.

    The estimate is the median step time so far (`seconds`, one entry per step, the
    first, compiling, one left out) times the steps left; after the first step alone
    there is none yet.
    """
    if done >= total:
        return f"{format_duration(elapsed)}, done"
    if len(seconds) < 2:
        return f"{format_duration(elapsed)} with compilation, no estimate yet"
    per_step = statistics.median(seconds[1:])
    return f"{format_duration(elapsed)}, about {format_duration(per_step * (total - done))} left"


def adam_optimise(objective, start, targets, config, log):
    """Adam on the pixels, one compiled step per update.

    Calls ``log(step, terms, image, seconds of the steps so far)`` after each step.
    Returns (final image, seconds of each step, loss before the first update).
    """
    image = keras.Variable(start[None], dtype="float32", name="image")
    optimizer = keras.optimizers.Adam(learning_rate=config.learning_rate, beta_1=0.99, epsilon=0.1)
    optimizer.build([image])

    @tf.function(jit_compile=config.jit_compile)
    def step(content_targets, style_targets, weights):
        with tf.GradientTape() as tape:
            terms = objective.terms(image, content_targets, style_targets, weights)
        gradient = tape.gradient(terms["total_loss"], image)
        optimizer.apply_gradients([(gradient, image)])
        image.assign(tf.clip_by_value(image.value, 0.0, 1.0))
        return terms

    seconds, initial = [], None
    for index in range(config.steps):
        started = time.perf_counter()
        terms = {
            name: float(value) for name, value in step(*targets).items()
        }  # float() waits for the step
        seconds.append(time.perf_counter() - started)
        initial = (
            terms["total_loss"] if initial is None else initial
        )  # the loss before the first update
        log(index, terms, image.numpy()[0], seconds)
    return image.numpy()[0], seconds, initial


def lbfgs_optimise(objective, start, targets, config, log):
    """L-BFGS-B (scipy) within pixel bounds [0, 1], driving a compiled value-and-gradient function.

    Calls ``log(iteration, terms, image, seconds of the iterations so far)`` after each.
    Returns (final image, seconds per iteration, initial loss); an iteration may take
    more than one function evaluation (line search).
    """
    from scipy.optimize import minimize

    shape = (1, *start.shape)

    @tf.function(jit_compile=config.jit_compile)
    def value_and_gradient(flat, content_targets, style_targets, weights):
        with tf.GradientTape() as tape:
            tape.watch(flat)
            terms = objective.terms(
                tf.reshape(flat, shape), content_targets, style_targets, weights
            )
        return terms, tape.gradient(terms["total_loss"], flat)

    latest, seconds, initial = {}, [], []
    clock = {"last": time.perf_counter()}

    def evaluate(x):
        terms, gradient = value_and_gradient(tf.constant(x, tf.float32), *targets)
        latest.update({name: float(value) for name, value in terms.items()})
        if not initial:
            initial.append(latest["total_loss"])
        return latest["total_loss"], gradient.numpy().astype(np.float64)

    def after_iteration(x):
        now = time.perf_counter()
        seconds.append(now - clock["last"])
        log(len(seconds) - 1, dict(latest), x.reshape(start.shape).astype(np.float32), seconds)
        clock["last"] = time.perf_counter()  # logging time is not step time

    result = minimize(
        evaluate,
        start.astype(np.float64).ravel(),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * start.size,
        callback=after_iteration,
        options={"maxiter": config.steps, "maxfun": config.steps * 2},
    )
    return result.x.reshape(start.shape).astype(np.float32), seconds, initial[0]


def run(config, run_dir):
    """Stylise the content image; writes stylized.png and TensorBoard logs, returns the metrics."""
    original, content, styles, weights = prepare_images(config)
    objective = objective_from_config(config)
    label = describe(config.backbone, config.backbone_weights)
    print(label, flush=True)
    write_text(run_dir, "train", "backbone", label, step=0)

    style_grams, normalised_weights = objective.style_targets(
        [style[None] for style in styles], weights
    )
    targets = (
        as_tensors(objective.content_targets(content[None])),
        as_tensors(style_grams),
        as_tensors(normalised_weights),
    )
    rng = np.random.default_rng(config.seed)
    start = (
        content if config.init == "content" else rng.uniform(0, 1, content.shape).astype(np.float32)
    )
    show = (
        (lambda image: recombine(image, original))
        if config.preserve_color
        else (lambda image: image)
    )
    writer = tf.summary.create_file_writer(str(run_dir.path / "train"))

    def log(step, terms, image, seconds):
        if step % config.log_every and step != config.steps - 1:
            return
        write_scalars(run_dir, "train", terms, step=step)
        with writer.as_default():
            tf.summary.image("stylized", show(image)[None], step=step)
        losses = " ".join(f"{k}={v:.4g}" for k, v in terms.items())
        timing = progress_note(step + 1, config.steps, time.perf_counter() - began, seconds)
        print(f"step {step + 1}/{config.steps}: {losses} ({timing})", flush=True)

    optimise = adam_optimise if config.optimizer == "adam" else lbfgs_optimise
    began = time.perf_counter()
    final, seconds, initial = optimise(objective, start, targets, config, log)
    writer.close()
    save_image(show(final), run_dir.path / "stylized.png")

    final_terms = objective.terms(tf.constant(final[None]), *targets)
    metrics = {name: float(value) for name, value in final_terms.items()}
    metrics["initial_total_loss"] = initial
    metrics["seconds_per_step"] = statistics.median(seconds[1:] or seconds or [0.0])
    metrics["first_step_seconds"] = seconds[0] if seconds else 0.0
    metrics["backbone_is_random"] = 1.0 if config.backbone == "random" else 0.0
    write_scalars(
        run_dir, "train", {"final_" + k: v for k, v in final_terms.items()}, step=len(seconds)
    )
    return metrics

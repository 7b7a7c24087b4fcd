"""The conditional GAN's training curves (label accuracy and FID per epoch) as one picture.

Several runs in one picture (docs/gan_curves.png)::

    .venv/bin/python -m tfnotes.generative.curves OUT.png RUN_DIR [RUN_DIR ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from tfnotes.train.tensorboard_logging import read_scalars

PANELS = (("label_accuracy", "label accuracy (judge)"), ("fid", "FID (judge features)"))


def epoch_scores(run_dir, tag: str) -> dict[int, float]:
    """``{epoch (1-based): value}`` of a per-epoch sample score in the run's TensorBoard."""
    scores = read_scalars(Path(run_dir) / "validation", tag)
    return {step + 1: value for step, value in scores.items()}


def plot_training_curves(run_dirs, path, labels=None) -> None:
    """Saves label accuracy and FID per epoch of each run (read from its TensorBoard) to `path`.

    `labels` names the runs in the legend (default: their folder names).
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(1, 2, figsize=(10, 3.6))
    for run_dir, label in zip(run_dirs, labels or [Path(run).name for run in run_dirs]):
        for axis, (tag, _) in zip(axes, PANELS):
            scores = epoch_scores(run_dir, tag)
            axis.plot(list(scores), list(scores.values()), marker=".", label=label)
    for axis, (tag, title) in zip(axes, PANELS):
        axis.set_title(title)
        axis.set_xlabel("epoch")
        axis.grid(alpha=0.3)
    axes[0].axhline(0.97, color="grey", linestyle="--", linewidth=1)
    axes[0].legend(fontsize=8)
    axes[1].set_yscale("log")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


def main(argv=None) -> int:
    """``OUT.png RUN_DIR [RUN_DIR ...] [--label NAME ...]``: the runs' curves in one picture.

    Each run is labelled with its `--label` (one per run, in order) or its folder's name.
    """
    from tfnotes.errors import OneLineArgumentParser, UsageError

    parser = OneLineArgumentParser(prog="python -m tfnotes.generative.curves")
    parser.add_argument("out", help="the PNG to write")
    parser.add_argument("run_dirs", nargs="+", help="finished gan runs (their validation/ logs)")
    parser.add_argument(
        "--label", action="append", help="a run's name in the legend: one per run, in order"
    )
    try:
        args = parser.parse_args(argv)
        if args.label and len(args.label) != len(args.run_dirs):
            raise UsageError(
                f"{len(args.label)} --label for {len(args.run_dirs)} runs: give one per run or none"
            )
        out = Path(args.out)
        if out.suffix.lower() != ".png" or not out.resolve().parent.is_dir():
            raise UsageError(f"{args.out}: give a .png path in an existing folder")
        for run_dir in args.run_dirs:
            if not Path(run_dir).is_dir():
                raise UsageError(f"{run_dir}: no such run directory")
            if not (Path(run_dir) / "validation").is_dir():
                raise UsageError(f"{run_dir}: no validation/ TensorBoard logs (not a gan run?)")
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    plot_training_curves(args.run_dirs, args.out, labels=args.label)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

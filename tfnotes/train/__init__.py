"""Training machinery shared by the experiments: configs, run directories, fitting, logging."""

from tfnotes.train.callbacks import EpochTimer
from tfnotes.train.config import (
    ALL_STRATEGIES,
    RESUMABLE_KEYS,
    STRATEGIES,
    CommonConfig,
    DropRate,
    Fraction,
    NonNegativeFloat,
    NonNegativeInt,
    OptionalPositiveFloat,
    PositiveFloat,
    PositiveInt,
    Range,
    checked_values,
    config_from_dict,
    config_to_dict,
    field_range,
    narrowed_config,
    override_values,
    parse_overrides,
    resolve_config,
)
from tfnotes.train.distribute import Distribution, configure_distribution
from tfnotes.train.fitting import fit_model
from tfnotes.train.replicas import (
    draw_for_global_batch,
    jit_compile_under_strategy,
    scale_for_replicas,
)
from tfnotes.train.run_directory import RunDirectory
from tfnotes.train.seeding import seed_everything
from tfnotes.train.tensorboard_logging import (
    TextSummaryCallback,
    read_scalars,
    write_hparams,
    write_scalars,
    write_text,
)

__all__ = [
    "ALL_STRATEGIES",
    "DropRate",
    "Fraction",
    "NonNegativeFloat",
    "NonNegativeInt",
    "OptionalPositiveFloat",
    "PositiveFloat",
    "PositiveInt",
    "RESUMABLE_KEYS",
    "Range",
    "field_range",
    "narrowed_config",
    "CommonConfig",
    "checked_values",
    "override_values",
    "resolve_config",
    "EpochTimer",
    "parse_overrides",
    "STRATEGIES",
    "Distribution",
    "configure_distribution",
    "config_to_dict",
    "config_from_dict",
    "RunDirectory",
    "seed_everything",
    "fit_model",
    "draw_for_global_batch",
    "jit_compile_under_strategy",
    "scale_for_replicas",
    "read_scalars",
    "write_hparams",
    "write_scalars",
    "write_text",
    "TextSummaryCallback",
]

"""Every patch of private Keras internals in tfnotes, behind one version guard.

Both patches work around tensorflow/tensorflow#72388 ("tf.distribute and keras 3
incompatibility"): Keras 3's TensorFlow trainer
(``keras.src.backend.tensorflow.trainer``) mishandles ``tf.distribute`` strategies
in two places. `tfnotes.train.distribute` applies them when a run chooses a
TensorFlow strategy; they change this process only.

``patch_multi_worker_reduce`` (under ``MultiWorkerMirroredStrategy``)
    ``reduce_per_replica`` averages each step's logs across workers with
    ``strategy.reduce("MEAN", value, axis=0)``, which fails on the scalar losses and
    metrics ("Invalid reduction dimension 0 for input with 0 dimensions"), so `fit`
    stops at its first step. The patch reduces with ``axis=None``: the cross-worker
    mean Keras means.

``patch_build_under_strategies`` (under every TensorFlow strategy)
    Under a strategy, `fit` and `evaluate` learn the data's shapes from a batch they
    read through an extra iterator (``TensorFlowTrainer._maybe_symbolic_build``);
    with ``strategy=none`` Keras builds while tracing the first step instead. That
    extra iterator costs more than a batch:

    1. A dataset that reshuffles on every iteration (``shuffle(...,
       reshuffle_each_iteration=True)``, as the experiments' training data do) then
       trains on its second order, so a distributed run sees other batches than a
       one-device run with the same seed. Building needs only shapes and dtypes,
       which a dataset's ``element_spec`` has: the patch opens no iterator.
    2. Under ``MultiWorkerMirroredStrategy`` Keras all-reduces the whole first batch,
       a nested structure the strategy cannot reduce ("Attempt to convert a value
       (PerReplica...) to a Tensor"); for data that is not a dataset (arrays), the
       patch takes this process's first local batch, which has the shapes.

Tested range: Keras `TESTED_KERAS` (3.15.x; setup.cfg pins ``keras>=3.15,<3.16``).
Every patch first calls `check_keras_version`, which refuses any other Keras with
one line (a `UsageError`) naming the installed version and what to install.

When to drop a patch: tests/train/test_keras_patches.py reproduces each bug on the
unpatched Keras function (kept in `ORIGINALS`). When such a test fails on a newer
Keras, Keras has fixed the bug: delete the patch and its test, then add the minor
version to `TESTED_KERAS` and widen setup.cfg.

Importing this module is cheap: Keras's trainer (and so TensorFlow) is imported by
the patch functions, not here.
"""

from __future__ import annotations

from typing import Any, Callable

from tfnotes.keras_version import KERAS_REQUIREMENT, TESTED_KERAS, check_keras_version

__all__ = [
    "BUILD",
    "KERAS_REQUIREMENT",
    "ORIGINALS",
    "REDUCE",
    "TESTED_KERAS",
    "check_keras_version",
    "original",
    "patch_build_under_strategies",
    "patch_multi_worker_reduce",
]

# The patched attributes, as keys of `ORIGINALS` (relative to
# keras.src.backend.tensorflow).
REDUCE = "trainer.reduce_per_replica"
BUILD = "trainer.TensorFlowTrainer._maybe_symbolic_build"

# The unpatched Keras function of every patch applied in this process, by name.
ORIGINALS: dict[str, Callable[..., Any]] = {}


def _owner(name: str) -> tuple[Any, str]:
    """The object holding the attribute `name` (`REDUCE` or `BUILD`), and the attribute."""
    from keras.src.backend.tensorflow import trainer

    owners = {REDUCE: trainer, BUILD: trainer.TensorFlowTrainer}
    if name not in owners:
        raise KeyError(f"{name!r} is not patched here; one of: {', '.join(owners)}")
    return owners[name], name.rsplit(".", 1)[1]


def original(name: str) -> Callable[..., Any]:
    """Keras's own, unpatched function `name` (`REDUCE` or `BUILD`), patched or not."""
    if name in ORIGINALS:
        return ORIGINALS[name]
    owner, attribute = _owner(name)
    return getattr(owner, attribute)


def _install(name: str, replacement: Callable[..., Any]) -> None:
    """Sets `replacement` in place of `name`, keeping the unpatched function in `ORIGINALS`."""
    owner, attribute = _owner(name)
    ORIGINALS.setdefault(name, getattr(owner, attribute))
    replacement.tfnotes_patched = True
    setattr(owner, attribute, replacement)


def _is_patched(name: str) -> bool:
    owner, attribute = _owner(name)
    return getattr(getattr(owner, attribute), "tfnotes_patched", False)


def patch_multi_worker_reduce() -> None:
    """Makes `fit` work under MultiWorkerMirroredStrategy: logs reduced with ``axis=None``.

    Replaces ``reduce_per_replica`` of Keras's TensorFlow trainer (see the module
    docstring); other strategies and reductions go to Keras's own function. Raises
    `UsageError` on an untested Keras; applying it twice changes nothing.
    """
    check_keras_version()
    if _is_patched(REDUCE):
        return
    import tensorflow as tf
    from keras.src.backend.tensorflow import trainer

    original_reduce = original(REDUCE)

    def reduce_per_replica(values, strategy, reduction):
        if reduction in ("auto", "mean") and trainer._collective_all_reduce_multi_worker(strategy):
            return tf.nest.map_structure(
                lambda value: strategy.reduce("MEAN", value, axis=None), values
            )
        return original_reduce(values, strategy, reduction)

    _install(REDUCE, reduce_per_replica)


def patch_build_under_strategies() -> None:
    """Makes Keras build a model under tf.distribute without reading a batch of a dataset.

    Replaces ``TensorFlowTrainer._maybe_symbolic_build`` (see the module docstring):
    a dataset's ``element_spec`` gives the shapes; under multi-worker, other data
    gives its first local batch. Raises `UsageError` on an untested Keras; applying
    it twice changes nothing.
    """
    check_keras_version()
    if _is_patched(BUILD):
        return
    import tensorflow as tf
    from keras.src.backend.tensorflow import trainer
    from keras.src.trainers.data_adapters.tf_dataset_adapter import TFDatasetAdapter

    original_build = original(BUILD)

    def maybe_symbolic_build(self, iterator=None, data_batch=None):
        if iterator is not None and data_batch is None:
            strategy = self.distribute_strategy
            adapter = getattr(iterator, "data_adapter", None)
            if isinstance(adapter, TFDatasetAdapter):
                data_batch, iterator = adapter.get_tf_dataset().element_spec, None
            elif trainer._collective_all_reduce_multi_worker(strategy):
                for _, _, batches in iterator:
                    data_batch = tf.nest.map_structure(
                        lambda value: strategy.experimental_local_results(value)[0],
                        next(batches),
                    )
                    break
                iterator = None
        return original_build(self, iterator=iterator, data_batch=data_batch)

    _install(BUILD, maybe_symbolic_build)

"""Picking the labelled target digits, and loading both domains."""

import numpy as np
import pytest

from tfnotes.errors import UsageError
from tfnotes.transfer.domains import labelled_subset, load_domains


def test_labelled_subset_is_balanced_seeded_and_unique():
    labels = np.repeat(np.arange(10), 30)[np.random.default_rng(0).permutation(300)]
    picked = labelled_subset(labels, 100, seed=3)
    assert len(set(picked.tolist())) == 100
    assert np.bincount(labels[picked], minlength=10).tolist() == [10] * 10
    np.testing.assert_array_equal(picked, labelled_subset(labels, 100, seed=3))
    assert set(picked.tolist()) != set(labelled_subset(labels, 100, seed=4).tolist())
    # 25 labels: 3 of five classes, 2 of the others
    counts = sorted(np.bincount(labels[labelled_subset(labels, 25, seed=0)]).tolist())
    assert counts == [2] * 5 + [3] * 5
    assert len(labelled_subset(labels, 0, seed=0)) == 0


def test_labelled_subset_refuses_more_than_the_pool():
    with pytest.raises(UsageError, match="n_target_labels=301 is larger than the target's "
                       r"training split \(300 digits\)"):
        labelled_subset(np.zeros(300, np.int64), 301, seed=0)


def test_load_domains_reads_the_idx_target_and_renders_the_source(tmp_path, write_t10k_dir):
    directory = write_t10k_dir(tmp_path / "mnist", count=50)
    domains = load_domains("mnist", str(directory), source_count=40, max_eval_images=5)
    images, labels = domains.source_train
    assert images.shape == (30, 28, 28, 1) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0 and images.max() > 0.5
    assert domains.target_train[0].shape == (40, 28, 28, 1)  # 50 t10k digits: 40 / 10
    assert len(domains.target_eval[1]) == len(domains.source_eval[1]) == 5
    assert domains.target_source == str(directory)
    # The source domain does not depend on anything but its size.
    again = load_domains("mnist", str(directory), source_count=40)
    np.testing.assert_array_equal(again.source_train[0], images)

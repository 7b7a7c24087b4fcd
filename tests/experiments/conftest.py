"""Fixtures for the experiment tests."""

import gzip
import pathlib
import struct

import numpy as np
import pytest


@pytest.fixture(name="write_t10k_dir", scope="session")
def write_t10k_dir_fixture():
    """``write_t10k_dir(root, count=60, seed=0)``: a directory with only the t10k idx pair."""

    def write_t10k_dir(root: pathlib.Path, count: int = 60, seed: int = 0) -> pathlib.Path:
        rng = np.random.default_rng(seed)
        images = (rng.random((count, 28, 28)) < 0.2).astype(np.uint8) * 255
        labels = np.arange(count, dtype=np.uint8) % 10
        root.mkdir(parents=True, exist_ok=True)
        header = struct.pack(">IIII", 2051, count, 28, 28)
        (root / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(header + images.tobytes()))
        (root / "t10k-labels-idx1-ubyte.gz").write_bytes(
            gzip.compress(struct.pack(">II", 2049, count) + labels.tobytes())
        )
        return root

    return write_t10k_dir

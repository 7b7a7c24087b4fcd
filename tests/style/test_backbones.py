"""Feature backbones: the random VGG19-shaped extractor and the VGG19 weights errors."""

import keras
import numpy as np
import pytest

from tfnotes.errors import DataError, UsageError
from tfnotes.style import backbones, build_extractor


def test_random_backbone_exposes_vgg19_layer_names_at_vgg19_resolutions():
    extractor = build_extractor("random", ["block1_conv1", "block3_conv2", "block5_conv2"], seed=3)
    assert "random" in extractor.name
    outputs = extractor(np.zeros((1, 32, 48, 3), np.float32) + 0.5)
    assert {name: tuple(value.shape) for name, value in outputs.items()} == {
        "block1_conv1": (1, 32, 48, 64),
        "block3_conv2": (1, 8, 12, 256),
        "block5_conv2": (1, 2, 3, 512),
    }
    assert "block5_conv3" not in [
        layer.name for layer in extractor.layers
    ]  # truncated at the deepest layer


def test_random_backbone_is_seeded_and_its_features_stay_informative_with_depth():
    images = np.random.default_rng(0).uniform(size=(1, 32, 32, 3)).astype(np.float32)
    first = build_extractor("random", ["block4_conv1"], seed=1)(images)["block4_conv1"]
    again = build_extractor("random", ["block4_conv1"], seed=1)(images)["block4_conv1"]
    other = build_extractor("random", ["block4_conv1"], seed=2)(images)["block4_conv1"]
    np.testing.assert_allclose(first, again)
    assert not np.allclose(first, other)
    assert float(np.std(first)) > 1.0  # He-normal init: deep features have not collapsed to zero


def test_unknown_layer_is_a_usage_error_listing_the_choices():
    with pytest.raises(UsageError, match="block9_conv1.*block1_conv1"):
        build_extractor("random", ["block9_conv1"])


def _assert_names_both_ways_out(error):
    message = str(error.value)
    assert (
        "backbone_weights=PATH" in message and "backbone=random" in message and "\n" not in message
    )


def test_vgg19_without_network_or_cached_weights_names_both_offline_options(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(backbones, "can_download", lambda timeout=3.0: False)
    with pytest.raises(UsageError) as error:
        build_extractor("vgg19", ["block5_conv2"])
    _assert_names_both_ways_out(error)
    assert str(tmp_path) in str(error.value)


def test_a_failed_keras_download_is_turned_into_the_same_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(backbones, "can_download", lambda timeout=3.0: True)

    def offline_vgg19(**kwargs):
        raise Exception(
            "URL fetch failure on https://storage.googleapis.com/...: None -- [Errno -2]"
        )

    monkeypatch.setattr(keras.applications, "VGG19", offline_vgg19)
    with pytest.raises(UsageError) as error:
        build_extractor("vgg19", ["block5_conv2"])
    _assert_names_both_ways_out(error)


def test_backbone_weights_errors_name_the_file(tmp_path):
    missing = tmp_path / "missing.h5"
    with pytest.raises(UsageError, match="missing.h5"):
        build_extractor("vgg19", ["block1_conv1"], weights_path=missing)
    garbage = tmp_path / "garbage.h5"
    garbage.write_bytes(b"not an hdf5 file")
    with pytest.raises(DataError, match="garbage.h5") as error:
        build_extractor("vgg19", ["block1_conv1"], weights_path=garbage)
    assert "\n" not in str(error.value)


def test_vgg19_from_a_local_notop_h5_file_matches_keras_applications(tmp_path):
    """The real-VGG19 path, with random weights written in the legacy .h5 format of the download."""
    h5py = pytest.importorskip("h5py")
    from keras.src.legacy.saving import legacy_h5_format

    keras.utils.set_random_seed(0)
    reference = keras.applications.VGG19(
        include_top=False, weights=None, input_shape=(None, None, 3)
    )
    path = tmp_path / backbones.WEIGHTS_FILE
    with h5py.File(path, "w") as handle:
        legacy_h5_format.save_weights_to_hdf5_group(handle, reference)
    extractor = build_extractor("vgg19", ["block1_conv2", "block2_conv1"], weights_path=path)
    assert extractor.name == "vgg19_imagenet_features"
    images = np.random.default_rng(0).uniform(size=(1, 16, 16, 3)).astype(np.float32)
    expected = keras.Model(reference.input, reference.get_layer("block1_conv2").output)(
        keras.applications.vgg19.preprocess_input(images * 255.0)
    )
    np.testing.assert_allclose(extractor(images)["block1_conv2"], expected, rtol=1e-4, atol=1e-3)
    assert extractor(images)["block2_conv1"].shape == (1, 8, 8, 128)

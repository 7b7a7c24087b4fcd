"""Caffe-style VGG preprocessing agrees with keras.applications and inverts exactly."""

import keras
import numpy as np

from tfnotes.style import deprocess, preprocess


def test_preprocess_equals_keras_applications_vgg19_preprocess_input():
    images = np.random.default_rng(0).uniform(0, 255, size=(2, 5, 7, 3)).astype(np.float32)
    expected = keras.applications.vgg19.preprocess_input(images.copy())
    np.testing.assert_allclose(np.asarray(preprocess(images)), expected, rtol=1e-6, atol=1e-4)


def test_preprocess_flips_to_bgr_and_subtracts_the_imagenet_mean():
    pixel = np.array([[[10.0, 20.0, 30.0]]], np.float32)
    np.testing.assert_allclose(
        np.asarray(preprocess(pixel)), [[[30 - 103.939, 20 - 116.779, 10 - 123.68]]], rtol=1e-6
    )


def test_deprocess_inverts_preprocess():
    images = np.random.default_rng(1).uniform(0, 255, size=(1, 4, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(deprocess(preprocess(images))), images, atol=1e-4)

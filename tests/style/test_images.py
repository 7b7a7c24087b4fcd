"""Image loading, resizing and the one-line errors for bad paths and files."""

import numpy as np
import pytest

from tfnotes.errors import DataError, UsageError
from tfnotes.style import (
    draw_content,
    draw_style,
    list_images,
    load_image,
    save_image,
    style_weights,
)
from tfnotes.style.images import load_square, scaled_size


def test_load_image_resizes_the_longest_side_and_round_trips_through_png(tmp_path):
    path = tmp_path / "content.png"
    save_image(draw_content(40, 30), path)
    assert load_image(path).shape == (30, 40, 3)
    resized = load_image(path, 80)
    assert resized.shape == (60, 80, 3) and resized.dtype == np.float32
    assert 0.0 <= resized.min() and resized.max() <= 1.0
    np.testing.assert_allclose(
        load_image(path), np.round(draw_content(40, 30) * 255) / 255, atol=1e-6
    )
    assert load_square(path, 16).shape == (16, 16, 3)


def test_scaled_size_rounds_to_a_multiple():
    assert scaled_size(1000, 750, 512) == (512, 384)
    assert scaled_size(1000, 700, 512, multiple=4) == (512, 360)


def test_missing_image_is_a_one_line_usage_error_naming_the_file(tmp_path):
    missing = tmp_path / "nowhere.jpg"
    with pytest.raises(UsageError) as error:
        load_image(missing, role="style")
    assert str(missing) in str(error.value) and "style" in str(error.value)
    assert "\n" not in str(error.value)


def test_unreadable_image_is_a_one_line_data_error_naming_the_file(tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_text("this is not a jpeg\nsecond line\n")
    with pytest.raises(DataError) as error:
        load_image(broken, role="content")
    assert str(broken) in str(error.value) and "\n" not in str(error.value)


def test_folder_errors_name_the_folder(tmp_path):
    with pytest.raises(UsageError, match="missing_dir"):
        list_images(tmp_path / "missing_dir")
    with pytest.raises(DataError, match=str(tmp_path)):
        list_images(tmp_path)
    save_image(draw_style(8, 8), tmp_path / "b.png")
    save_image(draw_style(8, 8), tmp_path / "a.jpg")
    (tmp_path / "notes.txt").write_text("ignored")
    assert [p.name for p in list_images(tmp_path)] == ["a.jpg", "b.png"]


def test_style_weights_must_match_the_style_images():
    assert style_weights(None, 2) == [1.0, 1.0]
    assert style_weights((0.7, 0.3), 2) == [0.7, 0.3]
    with pytest.raises(UsageError, match="2 positive"):
        style_weights((1.0,), 2)

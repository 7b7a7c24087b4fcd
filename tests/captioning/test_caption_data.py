"""Shapes scenes and captions; Flickr8k in both layouts, with bad rows and missing images."""

import numpy as np
import pytest
from support.flickr_folders import NAMES, write_kaggle, write_original

from tfnotes.captioning.flickr8k import load_flickr8k
from tfnotes.captioning.shapes import Scene, Thing, draw_scene, load_shapes, scene_captions
from tfnotes.errors import DataError, UsageError


def test_shapes_splits_are_deterministic_and_captions_need_the_image():
    first, again = (
        load_shapes(30, 10, image_size=32, seed=4),
        load_shapes(30, 10, image_size=32, seed=4),
    )
    np.testing.assert_array_equal(first.test.images, again.test.images)
    assert first.test.captions == again.test.captions
    assert first.train.images.shape == (30, 32, 32, 3) and len(first.valid) == len(first.test) == 10
    assert all(
        len(captions) == 5 and len({" ".join(c) for c in captions}) == 5
        for captions in first.train.captions
    )
    words = {w for caps in first.train.captions for c in caps for w in c}
    assert {"red", "blue", "circle", "square", "small", "large", "three", "above"} <= words
    assert sum(len(v) for v in first.test.groups.values()) == 10


def test_scene_captions_name_relations_in_reading_order():
    red = Thing("red", "circle", "small", 0, 1)
    blue = Thing("blue", "square", "large", 2, 1)
    green = Thing("green", "triangle", "small", 2, 2)
    captions = scene_captions(Scene((red, blue, green), ((0, 0),) * 3))
    assert (
        captions[0] == "a small red circle above a large blue square left of a small green triangle"
    )
    assert (
        captions[1]
        == "a small green triangle right of a large blue square below a small red circle"
    )
    assert scene_captions(Scene((red,), ((0, 0),)))[2] == "a small red circle at the top"
    image = draw_scene(Scene((red,), ((0, 0),)), size=48)
    assert tuple(image[8, 24]) != tuple(image[40, 24])  # the circle is at the top only


def test_kaggle_layout_reads_quoted_captions_and_splits_by_hash(tmp_path):
    write_kaggle(tmp_path)
    data = load_flickr8k(tmp_path, image_size=16)
    assert (len(data.train), len(data.valid), len(data.test)) == (8, 1, 1)
    assert data.train.captions[0] == [
        ["a", "dog", "runs"],
        ["a", "dog", "a", "ball", "and", "grass"],
    ]
    assert data.train.images.shape == (8, 16, 16, 3)
    assert load_flickr8k(tmp_path, image_size=16).test.names == data.test.names


def test_original_layout_uses_the_standard_split_files(tmp_path):
    write_original(tmp_path)
    data = load_flickr8k(tmp_path, image_size=16)
    assert (
        data.train.names == NAMES[:6]
        and data.valid.names == NAMES[6:8]
        and data.test.names == NAMES[8:]
    )
    assert len(data.train.captions[0]) == 5 and data.name == "flickr8k (original layout)"


@pytest.mark.parametrize(
    "problem, message",
    [
        (dict(empty_row=True), "captions.txt: line 5: row has no caption"),
        (dict(missing=True), "captions.txt: line 7: image ghost.jpg not found"),
        (dict(broken=(NAMES[3],)), f"{NAMES[3]} (captions.txt line 8): cannot read image"),
    ],
)
def test_kaggle_problems_name_the_file_and_line(tmp_path, problem, message):
    write_kaggle(tmp_path, **problem)
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_flickr8k(tmp_path, image_size=16)


def test_skip_bad_skips_and_counts(tmp_path, capsys):
    write_kaggle(tmp_path, missing=True, empty_row=True, broken=(NAMES[3],))
    data = load_flickr8k(tmp_path, image_size=16, skip_bad=True)
    assert data.skipped == 3 and len(data.train) + len(data.valid) + len(data.test) == 9
    assert (
        "skipped 1 rows naming a missing image, 1 rows without a caption, 1 unreadable images"
        in capsys.readouterr().out
    )


def test_original_layout_missing_image_names_the_token_file_line(tmp_path):
    write_original(tmp_path, missing=True)
    with pytest.raises(DataError, match="Flickr8k.token.txt: line 3: image gone.jpg not found"):
        load_flickr8k(tmp_path, image_size=16)
    assert load_flickr8k(tmp_path, image_size=16, skip_bad=True).skipped == 1


def test_a_folder_in_neither_layout_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="not a Flickr8k folder"):
        load_flickr8k(tmp_path, image_size=16)

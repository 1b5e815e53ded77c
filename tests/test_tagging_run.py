"""`rnnlab train --data FILE --format wordtag|conllu` and `--data brown`: end to end on small
files written here, exact resume, and bad input (one line, exit 2, nothing written)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.data import make_dataset
from rnnlab.data.tagged import TaggedFile
from rnnlab.data.tagging_problem import load_tagger, tag_words

NOUNS = ["dog", "cat", "walk", "run", "book"]
VERBS = ["walk", "run", "book", "sees", "likes"]


def _write_corpus(path: Path, n: int = 400) -> None:
    """DET NOUN VERB DET NOUN, where walk/run/book are nouns after "the" and verbs after a
    noun: the word alone is ambiguous, its left neighbour decides."""
    rng = np.random.default_rng(0)
    lines = []
    for _ in range(n):
        a, b = rng.choice(NOUNS, size=2)
        lines.append(f"the/DET {a}/NOUN {rng.choice(VERBS)}/VERB The/DET {b}/NOUN")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _rows(path: Path) -> list[dict[str, str]]:
    """The evaluation rows without their wall time (which no resume can repeat)."""
    with open(path, encoding="utf-8") as f:
        return [{k: v for k, v in r.items() if k != "wall_time"} for r in csv.DictReader(f)]


FLAGS = ["--hidden", "8", "--batch", "16", "--eval-every", "10", "--dtype", "float64",
         "--lr", "0.02", "--option", "word_dim=8", "--option", "suffix_dim=2",
         "--option", "shape_dim=2", "--option", "min_count=1", "--quiet"]  # fmt: skip


@pytest.fixture(scope="module")
def tagger_run(tmp_path_factory) -> Path:
    """A tagger trained in seconds on `_write_corpus` (tags it >99 % right, see above)."""
    root = tmp_path_factory.mktemp("tagger")
    _write_corpus(root / "c.txt")
    flags = ["train", "--data", str(root / "c.txt"), "--format", "wordtag", *FLAGS]
    assert main([*flags, "--steps", "60", "--out", str(root / "run")]) == 0
    return root / "run"


def test_a_wordtag_file_trains_beyond_the_most_frequent_tag_and_resumes(
    tagger_run, tmp_path, capsys, resumed_equals
) -> None:
    full = tagger_run
    flags = ["train", "--data", str(full.parent / "c.txt"), "--format", "wordtag", *FLAGS]
    result = json.loads((full / "result.json").read_text())
    assert result["kind"] == "tagging" and result["metric_info"]["name"] == "token accuracy"
    assert result["test_accuracy"] > 0.99 and result["metric"] > 0.99
    assert result["baselines"]["most_frequent_tag"] < 0.95  # the ambiguous words cost it
    assert result["test_scores"]["tokens"] == 40 * 5  # 10 % of the 400 sentences
    vocab = json.loads((full / "vocabulary.json").read_text())
    assert vocab["tags"] == ["DET", "NOUN", "VERB"]
    tagger, vocab = load_tagger(full)  # a trained run tags new sentences
    tags = tag_words(tagger, vocab, [["the", "cat", "book", "the", "run"]])
    assert tags == [["DET", "NOUN", "VERB", "DET", "NOUN"]]
    split = json.loads((full / "split.json").read_text())
    assert (split["train"], split["valid"], split["test"]) == (320, 40, 40)
    half = tmp_path / "half"
    assert main([*flags, "--steps", "60", "--checkpoint-every", "30", "--out", str(half)]) == 0
    assert resumed_equals(full, half)  # resumed from the checkpoint of step 30
    assert _rows(full / "metrics.csv") == _rows(half / "metrics.csv")
    assert "token accuracy" in capsys.readouterr().out  # the resumed run's summary


def test_a_conllu_file_is_a_tagged_dataset(tmp_path) -> None:
    rows = ["1\tthe\tthe\tDET\tDT\t_\t2\tdet\t_\t_", "2\tdog\tdog\tNOUN\tNN\t_\t0\troot\t_\t_"]
    (tmp_path / "t.conllu").write_text(("\n".join(rows) + "\n\n") * 10, encoding="utf-8")
    dataset = make_dataset(str(tmp_path / "t.conllu"))
    assert isinstance(dataset, TaggedFile)
    assert dataset.sizes() == {"train_tokens": 16, "valid_tokens": 2, "test_tokens": 2}


def test_bad_tagging_arguments_exit_2_and_write_nothing(tmp_path, capsys) -> None:
    _write_corpus(tmp_path / "c.txt", n=20)
    bad = tmp_path / "bad.conllu"
    bad.write_text("1\tthe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n2\tdog\tdog\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    for flags, message in [
        (["--data", str(tmp_path / "c.txt"), "--format", "csv"],
         "format: expected one of text, conllu, wordtag, got 'csv'"),
        (["--data", str(bad)], "bad.conllu line 2: expected 10 tab-separated CoNLL-U columns"),
        (["--data", "brown"], "data_dir: --data brown needs --data-dir DIR"),
        (["--data", "brown", "--data-dir", str(tmp_path / "empty")],
         "does not hold the Brown corpus files (ca01 ... cr09: found 0 of 500"),
        (["--data", str(tmp_path / "c.txt"), "--format", "wordtag", "--option", "word_dim=0"],
         "word_dim: expected a positive integer"),
    ]:  # fmt: skip
        assert main(["train", *flags, "--out", str(tmp_path / "r"), "--quiet"]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
        assert not (tmp_path / "r").exists()


def test_predict_tags_sentences_unknown_words_included(tagger_run, tmp_path, capsys) -> None:
    # "zebra" and "Jumps" never occur in training: the unknown word row, suffixes and shape
    # tag them; "the" decides that "book" after it is a noun, as in training.
    args = ["predict", "--run", str(tagger_run), "--text", "The cat book the dog"]
    assert main([*args, "--text", "the zebra"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "The/DET cat/NOUN book/VERB the/DET dog/NOUN"
    assert lines[1].split()[0] == "the/DET" and lines[1].split()[1].startswith("zebra/")
    (tmp_path / "s.txt").write_text("the book Jumps\n\nthe run\n", encoding="utf-8")
    args = ["predict", "--run", str(tagger_run), "--file", str(tmp_path / "s.txt"), "--json"]
    assert main(args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["words"] for r in rows] == [["the", "book", "Jumps"], ["the", "run"]]
    assert rows[1]["tags"] == ["DET", "NOUN"] and rows[0]["tags"][:2] == ["DET", "NOUN"]
    assert all(t in {"DET", "NOUN", "VERB"} for r in rows for t in r["tags"])


def test_predict_on_a_tagger_refuses_bad_input_in_one_line(tagger_run, tmp_path, capsys) -> None:
    (tmp_path / "blank.txt").write_text("\n  \n", encoding="utf-8")
    before = {p.name: p.stat().st_mtime_ns for p in tagger_run.iterdir()}
    for flags, message in [
        (["--text", "  "], "text: expected at least one non-empty sentence (--text or --file)"),
        ([], "text: expected at least one non-empty sentence"),
        (["--file", str(tmp_path / "blank.txt")], "blank.txt is empty"),
        (["--file", str(tmp_path / "none.txt")], "file: cannot read"),
        (["--word", "cat"], "word: --word is for seq2seq runs; "),
        (["--text", "the dog", "--beam", "2"], "beam: --beam is for seq2seq runs"),
    ]:
        assert main(["predict", "--run", str(tagger_run), *flags]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
        assert err.startswith("rnnlab predict: error: ")
    assert {p.name: p.stat().st_mtime_ns for p in tagger_run.iterdir()} == before

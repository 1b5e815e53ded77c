"""rotten_tomatoes: the fixed split, the baselines, a many-to-one run and rnnlab predict."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.data import make_dataset
from rnnlab.data.sentiment import split_indices


def test_split_is_fixed_seeded_80_10_10() -> None:
    parts = split_indices(12808)
    assert [len(p) for p in parts.values()] == [10246, 1281, 1281]
    joined = np.concatenate(list(parts.values()))
    assert sorted(joined.tolist()) == list(range(12808))
    assert np.array_equal(split_indices(12808)["test"], parts["test"])
    sizes = make_dataset("rotten_tomatoes").sizes()
    assert sizes == {"train": 10246, "valid": 1281, "test": 1281}


@pytest.fixture(scope="module")
def sentiment_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("rt") / "run"
    assert main(["train", "--data", "rotten_tomatoes", "--hidden", "8", "--batch", "16",
                 "--steps", "20", "--eval-every", "20", "--dtype", "float64", "--quiet",
                 "--out", str(run)]) == 0  # fmt: skip
    return run


def test_a_sentiment_run_stands_beside_its_baselines(sentiment_run) -> None:
    result = json.loads((sentiment_run / "result.json").read_text())
    assert result["metric_info"] == {"name": "test accuracy", "unit": "fraction correct",
                                     "better": "higher"}  # fmt: skip
    base = result["baselines"]
    assert 0.55 < base["majority"] < 0.65  # fresh: 58 % of all snippets, 62 % of the test part
    assert base["bow_logreg"] > base["majority"] + 0.1
    assert 0.0 <= result["metric"] <= 1.0 and "valid_accuracy" in result["test"]


def test_predict_labels_snippets(sentiment_run, tmp_path, capsys) -> None:
    capsys.readouterr()
    (tmp_path / "s.txt").write_text("A three-hour cinema master class.\n\nDull and lifeless.\n")
    flags = ["predict", "--run", str(sentiment_run), "--file", str(tmp_path / "s.txt"), "--json"]
    assert main([*flags, "--text", "Wonderful."]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["text"] for r in rows] == [
        "Wonderful.", "A three-hour cinema master class.", "Dull and lifeless."]  # fmt: skip
    assert all(r["label"] in ("fresh", "rotten") and 0.5 <= r["probability"] <= 1 for r in rows)


def test_predict_bad_input_is_one_line(sentiment_run, tmp_path, capsys) -> None:
    (tmp_path / "t.txt").write_text("some text to learn from " * 300)
    text_run = tmp_path / "text"
    assert main(["train", "--data", str(tmp_path / "t.txt"), "--hidden", "4", "--batch", "4",
                 "--tbptt", "10", "--steps", "2", "--eval-every", "1", "--quiet",
                 "--out", str(text_run)]) == 0  # fmt: skip
    capsys.readouterr()
    for flags, message in [
        (["--run", str(text_run), "--text", "good"], "predict takes runs of the kinds"),
        (["--run", str(sentiment_run)], "expected at least one non-empty snippet"),
        (["--run", str(sentiment_run), "--text", "  "], "expected at least one non-empty"),
        (["--run", str(tmp_path / "none"), "--text", "x"], "holds no run"),
    ]:
        assert main(["predict", *flags]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err

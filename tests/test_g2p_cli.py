"""`rnnlab train --data cmudict` and `rnnlab predict --word` end to end (a tiny model)."""

from __future__ import annotations

import json

import pytest

from rnnlab.cli import main

TINY = [
    "train", "--data", "cmudict", "--model", "seq2seq", "--hidden", "8", "--batch", "16",
    "--steps", "4", "--eval-every", "2", "--option", "eval_words=20",
    "--option", "embed=8", "--quiet",
]  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("g2p") / "run"
    assert main([*TINY, "--attention", "bahdanau", "--out", str(out)]) == 0
    return out


def test_train_writes_a_run_with_metrics_and_baselines(run_dir) -> None:
    result = json.loads((run_dir / "result.json").read_text())
    assert result["metric_info"]["name"] == "validation word error rate"
    assert set(result["baselines"]) == {"neighbour_wer", "neighbour_per"}
    assert 0 <= result["metric"] <= 100 and result["steps_run"] == 4
    header = (run_dir / "metrics.csv").read_text().splitlines()[0]
    assert "test_heldout_wer" in header and "test_per" in header
    config = json.loads((run_dir / "config.json").read_text())
    assert config["data_options"]["attention"] == "bahdanau"
    vocabulary = json.loads((run_dir / "vocabulary.json").read_text())
    assert len(vocabulary["phonemes"]) == 39 and vocabulary["letters"][0] == "'"


def test_predict_prints_phonemes(run_dir, capsys) -> None:
    assert main(["predict", "--run", str(run_dir), "--word", "rhythm", "--word", "Cat"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["rhythm", "Cat"]
    phonemes = set(json.loads((run_dir / "vocabulary.json").read_text())["phonemes"])
    assert all(set(line.split("\t")[1].split()) <= phonemes for line in lines)


def test_predict_rejects_a_word_outside_the_alphabet_in_one_line(run_dir, capsys) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in run_dir.iterdir()}
    assert main(["predict", "--run", str(run_dir), "--word", "naïve"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("rnnlab predict: error: word: expected letters from the training")
    assert "not in it: 'ï'" in err
    assert {p.name: p.stat().st_mtime_ns for p in run_dir.iterdir()} == before


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--attention", "cosine"], "attention: expected one of"),
        (["--model", "transformer"], "model: cmudict is learnt by 'seq2seq'"),
        (["--beam", "0"], "beam: expected an integer >= 1"),
    ],
)
def test_bad_settings_are_one_line(flags, message, tmp_path, capsys) -> None:
    assert main([*TINY, *flags, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and err.count("\n") == 0
    assert not (tmp_path / "x").exists()


def test_predict_refuses_another_kinds_option_in_one_line(run_dir, capsys) -> None:
    assert main(["predict", "--run", str(run_dir), "--text", "the dog"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "error: text: --text is for sentiment and tagging runs; " in err
    assert "is a seq2seq run (it takes --word, --beam, --score)" in err

"""Sequence classification data: JapaneseVowels and digits from their shipped files, the
stratified split, the baselines, a user's .npz and long CSV end to end, and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.data import make_dataset
from rnnlab.data.classify_baselines import classify_baselines, stratified_split, summary_features
from rnnlab.data.sequence_files import LabelledSequences, encode_labels, read_npz


def test_japanese_vowels_uci_split() -> None:
    train, test = make_dataset("japanese_vowels").parts()
    assert (len(train.labels), len(test.labels)) == (270, 370)
    lengths = np.concatenate([train.lengths, test.lengths])
    assert (lengths.min(), lengths.max()) == (7, 29)
    assert {s.shape[1] for s in train.sequences + test.sequences} == {12}
    assert train.classes == tuple("123456789")
    assert np.array_equal(np.bincount(train.labels), [30] * 9)  # 30 utterances per speaker
    assert train.sequences[0][0, 0] == pytest.approx(1.860936)  # the file's first value


def test_digits_rows_as_steps_and_stratified_split() -> None:
    dataset = make_dataset("digits")
    train, test = dataset.parts()
    assert (len(train.labels), len(test.labels)) == (1347, 450)
    assert train.sequences[0].shape == (8, 8)
    counts = np.bincount(test.labels) / np.bincount(np.concatenate([train.labels, test.labels]))
    assert np.allclose(counts, 0.25, atol=0.01)  # every class split 75/25
    labels = np.arange(40) % 4
    a, b = stratified_split(labels, 0.25, seed=3)
    assert len(np.intersect1d(a, b)) == 0 and len(a) + len(b) == 40
    assert np.array_equal(np.bincount(labels[b]), [2, 2, 2, 2])  # round(0.25 * 10) per class
    again = stratified_split(labels, 0.25, seed=3)
    assert np.array_equal(again[1], b)  # seeded: the same split every time


def test_baselines_on_a_separable_problem() -> None:
    rng = np.random.default_rng(0)
    seqs = [rng.normal(c * 3.0, 1.0, size=(int(rng.integers(3, 9)), 2)) for c in [0, 1] * 40]
    data = LabelledSequences(tuple(seqs), np.array([0, 1] * 40), ("a", "b"))
    feats = summary_features(data)
    assert feats.shape == (80, 9)
    assert feats[0, -1] == len(seqs[0]) and np.allclose(feats[0, :2], seqs[0].mean(axis=0))
    train, test = data.take(np.arange(60)), data.take(np.arange(60, 80))
    found = classify_baselines(train, test)
    assert found["majority"] == 0.5 and found["logistic_summary"] == 1.0
    assert "logistic_flat" not in found  # lengths differ


def test_labels_integers_or_strings_only() -> None:
    assert encode_labels(np.array(["b", "a", "b"]))[0].tolist() == [1, 0, 1]
    assert encode_labels(np.array([7, 3]))[1] == ("3", "7")
    with pytest.raises(ValueError, match="y: labels must be integers or strings, got float64"):
        encode_labels(np.array([0.5, 1.0]))


def _npz(path: Path, n: int = 60, mismatch: bool = False) -> Path:
    rng = np.random.default_rng(0)
    y = np.array(["up", "down"] * (n // 2))
    x = rng.normal(0, 0.3, size=(n, 10, 2)) + np.where(y == "up", 1.0, -1.0)[:, None, None]
    lengths = rng.integers(4, 11, size=n)
    np.savez(path, x=x, y=y[:-1] if mismatch else y, lengths=lengths)
    return path


def _run(tmp_path: Path, *argv: str) -> dict:
    out = tmp_path / "run"
    assert main(["train", *argv, "--steps", "20", "--eval-every", "10", "--hidden", "8",
                 "--quiet", "--out", str(out)]) == 0  # fmt: skip
    return json.loads((out / "result.json").read_text())


def test_user_npz_trains_end_to_end(tmp_path: Path) -> None:
    path = _npz(tmp_path / "seqs.npz")
    result = _run(tmp_path, "--data", str(path))
    assert result["kind"] == "classify" and result["split_info"]["classes"] == ["down", "up"]
    assert (result["split_info"]["train"], result["split_info"]["test"]) == (48, 12)
    assert set(result["baselines"]) == {"majority", "logistic_summary"}
    assert 0.0 <= result["metric"] <= 1.0
    loaded = read_npz(path)
    assert [len(s) for s in loaded.sequences] == np.load(path)["lengths"].tolist()


def test_user_long_csv_trains_end_to_end(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    lines = ["seq,t,a,b,kind"]
    for i in range(40):
        kind = "x" if i % 2 else "y"
        for t in reversed(range(int(rng.integers(3, 7)))):  # rows out of order: --time sorts
            lines.append(f"s{i},{t},{rng.normal(i % 2):.4f},{t / 10:.2f},{kind}")
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n")
    dataset = make_dataset(str(path), id="seq", label="kind", time="t")
    train, test = dataset.parts()
    assert len(train.labels) + len(test.labels) == 40
    first = train.sequences[0]
    assert np.all(np.diff(first[:, 1]) > 0)  # column b (= t / 10) increases: sorted by time
    result = _run(tmp_path, "--data", str(path), "--id", "seq", "--label", "kind", "--time", "t")
    assert result["split_info"]["channels"] == 2


def test_bad_npz_is_one_line_and_writes_nothing(tmp_path: Path, capsys) -> None:
    cases = [
        (_npz(tmp_path / "m.npz", mismatch=True), "y: x holds 60 sequences but y has 59 labels"),
    ]
    floats = tmp_path / "f.npz"
    np.savez(floats, x=np.zeros((4, 3, 1)), y=np.array([0.5, 1.5, 0.5, 1.5]))
    cases.append((floats, "y: labels must be integers or strings"))
    ragged = tmp_path / "o.npz"
    np.savez(ragged, x=np.array([np.zeros((2, 1)), np.zeros((3, 1))], dtype=object), y=[0, 1])
    cases.append((ragged, "object arrays"))
    for path, message in cases:
        out = tmp_path / "run"
        code = main(["train", "--data", str(path), "--steps", "5", "--quiet", "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and re.search(message, err), err
        assert not out.exists()

"""rnnlab sample: reproducible by seed, starts with the prime; bad input is one line."""

from __future__ import annotations

import pytest

from rnnlab.cli import main


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sample")
    (tmp / "t.txt").write_text("ROMEO:\nBut soft, what light through yonder window breaks?\n" * 40)
    flags = ["train", "--data", str(tmp / "t.txt"), "--hidden", "12", "--batch", "4",
             "--tbptt", "10", "--steps", "20", "--eval-every", "10", "--dtype", "float64",
             "--quiet", "--out", str(tmp / "run")]  # fmt: skip
    assert main(flags) == 0
    return tmp


def _sample(run, capsys, *flags: str) -> str:
    assert main(["sample", "--run", str(run), *flags]) == 0
    return capsys.readouterr().out


def test_sample_is_reproducible_and_starts_with_the_prime(text_run, capsys) -> None:
    run = text_run / "run"
    capsys.readouterr()
    a = _sample(run, capsys, "--prime", "ROMEO:", "--length", "80", "--seed", "3")
    b = _sample(run, capsys, "--prime", "ROMEO:", "--length", "80", "--seed", "3")
    c = _sample(run, capsys, "--prime", "ROMEO:", "--length", "80", "--seed", "4")
    assert a == b != c
    assert a.startswith("ROMEO:") and len(a.rstrip("\n")) >= 6 + 80 - 2
    hot = _sample(run, capsys, "--prime", "R", "--length", "300", "--temperature", "5")
    assert "\ufffd" not in hot  # the unknown symbol is never drawn, even when all is flat


def test_sample_bad_input_is_one_line(text_run, capsys, tmp_path) -> None:
    run = text_run / "run"
    (tmp_path / "task").mkdir()
    assert main(["train", "--task", "adding", "--length", "5", "--steps", "2", "--hidden", "4",
                 "--eval-every", "1", "--quiet", "--out", str(tmp_path / "task")]) == 0  # fmt: skip
    existing = tmp_path / "exists.txt"
    existing.write_text("keep me")
    capsys.readouterr()
    for flags, message in [
        (["--run", str(run), "--prime", "ROMEO: Zürich"], "prime: 'Zcü' not in the model"),
        (["--run", str(run), "--length", "-1"], "length: expected an integer >= 0"),
        (["--run", str(run), "--temperature", "-0.5"], "temperature: expected a positive"),
        (["--run", str(run), "--temperature", "0"], "temperature: expected a positive"),
        (["--run", str(tmp_path / "task")], "is not a text model"),
        (["--run", str(tmp_path / "none")], "holds no run"),
        (["--run", str(run), "--out", str(existing)], "exists; choose another file"),
    ]:
        assert main(["sample", *flags]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert existing.read_text() == "keep me"

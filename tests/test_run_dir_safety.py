"""Run directories: one writer at a time, files and paths that give one line, nothing lost.

Issue 18, items 3 (a lock on the run directory), 9 (paths, failed writes, hand-edited files, a
lost config.json) and 10 (the user's umask, ``--out ""``).
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnnlab.cli import main
from rnnlab.training import TrainConfig, train_run
from rnnlab.training import checkpoint as checkpoint_module

TINY = ["train", "--task", "adding", "--length", "4", "--hidden", "2", "--batch", "2",
        "--test-size", "4", "--quiet", "--no-early-stop"]  # fmt: skip


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    return err[0]


def config(**overrides) -> TrainConfig:
    base = {"task": "adding", "length": 4, "hidden": 2, "batch": 2, "steps": 6,
            "eval_every": 2, "checkpoint_every": 2, "early_stop": False,
            "task_options": {"test_size": 4}}  # fmt: skip
    return TrainConfig(**{**base, **overrides})


# -- item 3: one run directory, one writer ---------------------------------------------------


def test_a_second_train_on_a_busy_run_directory_names_the_holder(tmp_path, capsys):
    out = tmp_path / "run"
    first = subprocess.Popen(
        [sys.executable, "-m", "rnnlab", *TINY, "--steps", "1000000", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / "config.json").exists() and time.monotonic() < deadline:
            assert first.poll() is None, "the first run ended early"
            time.sleep(0.05)
        # --resume with other settings: today's code compares configs instead and trains
        assert main([*TINY, "--steps", "7", "--out", str(out), "--resume"]) == 2
        line = one_error_line(capsys)
        assert f"in use by process {first.pid}" in line and str(out) in line
    finally:
        first.kill()
        first.wait()


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path, capsys):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "run"
    out.mkdir()
    (out / ".rnnlab.lock").write_text(f"{dead.pid}\n")
    assert main([*TINY, "--steps", "2", "--out", str(out)]) == 0
    assert (out / "result.json").exists() and not (out / ".rnnlab.lock").exists()


# -- item 9: files and paths give one line ----------------------------------------------------


@pytest.mark.parametrize("where", ["a-file/run", "a-file", "/proc/rnnlab-run"])
def test_out_that_cannot_be_a_directory_is_one_line(where, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("a-file").write_text("x")
    assert main([*TINY, "--steps", "2", "--out", where]) == 2
    assert "out:" in one_error_line(capsys)
    assert sorted(os.listdir(tmp_path)) == ["a-file"]


def test_out_in_a_read_only_directory_is_one_line(tmp_path, monkeypatch, capsys):
    # root ignores permission bits, so the read-only filesystem is simulated where it shows
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("rnnlab.files.tempfile.mkdtemp", read_only)
    assert main([*TINY, "--steps", "2", "--out", str(tmp_path / "run")]) == 2
    assert "Read-only file system" in one_error_line(capsys)
    assert not (tmp_path / "run").exists()


def test_compare_and_report_refuse_an_out_file_before_training(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("a-file").write_text("x")
    sweep = ["compare", "--tasks", "adding", "--lengths", "4", "--cells", "rnn", "--seeds", "1",
             "--hidden", "2", "--steps", "2", "--workers", "1", "--no-progress"]  # fmt: skip
    assert main([*sweep, "--db", "r.sqlite", "--out", "a-file"]) == 2
    assert "--out: a-file exists and is not a directory" in one_error_line(capsys)
    assert not Path("r.sqlite").exists()  # nothing trained, nothing stored
    assert main([*sweep, "--db", "r.sqlite", "--out", "report"]) == 0
    capsys.readouterr()
    assert main(["report", "--db", "r.sqlite", "--out", "a-file"]) == 2
    assert "--out: a-file exists and is not a directory" in one_error_line(capsys)
    assert Path("a-file").read_text() == "x"


@pytest.mark.parametrize(
    "argv",
    [
        ["gradflow", "--task", "adding", "--length", "4", "--cells", "rnn", "--hidden", "2"],
        ["bench", "--quick", "--cells", "rnn", "--shapes", "1x2x2", "--rounds", "1",
         "--no-infer", "--no-compile"],
    ],
    ids=["gradflow", "bench"],
)  # fmt: skip
def test_json_to_a_directory_is_refused_before_the_work(argv, tmp_path, capsys):
    assert main([*argv, "--json", str(tmp_path)]) == 2
    assert "is a directory" in one_error_line(capsys)
    assert capsys.readouterr().out == ""  # nothing was measured


def test_a_failed_checkpoint_write_keeps_the_previous_one_and_says_so(tmp_path, monkeypatch):
    write = checkpoint_module.atomic_write
    calls = {"n": 0}

    def disk_full_on_second_checkpoint(path, data):
        if Path(path).name.startswith("checkpoint-"):
            calls["n"] += 1
        if calls["n"] != 2:
            return write(path, data)
        # fail inside the real write, once its temporary file exists
        with monkeypatch.context() as m:
            m.setattr(checkpoint_module.os, "fsync", fail_fsync)
            write(path, data)

    def fail_fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint_module, "atomic_write", disk_full_on_second_checkpoint)
    out = tmp_path / "run"
    with pytest.raises(
        ValueError, match=r"No space left on device.*checkpoint-0000002\.npz is kept"
    ):
        train_run(config(), out)
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint-0000002.npz", "config.json",
                                                     "metrics.csv"]  # fmt: skip
    monkeypatch.setattr(checkpoint_module, "atomic_write", write)
    resumed = train_run(config(), out, resume=True)
    assert resumed == {**train_run(config()), "wall_time": resumed["wall_time"]}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[]", "expected a JSON object, got list"),
        ("{}", "'solved' is missing"),
        ("null", "expected a JSON object, got NoneType"),
        ("STRING_METRIC", "'metric' is 'low', expected a number or null"),
        ("{not json", "is not valid JSON"),
        (b"\xff\xfe\x00binary", "not UTF-8"),
    ],
)
def test_a_hand_edited_result_json_names_the_file(text, says, tmp_path, capsys):
    out = tmp_path / "run"
    argv = [*TINY, "--steps", "2", "--out", str(out)]
    assert main(argv) == 0
    path = out / "result.json"
    if text == "STRING_METRIC":
        text = json.dumps({**json.loads(path.read_text()), "metric": "low"})
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    capsys.readouterr()
    assert main([*argv, "--resume"]) == 2
    line = one_error_line(capsys)
    assert str(path) in line and says in line


def test_binary_config_json_and_toml_name_the_file(tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*TINY, "--steps", "2", "--out", str(out)]) == 0
    (out / "config.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    capsys.readouterr()
    assert main(["train", "--out", str(out), "--resume"]) == 2
    line = one_error_line(capsys)
    assert str(out / "config.json") in line and "not UTF-8" in line
    toml = tmp_path / "run.toml"
    toml.write_bytes(b"\x00\xff\xfe binary")
    assert main(["train", "--config", str(toml)]) == 2
    line = one_error_line(capsys)
    assert str(toml) in line and "not UTF-8" in line


def test_a_run_whose_config_json_is_lost_resumes_from_its_checkpoint(tmp_path, capsys):
    out = tmp_path / "run"
    train_run(config(), out)
    # as if killed after the checkpoint of step 2, and config.json lost as well
    for name in ("config.json", "result.json", "params.npz", "checkpoint-0000004.npz"):
        (out / name).unlink()
    assert [p.name for p in out.glob("checkpoint-*")] == ["checkpoint-0000002.npz"]
    assert main(["train", "--out", str(out), "--resume", "--quiet"]) == 0, capsys.readouterr()
    resumed = json.loads((out / "result.json").read_text())
    assert resumed == {**train_run(config()), "wall_time": resumed["wall_time"]}
    assert TrainConfig.from_dict(json.loads((out / "config.json").read_text())) == config()


# -- item 10: the user's umask, and an empty --out --------------------------------------------


def test_run_files_get_the_users_umask(tmp_path):
    old = os.umask(0o027)
    try:
        out = tmp_path / "run"
        train_run(config(), out)
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
    assert modes and all(m == 0o640 for m in modes.values()), modes


def test_empty_out_is_refused_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:  # argparse's error: the path type refuses it
        main([*TINY, "--steps", "2", "--out", ""])
    assert exc.value.code == 2
    assert "--out" in one_error_line(capsys)
    assert os.listdir(tmp_path) == []

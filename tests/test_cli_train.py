"""`rnnlab train` and `rnnlab tasks`: files, TOML, one-line errors, and SIGKILL then --resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnnlab.cli import main
from rnnlab.tasks import TASKS
from rnnlab.training import TrainConfig, train_run

FLAGS = ["--task", "adding", "--length", "10", "--hidden", "8", "--steps", "40", "--batch", "16"]
FLAGS += ["--eval-every", "20", "--checkpoint-every", "25", "--test-size", "128", "--quiet"]


def _numbers(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "wall_time"}


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())} if out.exists() else {}


def test_tasks_lists_every_task(capsys) -> None:
    assert main(["tasks"]) == 0
    text = capsys.readouterr().out
    for name in TASKS:
        assert name in text
    assert "solved when" in text and "Hochreiter" in text


def test_train_writes_the_run_and_matches_the_library(tmp_path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["train", *FLAGS, "--seed", "3", "--out", str(out)]) == 0
    assert f"-> {out}" in capsys.readouterr().out
    assert {"config.json", "metrics.csv", "result.json", "params.npz"} <= set(_files(out))
    config = TrainConfig.from_dict(json.loads((out / "config.json").read_text()))
    assert (config.task, config.length, config.seed, config.init) == ("adding", 10, 3, None)
    assert config.task_options == {"test_size": 128}
    result = json.loads((out / "result.json").read_text())
    assert _numbers(result) == _numbers(train_run(config))
    before = _files(out)
    assert main(["train", "--out", str(out), "--resume", "--quiet"]) == 0  # flags from config.json
    assert _files(out) == before  # a finished run is left as it is


def test_toml_config_with_flags_overriding(tmp_path) -> None:
    toml = tmp_path / "run.toml"
    toml.write_text(
        'task = "temporal_order"\nlength = 10\ncell = "gru"\nhidden = 4\nsteps = 20\n'
        "eval_every = 10\nlr = 0.01\n[task_options]\nbits = 3\ntest_size = 64\n"
    )
    out = tmp_path / "run"
    assert main(["train", "--config", str(toml), "--lr", "0.02", "--out", str(out), "--quiet"]) == 0
    config = json.loads((out / "config.json").read_text())
    assert (config["task"], config["cell"], config["lr"]) == ("temporal_order", "gru", 0.02)
    assert config["task_options"] == {"bits": 3, "test_size": 64}


BAD = [
    (["--task", "nope", "--length", "10"], "task must be one of"),
    (["--task", "adding", "--length", "0"], "length"),
    (["--task", "adding", "--length", "10", "--lr", "0"], "lr"),
    (["--task", "adding", "--length", "10", "--lr", "-0.1"], "lr"),
    (["--task", "adding", "--length", "10", "--cell", "lstm:nope"], "cell"),
    (["--task", "adding", "--length", "10", "--init", "identity"], "init"),
    (["--task", "adding", "--length", "ten"], "--length"),
    (["--task", "adding", "--length", "10", "--variant", "nope"], "variant"),
    (["--config", "/no/such/file.toml"], "config"),
]


@pytest.mark.parametrize(("argv", "word"), BAD)
def test_bad_settings_exit_nonzero_with_one_line(argv, word, tmp_path, capsys) -> None:
    out = tmp_path / "run"
    try:
        code = main(["train", *argv, "--out", str(out), "--quiet"])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and word in err, err
    assert not out.exists()  # nothing written


def _run_dir_errors(out: Path, argv: list[str], capsys) -> str:
    before = _files(out)
    assert main(["train", *argv, "--out", str(out)]) == 2
    assert _files(out) == before  # left intact
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    return err


def test_run_directory_errors_leave_files_intact(tmp_path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["train", *FLAGS, "--out", str(out)]) == 0
    capsys.readouterr()
    assert "--resume" in _run_dir_errors(out, FLAGS, capsys)
    err = _run_dir_errors(out, [*FLAGS, "--lr", "0.01", "--resume"], capsys)
    assert "different configuration" in err
    (out / "result.json").unlink()
    checkpoint = out / "checkpoint-0000025.npz"
    checkpoint.write_bytes(b"not a zip file")
    (out / "checkpoint-0000025.npz").rename(out / "checkpoint-0000030.npz")  # the newest
    assert "cannot read" in _run_dir_errors(out, [*FLAGS, "--resume"], capsys)


def test_sigkill_then_resume_gives_the_uninterrupted_numbers(tmp_path) -> None:
    argv = ["--task", "adding", "--length", "20", "--hidden", "8", "--steps", "500"]
    argv += ["--eval-every", "50", "--checkpoint-every", "50", "--test-size", "256", "--quiet"]
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "rnnlab", "train", *argv, "--out", str(out)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(out.glob("checkpoint-*.npz")):
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "no checkpoint within 60 s"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    assert not (out / "result.json").exists()  # really interrupted
    resumed = subprocess.run([*command, "--resume"], env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    reference = tmp_path / "reference"
    assert main(["train", *argv, "--out", str(reference)]) == 0
    a, b = (json.loads((d / "result.json").read_text()) for d in (reference, out))
    assert _numbers(a) == _numbers(b)
    for name in ("metrics.csv", "params.npz"):
        assert (reference / name).read_bytes() == (out / name).read_bytes(), name


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[1] / "configs").glob("*.toml")))
def test_example_configs_are_valid(path) -> None:
    import tomllib

    TrainConfig.from_dict(tomllib.loads(path.read_text()))

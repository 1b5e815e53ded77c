"""Types are what they say (issue 18, item 4): a boolean is a boolean, in the API, in
`TrainConfig` and in TOML; every config field is checked against its declared type; every bad
value is one ValueError naming the argument (never a TypeError, never silently truthy)."""

from __future__ import annotations

import dataclasses
import typing

import numpy as np
import pytest

from rnnlab import GRU, LSTM, RNN
from rnnlab.cli import main
from rnnlab.training import TrainConfig


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: LSTM(3, 4, bidirectional="false"), "bidirectional"),
        (lambda: RNN(3, 4, bidirectional=1), "bidirectional"),
        (lambda: GRU(3, 4, reset_after="no"), "reset_after"),
        (lambda: GRU(3, 4, reset_after=0), "reset_after"),
        (lambda: LSTM(3, 4, seed="a"), "seed"),
        (lambda: LSTM(3, 4, seed=1.5), "seed"),
        (lambda: LSTM(3, 4, seed=-1), "seed"),
        (lambda: LSTM(3, 4, dtype="foo"), "dtype"),
        (lambda: LSTM(3, 4, dtype=5), "dtype"),
        (lambda: LSTM(3, 4, dtype="int32"), "dtype"),
        (lambda: LSTM(3, 4, dropout="0.1"), "dropout"),
        (lambda: LSTM(3, 4, dropout=True), "dropout"),
    ],
)
def test_layer_arguments_of_the_wrong_type_are_refused(make, name) -> None:
    with pytest.raises(ValueError, match=rf"^{name}: expected "):
        make()


def test_layer_booleans_accept_numpy_booleans() -> None:
    assert LSTM(3, 4, bidirectional=np.True_).bidirectional is True
    assert GRU(3, 4, reset_after=np.False_).reset_after is False


# One value of the wrong type for every field of TrainConfig.
WRONG = {
    "task": 5, "length": "10", "task_options": 5, "cell": ["lstm"], "init": 3,
    "hidden": 4.0, "num_layers": "1", "bidirectional": "false", "dropout": "0",
    "steps": 1.5, "batch": None, "lr": "0.1", "optimizer": 1, "optimizer_options": [1],
    "weight_decay": "0", "schedule": None, "schedule_options": "cosine", "clip": "1",
    "clip_mode": 0, "seed": "a", "eval_every": True, "checkpoint_every": 2.0,
    "tbptt": "4", "early_stop": "no", "dtype": 64, "input_to_output": "yes",
    "diverge_after": 5.0, "diverge_share": True, "regularizer": 5, "reg_weight": "1",
    "data": 5, "data_options": "valid", "minutes": "1",
}  # fmt: skip


def test_every_config_field_has_a_wrong_type_case() -> None:
    assert set(WRONG) == {f.name for f in dataclasses.fields(TrainConfig)}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_every_config_field_is_checked_against_its_type(name) -> None:
    settings = {"task": "adding", "length": 10, name: WRONG[name]}
    with pytest.raises(ValueError, match=rf"^{name}: expected "):
        TrainConfig.from_dict(settings)


def test_config_takes_numpy_scalars_as_python_values() -> None:
    config = TrainConfig(task="adding", length=np.int64(10), lr=np.float32(0.5), seed=np.int64(3))
    assert type(config.length) is int and type(config.seed) is int and type(config.lr) is float
    hints = typing.get_type_hints(TrainConfig)
    assert hints["bidirectional"] is bool and hints["early_stop"] is bool


@pytest.mark.parametrize(
    "line, name",
    [
        ('bidirectional = "false"', "bidirectional"),
        ('early_stop = "no"', "early_stop"),
        ("task_options = 5", "task_options"),
        ('seed = "a"', "seed"),
        ("optimizer_options = [1]", "optimizer_options"),
    ],
)
def test_toml_values_of_the_wrong_type_are_one_line(line, name, tmp_path, capsys) -> None:
    toml = tmp_path / "run.toml"
    toml.write_text(f'task = "adding"\nlength = 10\n{line}\n')
    # with flags that add to the same tables: that merge used to raise a TypeError
    argv = ["train", "--config", str(toml), "--variant", "hs97", "--momentum", "0.5"]
    assert main([*argv, "--optimizer", "sgd", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"rnnlab train: error: {name}: expected "), err


def test_toml_booleans_still_work(tmp_path, capsys) -> None:
    toml = tmp_path / "run.toml"
    toml.write_text('task = "adding"\nlength = 10\nearly_stop = false\nbidirectional = true\n')
    assert main(["train", "--config", str(toml), "--steps", "2", "--eval-every", "1",
                 "--hidden", "2", "--quiet"]) == 0  # fmt: skip
    assert "not solved after 2 steps" in capsys.readouterr().out

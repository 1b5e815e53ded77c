"""Training: learning happens, seeds reproduce bit for bit, checkpoints resume exactly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnnlab.tasks.adding import Adding
from rnnlab.training import TrainConfig, build_model, list_checkpoints, load_run, train_run
from rnnlab.training.run import streams

SMALL = dict(
    task="adding",
    length=10,
    task_options={"test_size": 128},
    hidden=8,
    batch=16,
    steps=60,
    eval_every=20,
    checkpoint_every=25,
)


def _config(**kw) -> TrainConfig:
    return TrainConfig(**{**SMALL, **kw})


def _numbers(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "wall_time"}


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_fifty_steps_reduce_the_loss(tmp_path) -> None:
    result = train_run(_config(steps=60, lr=0.01), out_dir=tmp_path / "run")
    rows = (tmp_path / "run" / "metrics.csv").read_text().splitlines()
    header = rows[0].split(",")
    first, last = (dict(zip(header, r.split(","), strict=True)) for r in (rows[1], rows[-1]))
    assert float(last["train_loss"]) < 0.5 * float(first["train_loss"])
    assert float(last["test_loss"]) < Adding(10).baseline()["loss"]  # below constant output
    assert result["steps_run"] == 60 and not result["solved"]


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"cell": "gru", "optimizer": "rmsprop", "schedule": "cosine", "clip_mode": "value"},
        {"cell": "rnn", "optimizer": "sgd", "optimizer_options": {"momentum": 0.9}, "tbptt": 4},
        {"task": "temporal_order", "task_options": {"test_size": 64}, "schedule": "step"},
        {"task": "longlag", "length": 5, "num_layers": 2, "dropout": 0.2, "weight_decay": 1e-4},
    ],
)
def test_same_seed_same_numbers(kw) -> None:
    config = _config(steps=40, **kw)
    a, b = train_run(config), train_run(config)
    assert _numbers(a) == _numbers(b)
    c = train_run(TrainConfig(**{**config.to_dict(), "seed": 1}))
    assert c["metric"] != a["metric"]


def test_run_directory_and_load_run(tmp_path) -> None:
    config = _config()
    result = train_run(config, out_dir=tmp_path)
    assert {"config.json", "metrics.csv", "result.json", "params.npz"} <= set(_files(tmp_path))
    assert [step for step, _ in list_checkpoints(tmp_path)] == [25, 50]  # the newest two
    assert json.loads((tmp_path / "result.json").read_text()) == result
    for key in ("solved", "steps_to_solve", "metric", "params", "wall_time", "steps_run", "seed"):
        assert key in result
    loaded_config, model = load_run(tmp_path)
    assert loaded_config == config
    initial = build_model(config, streams(config.seed)[0])
    assert model.num_params == result["params"] == initial.num_params
    assert not np.array_equal(model.params["weight_hh_l0"], initial.params["weight_hh_l0"])
    with np.load(tmp_path / "params.npz") as saved:
        assert all(np.array_equal(saved[k], v) for k, v in model.params.items())


@pytest.mark.parametrize("keep", ["checkpoint-0000025.npz", "checkpoint-0000050.npz"])
def test_resume_from_a_checkpoint_gives_the_same_numbers(tmp_path, keep) -> None:
    config = _config()  # checkpoints at 25 and 50 fall between evaluations (every 20)
    reference = train_run(config, out_dir=tmp_path / "a")
    train_run(config, out_dir=tmp_path / "b")
    for name in ("result.json", "params.npz", "checkpoint-0000025.npz", "checkpoint-0000050.npz"):
        if name != keep:  # as if killed right after writing `keep`
            (tmp_path / "b" / name).unlink()
    resumed = train_run(config, out_dir=tmp_path / "b", resume=True)
    assert _numbers(resumed) == _numbers(reference)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    for name in ("metrics.csv", "params.npz", "config.json"):
        assert a[name] == b[name], name


def test_resume_of_a_finished_run_returns_its_result(tmp_path) -> None:
    config = _config()
    result = train_run(config, out_dir=tmp_path)
    before = _files(tmp_path)
    assert train_run(config, out_dir=tmp_path, resume=True) == result
    assert _files(tmp_path) == before


def test_existing_run_needs_resume_and_the_same_config(tmp_path) -> None:
    config = _config()
    train_run(config, out_dir=tmp_path)
    before = _files(tmp_path)
    with pytest.raises(ValueError, match="already holds a run"):
        train_run(config, out_dir=tmp_path)
    with pytest.raises(ValueError, match=r"different configuration \(lr: 0.005 there, 0.01 here"):
        train_run(_config(lr=0.01), out_dir=tmp_path, resume=True)
    assert _files(tmp_path) == before


def test_corrupt_checkpoint_is_refused_and_nothing_changes(tmp_path) -> None:
    config = _config()
    train_run(config, out_dir=tmp_path)
    (tmp_path / "result.json").unlink()
    newest = list_checkpoints(tmp_path)[-1][1]
    newest.write_bytes(newest.read_bytes()[:300])  # a torn write
    before = _files(tmp_path)
    with pytest.raises(ValueError, match=r"^checkpoint: cannot read .*checkpoint-0000050.npz"):
        train_run(config, out_dir=tmp_path, resume=True)
    assert _files(tmp_path) == before


def test_early_stop_when_the_criterion_holds(monkeypatch) -> None:
    monkeypatch.setattr(Adding, "solved", lambda self, metrics: True)
    result = train_run(_config())
    assert result["solved"] and result["steps_to_solve"] == 20 and result["steps_run"] == 20
    result = train_run(_config(early_stop=False))
    assert result["steps_to_solve"] == 20 and result["steps_run"] == 60


def test_config_round_trip_and_errors() -> None:
    config = _config(init="forget1", tbptt=5)
    assert TrainConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert config.resolved_init == "forget1" and _config().resolved_init == "chrono"
    assert _config(cell="rnn:relu").resolved_init == "pytorch"
    bad = [
        ({"task": "nope"}, "task"),
        ({"length": 0}, "length"),
        ({"lr": 0.0}, "lr"),
        ({"lr": -1.0}, "lr"),
        ({"cell": "lstm:nope"}, "cell"),
        ({"init": "identity"}, "init"),
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"steps": 0}, "steps"),
        ({"task_options": {"colour": 1}}, "colour"),
    ]
    for kw, word in bad:
        with pytest.raises(ValueError, match=word):
            _config(**kw)
    with pytest.raises(ValueError, match="unknown setting"):
        TrainConfig.from_dict({**SMALL, "learning_rate": 0.1})

"""Divergence has one policy (issue 18, item 2): a non-finite loss or gradient skips the update
and is counted; too many in a row, or too large a share, end the run as diverged, recorded and
with one line on stderr; no checkpoint holds NaN or infinity; the logged averages leave skipped
updates out."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.models import SequenceModel
from rnnlab.training import TrainConfig, build_model, list_checkpoints, train_run
from rnnlab.training.checkpoint import save_checkpoint
from rnnlab.training.loop import TrainState
from rnnlab.training.run import make_run_optimizer, streams

SMALL = dict(
    task="adding", length=10, task_options={"test_size": 32}, hidden=4, batch=4, steps=40,
    eval_every=10, checkpoint_every=5,
)  # fmt: skip


@pytest.fixture
def poisoned(monkeypatch):
    """Make the loss of the chosen updates (1-based, per process) NaN; returns the set."""
    bad: set[int] = set()
    calls = {"n": 0}
    original = SequenceModel.loss_and_grads

    def loss_and_grads(self, batch, **kw):
        calls["n"] += 1
        loss, grads, aux = original(self, batch, **kw)
        return (math.nan if calls["n"] in bad else loss), grads, aux

    monkeypatch.setattr(SequenceModel, "loss_and_grads", loss_and_grads)
    return bad


@pytest.mark.parametrize("task", ["adding", "temporal_order", "copy", "reber", "longlag"])
def test_an_exploding_run_ends_diverged_with_one_line(task, tmp_path, capsys) -> None:
    # On main some of these stopped with the layer's internal "dy: contains NaN or infinity"
    # and could not be resumed; adding reported "solved".
    out = tmp_path / "run"
    argv = ["train", "--task", task, "--length", "12", "--hidden", "4", "--batch", "4"]
    argv += ["--steps", "30", "--test-size", "32", "--lr", "1e308", "--quiet", "--out", str(out)]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rnnlab train: diverged at step "), err
    result = json.loads((out / "result.json").read_text())
    assert result["diverged"] and not result["solved"] and result["stopped"] == "diverged"
    assert isinstance(result["diverged_at"], int) and result["diverged_reason"]
    # A diverged run is finished: --resume returns its record, with the same line and code.
    assert main(["train", "--out", str(out), "--resume", "--quiet"]) == 1
    assert capsys.readouterr().err.strip().splitlines() == err


def test_skipped_updates_in_a_row_end_the_run(poisoned) -> None:
    poisoned.update(range(7, 100))
    result = train_run(TrainConfig(**SMALL, diverge_after=5))
    assert result["diverged"] and result["diverged_at"] == 11  # updates 7..11: five in a row
    assert result["skipped_steps"] == 5 and result["steps_run"] == 11
    assert "5 updates in a row" in result["diverged_reason"]


def test_a_large_share_of_skipped_updates_ends_the_run(poisoned) -> None:
    poisoned.update(range(1, 100, 2))  # every other update: never 3 in a row
    result = train_run(TrainConfig(**SMALL, diverge_after=3, diverge_share=0.4))
    # judged from update 3 on: 2 of 3 skipped > 0.4
    assert result["diverged"] and result["diverged_at"] == 3
    assert "2 of 3 updates" in result["diverged_reason"]


def test_isolated_skips_are_counted_and_left_out_of_the_averages(poisoned, tmp_path) -> None:
    poisoned.update({3, 4, 12})
    result = train_run(TrainConfig(**SMALL), out_dir=tmp_path / "run")
    assert not result["diverged"] and result["diverged_at"] is None
    assert result["skipped_steps"] == 3 and result["steps_run"] == 40
    text = (tmp_path / "run" / "metrics.csv").read_text().splitlines()
    rows = [dict(zip(text[0].split(","), line.split(","), strict=True)) for line in text[1:]]
    assert [int(r["skipped"]) for r in rows] == [2, 1, 0, 0]
    assert all(math.isfinite(float(r["train_loss"])) for r in rows)  # NaN losses left out
    assert all(math.isfinite(float(r["grad_norm"])) for r in rows)


def test_a_window_of_skipped_updates_logs_nan_not_a_made_up_average(poisoned, tmp_path) -> None:
    poisoned.update(range(11, 21))
    result = train_run(TrainConfig(**SMALL, diverge_after=20), out_dir=tmp_path / "run")
    assert not result["diverged"] and result["skipped_steps"] == 10
    second = (tmp_path / "run" / "metrics.csv").read_text().splitlines()[2].split(",")
    assert second[:4] == ["20", "nan", "nan", "10"]  # step, train_loss, grad_norm, skipped


def test_no_checkpoint_holds_a_non_finite_number(poisoned, tmp_path) -> None:
    config = TrainConfig(**SMALL)
    model = build_model(config, streams(0)[0])
    optimizer = make_run_optimizer(config, model)
    state = TrainState(step=5, train_rng=streams(0)[1], test_rng=streams(0)[2])
    model.params["weight_hh_l0"][0, 0] = np.inf
    with pytest.raises(ValueError, match=r"^checkpoint: param/weight_hh_l0 is not finite"):
        save_checkpoint(tmp_path, config, model, optimizer, state, 0.0)
    assert list_checkpoints(tmp_path) == []
    # and a run that blows up mid-way keeps only finite checkpoints
    out = tmp_path / "run"
    poisoned.update(range(8, 100))  # the updates after step 7 all blow up
    result = train_run(TrainConfig(**SMALL, diverge_after=6), out_dir=out)
    assert result["diverged_at"] == 13 and [s for s, _ in list_checkpoints(out)] == [5, 10]
    for _, path in list_checkpoints(out):
        with np.load(path) as data:
            floats = [data[k] for k in data.files if data[k].dtype.kind == "f"]
            assert floats and all(np.isfinite(a).all() for a in floats)


def test_model_backward_gives_nan_gradients_for_a_non_finite_output_gradient() -> None:
    config = TrainConfig(**SMALL)
    model = build_model(config, streams(0)[0])
    batch = config.make_task().sample(np.random.default_rng(0), 4)
    output, cache = model.forward(batch.x, batch.lengths)
    grads = model.backward(np.full_like(output, np.nan), cache)  # was: ValueError from dy
    assert set(grads) == set(model.params)
    assert all(np.isnan(g).all() for g in grads.values())


def test_tbptt_with_a_blown_up_state_gives_a_nan_loss_not_an_error() -> None:
    config = TrainConfig(**{**SMALL, "cell": "rnn:relu", "tbptt": 3})
    model = build_model(config, streams(0)[0])
    model.params["weight_hh_l0"][...] = 1e200  # h overflows to inf within the first chunk
    model.params["bias_hh_l0"][...] = 1.0
    batch = config.make_task().sample(np.random.default_rng(0), 4)
    with np.errstate(all="ignore"):  # as in the training loop
        loss, grads, _ = model.loss_and_grads(batch, tbptt=3)  # main: "state: contains NaN..."
    assert not math.isfinite(loss)
    assert all(np.isnan(g).all() for g in grads.values())


def test_divergence_settings_are_checked() -> None:
    with pytest.raises(ValueError, match=r"^diverge_after: "):
        TrainConfig(**SMALL, diverge_after=0)
    with pytest.raises(ValueError, match=r"^diverge_share: "):
        TrainConfig(**SMALL, diverge_share=1.5)


def test_a_text_model_that_blows_up_ends_diverged(tmp_path, capsys) -> None:
    # The character model carries its state from window to window: a blown-up state must not
    # reach the next window's forward (which refuses it) nor a checkpoint.
    (tmp_path / "t.txt").write_bytes(b"To be, or not to be, that is the question:\n" * 20)
    argv = ["train", "--data", str(tmp_path / "t.txt"), "--hidden", "8", "--batch", "2",
            "--tbptt", "5", "--steps", "60", "--eval-every", "10", "--checkpoint-every", "5",
            "--cell", "rnn:relu", "--clip", "none", "--optimizer", "sgd", "--lr", "1e30",
            "--quiet", "--out", str(tmp_path / "run")]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rnnlab train: diverged at step "), err
    assert json.loads((tmp_path / "run" / "result.json").read_text())["diverged"]

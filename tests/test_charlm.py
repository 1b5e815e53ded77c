"""The character LM: stateful truncated BPTT, validation with carried state, a whole run."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.data import make_dataset
from rnnlab.data.charlm import CharLM, score, text_model
from rnnlab.models.embedded import one_hot
from rnnlab.training import TrainConfig, TrainState, fit, streams
from rnnlab.training.run import make_run_optimizer


def _text(rng: np.random.Generator, blocks: int) -> str:
    """Blocks of 6: "|", a copy of the previous block's coin, a new coin, ".", the coin again,
    ".". In 6-step windows the first target (the copy) lies one window after its source; the
    in-block repeat makes the coin worth keeping, so the state carried into the next window
    holds it, but only if it is carried: truncated BPTT stops the gradient at the window."""
    coins = rng.choice(list("ab"), size=blocks)
    return "".join(f"|{coins[i - 1] if i else 'a'}{coins[i]}.{coins[i]}." for i in range(blocks))


def _train(tmp_path, carry: bool, k: int = 6) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    (tmp_path / "t.txt").write_text(_text(rng, 4 * 400) + "|")  # 4 rows of 400 blocks
    (tmp_path / "v.txt").write_text(_text(rng, 2000))
    config = TrainConfig(
        data=str(tmp_path / "t.txt"), data_options={"valid": str(tmp_path / "v.txt")},
        cell="lstm", hidden=12, batch=4, tbptt=k, lr=0.02, steps=600, eval_every=300,
        init="pytorch", early_stop=False,
    )  # fmt: skip
    problem = make_dataset(config.data, **config.data_options).problem(config)
    assert isinstance(problem, CharLM)
    if not carry:
        inner = problem.loss_and_grads

        def forgetful(model, cfg, state):
            state.carried = {}  # every window starts from zeros
            return inner(model, cfg, state)

        problem.loss_and_grads = forgetful  # type: ignore[method-assign]
    init, train, test = streams(0)
    model = problem.build_model(config, init)
    state = TrainState(step=0, train_rng=train, test_rng=test)
    fit(config, model, problem, make_run_optimizer(config, model), state)
    return state.history[-1]["train_loss"], state.history[-1]["test_loss"]


def test_state_carried_across_windows_is_learnt_and_needed(tmp_path) -> None:
    k = 6
    coin = math.log(2) / k  # per character: one coin in every block is unpredictable
    carried, forgetful = _train(tmp_path, True), _train(tmp_path, False)
    assert carried[0] < 1.4 * coin and carried[1] < 1.5 * coin  # the copy is predicted
    assert forgetful[0] > 1.8 * coin  # without the state the copy is a second coin
    assert forgetful[1] > 1.8 * coin


def test_validation_with_carried_state_equals_one_pass(rng: np.random.Generator) -> None:
    config = TrainConfig(data="x.txt", cell="gru", hidden=8, num_layers=2, tbptt=5)
    model = text_model(config, 7, rng)
    ids = rng.integers(0, 7, size=301)
    whole, _ = model.forward(one_hot(ids[None, :-1], 7, "float64"))
    logp = whole - np.log(np.exp(whole).sum(-1, keepdims=True))
    expected = -np.mean(logp[0, np.arange(300), ids[1:]])
    assert score(model, ids, streams=1, window=13) == pytest.approx(expected, rel=1e-10)
    # Several streams: the same as scoring each stream's slice alone, averaged by length.
    three = score(model, ids, streams=3, window=7)
    parts = [score(model, ids[i * 100 : i * 100 + 101], streams=1, window=500) for i in range(3)]
    assert three == pytest.approx(np.mean(parts), rel=1e-10)


def _rows(path) -> list[dict[str, str]]:
    with open(path) as f:
        return [{k: v for k, v in r.items() if k != "wall_time"} for r in csv.DictReader(f)]


def test_user_text_trains_end_to_end_and_resumes_exactly(tmp_path, capsys, resumed_equals) -> None:
    text = ("To be, or not to be, that is the question:\n" * 60).encode()
    (tmp_path / "t.txt").write_bytes(text)
    flags = ["train", "--data", str(tmp_path / "t.txt"), "--hidden", "16", "--batch", "4",
             "--tbptt", "10", "--eval-every", "10", "--dtype", "float64", "--lr", "0.01",
             "--quiet"]  # fmt: skip
    assert main([*flags, "--steps", "30", "--out", str(tmp_path / "full")]) == 0
    result = json.loads((tmp_path / "full" / "result.json").read_text())
    losses = [float(r["test_loss"]) for r in _rows(tmp_path / "full" / "metrics.csv")]
    assert result["metric_info"]["unit"] == "nats/char" and result["metric"] == losses[-1]
    assert losses[0] > losses[1] > losses[2]  # it learns
    assert set(result["baselines"]) == {"unigram", "kn5", "kn6", "kn7"}
    assert json.loads((tmp_path / "full" / "vocabulary.json").read_text())["symbols"][0] == ""
    split = json.loads((tmp_path / "full" / "split.json").read_text())
    assert split["valid_chars"] == len(text) - round(0.9 * len(text))
    part = [*flags, "--steps", "30", "--minutes", "1e-9", "--out", str(tmp_path / "part")]
    assert main(part) == 0  # a tiny budget: one update, its evaluation, stop
    stopped = json.loads((tmp_path / "part" / "result.json").read_text())
    assert (stopped["stopped"], stopped["steps_run"], stopped["minutes"]) == ("minutes", 1, 1e-9)
    half = tmp_path / "half"
    assert main([*flags, "--steps", "30", "--checkpoint-every", "20", "--out", str(half)]) == 0
    assert resumed_equals(tmp_path / "full", half)  # resumed from the checkpoint of step 20
    assert _rows(tmp_path / "full" / "metrics.csv") == _rows(half / "metrics.csv")
    assert "nats/char" in capsys.readouterr().out


def test_bad_data_arguments_exit_2(tmp_path, capsys) -> None:
    (tmp_path / "b.bin").write_bytes(b"\x00\x01\x02")
    for flags, message in [
        (["--data", "nonsense"], "data: expected one of shakespeare"),
        (["--data", str(tmp_path / "none.txt")], "data: no such file"),
        (["--data", str(tmp_path / "b.bin")], "looks binary"),
        (["--data", "shakespeare", "--task", "adding"], "give exactly one of"),
        (["--data", "shakespeare", "--minutes", "-1"], "minutes: expected a positive number"),
    ]:
        assert main(["train", *flags, "--out", str(tmp_path / "r"), "--quiet"]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
        assert not (tmp_path / "r").exists()

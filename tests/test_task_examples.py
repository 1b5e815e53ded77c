"""Hand-checked examples, target formulas and baseline values, task by task."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnlab.tasks import Adding, Batch, Copy, LongLag, Multiplication, Reber, TemporalOrder
from rnnlab.tasks.reber import SYMBOLS as REBER_SYMBOLS
from rnnlab.tasks.reber import reber_string


def gen(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- longlag ----------------------------------------------------------------------------------


def test_longlag_sequences_are_the_two_of_hs97() -> None:
    batch = LongLag(p=3).sample(gen(), 50)
    inputs, targets = batch.x.argmax(-1), batch.target.argmax(-1)
    # a1 = 0, a2 = 1, x = 2, y = 3: inputs (c, a1, a2), targets (a1, a2, c)
    for c in (2, 3):
        rows = inputs[:, 0] == c
        assert rows.any(), "both sequences should occur in 50 draws"
        np.testing.assert_array_equal(inputs[rows], [[c, 0, 1]] * rows.sum())
        np.testing.assert_array_equal(targets[rows], [[0, 1, c]] * rows.sum())
    assert batch.x.sum() == batch.target.sum() == 50 * 3  # one-hot throughout


def test_longlag_memoryless_predictor_scores_the_baseline_and_fails() -> None:
    task = LongLag(p=10)
    batch = task.sample(gen(1), 200)
    logits = 40.0 * (2.0 * batch.target - 1.0)
    logits[:, -1, [8, 9]] = 0.0  # no memory: 0.5 for x and y at the last step
    metrics = task.evaluate(logits, batch)
    assert metrics["metric"] == pytest.approx(0.5)
    assert metrics["loss"] == pytest.approx(task.baseline()["loss"], rel=1e-9)
    assert task.baseline() == {"metric": 0.5, "loss": 2 * math.log(2) / 10}
    assert not task.solved(metrics)


def test_longlag_criterion_is_max_abs_error_below_quarter() -> None:
    task = LongLag(p=4)
    batch = task.sample(gen(2), 8)
    logits = 40.0 * (2.0 * batch.target - 1.0)
    logits[0, 1, 0] = math.log(0.26 / 0.74)  # one output at 0.26 where the target is 0
    assert not task.solved(task.evaluate(logits, batch))
    logits[0, 1, 0] = math.log(0.24 / 0.76)
    assert task.solved(task.evaluate(logits, batch))


# --- adding -----------------------------------------------------------------------------------


def test_adding_hs97_docstring_example_and_tolerance() -> None:
    values = [0.3, -0.6, 0.9, 0.2, 0.5, -0.1, 0.7, 0.4]
    markers = [-1, 1, 1, 0, 0, 0, 0, -1]
    x = np.array([list(zip(values, markers, strict=True))], dtype=np.float64)
    batch = Batch(x=x, target=np.array([[0.575]]), lengths=np.array([8]))
    task = Adding(T=8)
    assert task.evaluate(np.array([[0.575 + 0.03]]), batch)["metric"] == 0.0
    assert task.evaluate(np.array([[0.575 - 0.05]]), batch)["metric"] == 1.0


def test_adding_hs97_structure_and_target_formula() -> None:
    T = 40
    batch = Adding(T=T).sample(gen(3), 2000)
    values, markers = batch.x[..., 0], batch.x[..., 1]
    rows = np.arange(len(values))
    assert ((T <= batch.lengths) & (batch.lengths <= T + T // 10)).all()
    assert (markers[:, 0] == -1).all() and (markers[rows, batch.lengths - 1] == -1).all()
    marked = markers == 1
    assert not marked[:, T // 2 :].any(), "both marks lie in the first T/2 steps"
    # marks on step 0 keep marker -1 and value 0, so the sum of +1-marked values is X1 + X2
    n_marks = marked.sum(axis=1)
    assert set(n_marks) == {1, 2}
    assert (values[n_marks == 1, 0] == 0.0).all()
    np.testing.assert_allclose(batch.target[:, 0], 0.5 + (values * marked).sum(axis=1) / 4)
    assert (np.abs(values) <= 1).all() and (values < 0).any()


def test_adding_hs97_baseline_by_hand() -> None:
    # T=20: X1 among 10 steps, X2 among 9, so q = 1/10 + (9/10)(1/9) = 0.2 of sequences carry
    # one value; P(|X| >= .16) = .84 and P(|X1 + X2| >= .16) = 1 - (4(.16) - .16^2)/4 = .8464
    base = Adding(T=20).baseline()
    assert base["metric"] == pytest.approx(0.2 * 0.84 + 0.8 * 0.8464)
    assert base["loss"] == pytest.approx(0.2 / 48 + 0.8 / 24)


def test_adding_pascanu_structure_and_target() -> None:
    T = 50
    batch = Adding(T=T, variant="pascanu").sample(gen(4), 1000)
    values, markers = batch.x[..., 0], batch.x[..., 1]
    assert ((T <= batch.lengths) & (batch.lengths <= T + 4)).all()
    assert (markers.sum(axis=1) == 2).all() and (markers >= 0).all()
    steps = np.argwhere(markers == 1)[:, 1].reshape(-1, 2)
    tenth = batch.lengths // 10
    assert (steps[:, 0] < tenth).all() and (tenth <= steps[:, 1]).all()
    assert (steps[:, 1] < tenth + 4 * batch.lengths // 10).all()
    np.testing.assert_allclose(batch.target[:, 0], (values * markers).sum(axis=1) / 2)
    assert (values >= 0).all()


def test_adding_pascanu_tolerance_and_baseline() -> None:
    task = Adding(T=10, variant="pascanu")
    batch = Batch(x=np.zeros((2, 10, 2)), target=np.array([[0.5], [0.5]]), lengths=np.full(2, 10))
    # squared error 0.0361 passes, 0.0441 fails (PMB13: wrong if err^2 > 0.04)
    assert task.evaluate(np.array([[0.69], [0.29]]), batch)["metric"] == 0.5
    assert task.baseline() == pytest.approx({"metric": 0.36, "loss": 1 / 24})
    assert task.solved({"metric": 0.0099}) and not task.solved({"metric": 0.01})


def test_adding_arjovsky_one_mark_per_half_and_sum() -> None:
    task = Adding(T=10, variant="arjovsky")
    batch = task.sample(gen(5), 500)
    markers = batch.x[..., 1]
    assert (markers[:, :5].sum(axis=1) == 1).all() and (markers[:, 5:].sum(axis=1) == 1).all()
    np.testing.assert_allclose(batch.target[:, 0], (batch.x[..., 0] * markers).sum(axis=1))
    assert task.baseline() == {"metric": 1 / 6, "loss": 1 / 6}
    assert task.solved({"metric": 0.016}) and not task.solved({"metric": 0.017})


def test_adding_hs97_criterion_is_at_most_one_percent() -> None:
    task = Adding(T=100)
    assert task.solved({"metric": 0.01}) and not task.solved({"metric": 0.0101})


# --- multiplication ---------------------------------------------------------------------------


def test_multiplication_target_is_the_product_with_neutral_first_step() -> None:
    batch = Multiplication(T=20).sample(gen(6), 2000)
    values, markers = batch.x[..., 0], batch.x[..., 1]
    marked = markers == 1
    one_mark = marked.sum(axis=1) == 1
    assert one_mark.any() and (values[one_mark, 0] == 1.0).all()  # HS97: X1 := 1.0
    product = np.where(marked, values, 1.0).prod(axis=1)
    np.testing.assert_allclose(batch.target[:, 0], product)
    assert ((values >= 0) & (values <= 1)).all()


def test_multiplication_baseline_by_hand_and_criterion() -> None:
    task = Multiplication(T=20)  # q = 0.2 as for adding
    mean = 0.2 * 0.5 + 0.8 * 0.25
    cdf = lambda z: z - z * math.log(z)  # noqa: E731 -- P(U1 U2 <= z)
    right = 0.2 * 0.08 + 0.8 * (cdf(mean + 0.04) - cdf(mean - 0.04))
    base = task.baseline()
    assert base["loss"] == pytest.approx(0.2 / 3 + 0.8 / 9 - mean**2)
    assert base["metric"] == pytest.approx(1 - right)
    assert task.solved({"metric": 0.05}) and not task.solved({"metric": 0.051})


# --- temporal order ---------------------------------------------------------------------------


def test_temporal_order_windows_match_hs97_at_length_100() -> None:
    assert TemporalOrder(T=100).windows() == [(9, 19), (49, 59)]
    assert TemporalOrder(T=100, bits=3).windows() == [(9, 19), (32, 42), (65, 75)]
    assert TemporalOrder(T=10).windows() == [(1, 1), (4, 5)]  # the docstring example


@pytest.mark.parametrize("bits", [2, 3])
def test_temporal_order_sequences_decode_to_their_class(bits: int) -> None:
    task = TemporalOrder(T=60, bits=bits)
    batch = task.sample(gen(7), 500)
    symbols = batch.x.argmax(-1)
    rows = np.arange(500)
    assert (symbols[:, 0] == 6).all() and (symbols[rows, batch.lengths - 1] == 7).all()
    relevant = (symbols == 4) | (symbols == 5)
    assert (relevant.sum(axis=1) == bits).all()
    expected = np.zeros(500, dtype=np.int64)
    for lo, hi in task.windows():
        in_window = relevant[:, lo : hi + 1]
        assert (in_window.sum(axis=1) == 1).all()
        bit = symbols[rows, lo + in_window.argmax(axis=1)] - 4  # X -> 0, Y -> 1
        expected = 2 * expected + bit
    np.testing.assert_array_equal(batch.target, expected)
    assert set(batch.target) == set(range(2**bits))
    inner = np.arange(batch.x.shape[1])[None, :] < batch.lengths[:, None] - 1
    inner[:, 0] = False
    assert (symbols[inner & ~relevant] < 4).all()  # the rest are distractors a..d


def test_temporal_order_baseline_and_criterion() -> None:
    assert TemporalOrder(T=20).baseline() == pytest.approx({"metric": 0.75, "loss": math.log(4)})
    three = TemporalOrder(T=20, bits=3)
    assert three.baseline() == pytest.approx({"metric": 0.875, "loss": math.log(8)})
    assert three.solved({"metric": 0.0099}) and not three.solved({"metric": 0.01})


# --- copy -------------------------------------------------------------------------------------


def test_copy_layout_by_hand() -> None:
    batch = Copy(T=3).sample(gen(8), 20)
    symbols = batch.x.argmax(-1)
    data = symbols[:, :10]
    assert batch.x.shape == (20, 23, 10) and (data < 8).all()
    np.testing.assert_array_equal(symbols[:, 10:12], 8)  # T - 1 = 2 blanks
    np.testing.assert_array_equal(symbols[:, 12], 9)  # the delimiter
    np.testing.assert_array_equal(symbols[:, 13:], 8)
    np.testing.assert_array_equal(batch.target[:, :13], 8)  # T + 10 blanks
    np.testing.assert_array_equal(batch.target[:, 13:], data)


def test_copy_memoryless_predictor_scores_the_baseline() -> None:
    task = Copy(T=100)
    batch = task.sample(gen(9), 50)
    logits = 50.0 * np.eye(10)[batch.target]
    logits[:, -10:] = np.r_[np.zeros(8), -50.0, -50.0]  # uniform over a0..a7 when recalling
    metrics = task.evaluate(logits, batch)
    assert task.baseline()["loss"] == pytest.approx(10 * math.log(8) / 120)  # 0.173
    assert metrics["loss"] == pytest.approx(task.baseline()["loss"], rel=1e-9)
    assert metrics["loss_over_baseline"] == pytest.approx(1.0)
    assert not task.solved(metrics)


def test_copy_criterion_counts_recalled_symbols() -> None:
    task = Copy(T=5)
    batch = task.sample(gen(10), 10)  # 100 recalled symbols
    logits = 30.0 * np.eye(10)[batch.target]
    logits[0, -1] = 30.0 * np.eye(10)[(batch.target[0, -1] + 1) % 8]  # one wrong
    assert task.evaluate(logits, batch)["metric"] == pytest.approx(0.99)
    assert task.solved(task.evaluate(logits, batch))
    logits[1, -1] = 30.0 * np.eye(10)[(batch.target[1, -1] + 1) % 8]  # two wrong
    assert not task.solved(task.evaluate(logits, batch))


# --- reber ------------------------------------------------------------------------------------


class ScriptedRng:
    """Stands in for a Generator: returns scripted choices from `integers`."""

    def __init__(self, choices: list[int]) -> None:
        self.choices = iter(choices)

    def integers(self, low: int, high: int) -> int:
        return next(self.choices)


def test_reber_docstring_example() -> None:
    # outer P, then P V V through the inner grammar: B P B P V V E P E
    symbols, legal = reber_string(ScriptedRng([1, 1, 1, 1]))  # type: ignore[arg-type]
    assert "".join(REBER_SYMBOLS[s] for s in symbols) == "BPBPVVEPE"
    sets = ["".join(sorted(REBER_SYMBOLS[s] for s in allowed)) for allowed in legal]
    assert sets == ["PT", "B", "PT", "TV", "PV", "E", "P", "E"]


def test_reber_strings_follow_their_legal_sets() -> None:
    batch = Reber().sample(gen(11), 300)
    inputs = batch.x.argmax(-1)
    for i, n in enumerate(batch.lengths):
        row = inputs[i, :n]
        assert row[0] == 0 and row[2] == 0 and row[1] in (1, 2) and row[-1] == row[1]
        for t in range(n - 1):  # every next input symbol was legal
            assert batch.target[i, t, row[t + 1]] == 1.0
        np.testing.assert_array_equal(batch.target[i, n - 2], np.eye(7)[row[1]])  # recall T/P
        np.testing.assert_array_equal(batch.target[i, n - 1], np.eye(7)[6])  # then E
    assert batch.lengths.min() >= 8 and set(np.unique(batch.target.sum(-1))) <= {0, 1, 2}


def test_reber_criterion_needs_every_legal_symbol_on_top() -> None:
    task = Reber()
    batch = task.sample(gen(12), 20)
    logits = 5.0 * (2.0 * batch.target - 1.0)
    assert task.solved(task.evaluate(logits, batch))
    logits[3, 0, 1] = -5.0  # after B, T is legal but now ranks with the illegal symbols
    metrics = task.evaluate(logits, batch)
    assert metrics["metric"] == pytest.approx(1 / 20) and not task.solved(metrics)
    assert task.baseline() == {"metric": 1.0}


def test_reber_respects_the_length_cap() -> None:
    batch = Reber(max_steps=8).sample(gen(13), 20)  # only the four 9-symbol strings fit
    assert (batch.lengths == 8).all() and batch.x.shape == (20, 8, 7)

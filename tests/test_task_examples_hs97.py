"""HS97 experiments 2b, 2c and 3a-c: worked examples, criteria and baselines by hand."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.tasks import make_task
from rnnlab.tasks.longlag_random import LongLagRandom
from rnnlab.tasks.signal_in_noise import SignalInNoise
from rnnlab.tasks.trigger_recall import TriggerRecall


def test_longlag_random_middle_is_random_and_ends_with_the_first_symbol() -> None:
    batch = LongLagRandom(p=5).sample(np.random.default_rng(0), 400)
    inputs, targets = batch.x.argmax(-1), batch.target.argmax(-1)
    assert set(np.unique(inputs[:, 0])) == {4, 5}  # x or y first
    np.testing.assert_array_equal(targets[:, -1], inputs[:, 0])  # ... and last
    middle = inputs[:, 1:]
    assert middle.max() <= 3 and len(np.unique(middle)) == 4  # a1..a4, all of them drawn
    assert len({tuple(row) for row in middle}) > 150  # of 4^4 = 256, not the fixed one of 2a


def test_longlag_random_criterion_reads_the_last_step_only() -> None:
    task = LongLagRandom(p=5)
    batch = task.sample(np.random.default_rng(1), 50)
    logits = np.zeros(batch.target.shape)  # 0.5 everywhere: wrong in the middle ...
    rows = np.arange(50)
    logits[rows, -1] = 30.0 * (2.0 * batch.target[rows, -1] - 1.0)  # ... right at the end
    assert task.solved(task.evaluate(logits, batch))


def test_trigger_recall_worked_example() -> None:
    task = TriggerRecall(q=2, p=2)
    batch = task.sample(np.random.default_rng(3), 2000)
    symbols = np.where(batch.x.any(-1), batch.x.argmax(-1), -1)
    rows = np.arange(2000)
    assert (symbols[:, 0] == 3).all()  # b
    assert np.isin(symbols[:, 1], (4, 5)).all()  # x or y
    last = batch.lengths - 1
    assert (symbols[rows, last] == 2).all()  # e at the end
    middle = [symbols[n, 2 : last[n]] for n in rows]
    assert all(len(m) >= 2 and set(m) <= {0, 1} for m in middle)  # >= q distractors
    np.testing.assert_array_equal(batch.target.argmax(-1), symbols[:, 1] - 4)
    assert batch.lengths.min() == 5  # q + 3
    assert batch.lengths.mean() == pytest.approx(2 + 3 + 9, abs=0.6)  # 9 extra on average


def test_trigger_recall_counts_a_wrong_output_per_sequence() -> None:
    task = TriggerRecall(q=3)
    batch = task.sample(np.random.default_rng(4), 10)
    logits = 30.0 * (2.0 * batch.target - 1.0)
    logits[0] = 0.0  # one sequence at 0.5: error 0.5
    metrics = task.evaluate(logits, batch)
    assert metrics["metric"] == pytest.approx(0.1) and not task.solved(metrics)


def test_signal_in_noise_worked_example() -> None:
    task = SignalInNoise(T=40, signal=3)
    batch = task.sample(np.random.default_rng(5), 3000)
    x = batch.x[..., 0]
    first = x[:, :3]
    assert np.isin(first, (-1.0, 1.0)).all() and (first == first[:, :1]).all()
    np.testing.assert_array_equal(batch.target[:, 0], (first[:, 0] > 0).astype(float))
    noise = np.concatenate([x[n, 3 : batch.lengths[n]] for n in range(3000)])
    assert noise.mean() == pytest.approx(0.0, abs=0.01)
    assert noise.var() == pytest.approx(0.2, rel=0.02)
    assert batch.lengths.min() == 40 and batch.lengths.max() == 44


def test_signal_in_noise_3b_puts_noise_on_the_signal_too() -> None:
    batch = SignalInNoise(T=40, signal=1, variant="3b").sample(np.random.default_rng(6), 2000)
    head = batch.x[:, 0, 0] - np.where(batch.target[:, 0] > 0.5, 1.0, -1.0)
    assert head.var() == pytest.approx(0.2, rel=0.1)


def test_signal_in_noise_3c_trains_on_noisy_targets_and_tests_on_clean_ones() -> None:
    task = SignalInNoise(T=20, variant="3c")
    train = task.sample(np.random.default_rng(7), 4000)
    test = task.test_batch(np.random.default_rng(7), 4000)
    np.testing.assert_array_equal(train.x, test.x)  # the same sequences ...
    assert set(np.unique(test.target)) == {0.2, 0.8}  # ... clean targets for the criterion
    assert (train.target - test.target).std() == pytest.approx(np.sqrt(0.1), rel=0.05)
    near = test.target + 0.09  # within 0.1 of the clean target: right
    metrics = task.evaluate(near, test)
    assert metrics["metric"] == 0.0 and not task.solved(metrics)  # mean error 0.09 >= 0.015


@pytest.mark.parametrize("name", ["longlag_random", "trigger_recall", "signal_in_noise"])
def test_nan_and_inf_outputs_are_never_a_success(name: str) -> None:
    task = make_task(name, 8)
    batch = task.test_batch(np.random.default_rng(8), 16)
    for value in (np.nan, np.inf, -np.inf):
        shape = batch.target.shape if task.loss == "mse" else (
            (*batch.target.shape[:2], task.output_size)
            if task.output_kind == "many_to_many" else batch.target.shape)
        metrics = task.evaluate(np.full(shape, value), batch)
        assert not task.solved(metrics), (value, metrics)

"""A NaN or infinite prediction is never a success (issue 18, item 1): property tests over every
registered task and option, and the reproduction of the issue on the CLI's own code path."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rnnlab.tasks import make_task
from rnnlab.tasks.base import Batch, Task
from rnnlab.tasks.registry import TASKS
from rnnlab.training import TrainConfig, train_run

# Every task and option value that changes how a prediction is scored.
VARIANTS = [
    (name, options)
    for name in TASKS
    for options in (
        [{"variant": v} for v in ("hs97", "pascanu", "arjovsky")]
        if name == "adding"
        else [{"bits": b} for b in (2, 3)]
        if name == "temporal_order"
        else [{}]
    )
]
NON_FINITE = st.sampled_from([np.nan, np.inf, -np.inf])


def perfect_output(task: Task, batch: Batch) -> np.ndarray:
    """The readout a flawless network gives: the target itself, or confident logits for it."""
    if task.loss == "mse":
        return batch.target.astype(np.float64)
    if task.loss == "sigmoid_bce":
        return 20.0 * (2.0 * batch.target - 1.0)
    return 20.0 * np.eye(task.output_size)[batch.target]  # softmax_ce: one-hot logits


def counted_entry(task: Task, batch: Batch, row: int) -> tuple[int, ...]:
    """An output index of ``row`` that every metric scores: its last valid step."""
    if task.output_kind == "many_to_one":
        return (row,)
    return (row, int(batch.lengths[row]) - 1)


def worse(task: Task, metric: float, than: float) -> bool:
    """Whether ``metric`` is strictly worse; the baseline tells which way is better."""
    higher_is_better = than > task.baseline()["metric"]
    return metric < than if higher_is_better else metric > than


@st.composite
def scored_batches(draw: st.DrawFn) -> tuple[Task, Batch]:
    name, options = draw(st.sampled_from(VARIANTS))
    task = make_task(name, draw(st.integers(12, 20)), **options)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return task, task.sample(rng, draw(st.integers(1, 12)))


@given(scored_batches(), NON_FINITE, st.booleans())
def test_a_non_finite_output_is_never_solved(drawn, bad: float, mixed: bool) -> None:
    task, batch = drawn
    out = np.full_like(perfect_output(task, batch), bad)
    if mixed:  # NaN, inf and -inf side by side
        out.flat[::3], out.flat[1::3] = np.nan, np.inf
    metrics = task.evaluate(out, batch)
    assert not task.solved(metrics), (task, metrics)
    assert not np.isnan(metrics["metric"])  # scored as wrong, not as "unknown"


@given(scored_batches(), NON_FINITE, st.data())
def test_one_non_finite_entry_makes_its_sequence_wrong(drawn, bad: float, data) -> None:
    task, batch = drawn
    out = perfect_output(task, batch)
    perfect = task.evaluate(out, batch)
    assert task.solved(perfect), (task, perfect)  # the construction is right
    row = data.draw(st.integers(0, len(batch.lengths) - 1))
    index = counted_entry(task, batch, row)
    unit = data.draw(st.integers(0, out.shape[-1] - 1)) if out.ndim > len(index) else None
    out[index if unit is None else (*index, unit)] = bad
    corrupted = task.evaluate(out, batch)
    assert worse(task, corrupted["metric"], perfect["metric"]), (task, perfect, corrupted)


def test_an_exploding_learning_rate_is_not_reported_solved() -> None:
    # The reproduction: --task adding --length 10 --hidden 4 --batch 4 --steps 50
    # --test-size 64 --eval-every 1 --lr 1e308 reported "solved at step 1".
    config = TrainConfig(
        task="adding", length=10, task_options={"test_size": 64}, hidden=4, batch=4, steps=50,
        eval_every=1, lr=1e308,
    )  # fmt: skip
    result = train_run(config)
    assert not result["solved"]
    assert result["steps_to_solve"] is None

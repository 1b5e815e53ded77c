"""Properties every task shares: determinism, shapes, padding, criterion, baseline, registry."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.tasks import TASKS, Batch, Task, list_tasks, make_task

# (name, length, options) covering every task and variant
SPECS = [
    ("longlag", 6, {}),
    ("longlag_random", 6, {}),
    ("trigger_recall", 5, {}),
    ("trigger_recall", 5, {"p": 2}),
    ("signal_in_noise", 20, {}),
    ("signal_in_noise", 20, {"variant": "3b", "signal": 1}),
    ("signal_in_noise", 20, {"variant": "3c"}),
    ("adding", 20, {}),
    ("adding", 20, {"variant": "pascanu"}),
    ("adding", 20, {"variant": "arjovsky"}),
    ("multiplication", 20, {}),
    ("temporal_order", 20, {}),
    ("temporal_order", 30, {"bits": 3}),
    ("copy", 5, {}),
    ("reber", 30, {}),
]
IDS = [f"{n}-{o.get('variant', o.get('bits', o.get('p', '')))}" for n, _, o in SPECS]


def perfect_output(task: Task, batch: Batch) -> np.ndarray:
    """The readout of a model that knows the answer, in the layout `evaluate` expects."""
    if task.loss == "mse":
        return batch.target.astype(np.float64)
    if task.loss == "softmax_ce":
        return 30.0 * np.eye(task.output_size)[batch.target]
    return 30.0 * (2.0 * batch.target - 1.0)  # sigmoid_bce: saturate towards the 0/1 targets


def constant_output(task: Task, batch: Batch) -> np.ndarray:
    """One output for every sequence and step: the target mean for regression, else zeros."""
    shape = batch.target.shape
    if task.loss == "mse":
        return np.full(shape, batch.target.mean())
    if task.output_kind == "many_to_one":
        return np.zeros((shape[0], task.output_size))
    return np.zeros((*shape[:2], task.output_size))


@pytest.fixture(params=SPECS, ids=IDS)
def task(request: pytest.FixtureRequest) -> Task:
    name, length, options = request.param
    return make_task(name, length, **options)


def test_same_seed_same_batch_and_different_seeds_differ(task: Task) -> None:
    a = task.sample(np.random.default_rng(7), 16)
    b = task.sample(np.random.default_rng(7), 16)
    c = task.sample(np.random.default_rng(8), 16)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.target, b.target)
    np.testing.assert_array_equal(a.lengths, b.lengths)
    assert a.x.shape != c.x.shape or not np.array_equal(a.x, c.x)


def test_sampling_leaves_the_global_rng_alone(task: Task) -> None:
    before = np.random.get_state()[1].copy()  # noqa: NPY002 -- checking the legacy RNG is untouched
    task.sample(np.random.default_rng(0), 4)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def test_shapes_dtypes_and_padding(task: Task) -> None:
    n = 32
    batch = task.sample(np.random.default_rng(1), n)
    T = batch.x.shape[1]
    assert batch.x.shape == (n, T, task.input_size) and batch.x.dtype == np.float64
    assert T <= task.max_length
    assert batch.lengths.dtype == np.int64 and batch.lengths.shape == (n,)
    assert batch.lengths.min() >= 1 and batch.lengths.max() == T
    beyond = np.arange(T)[None, :] >= batch.lengths[:, None]
    assert not batch.x[beyond].any(), "inputs beyond a sequence's length must be zero"
    if task.output_kind == "many_to_one":
        expected = (n,) if task.loss == "softmax_ce" else (n, task.output_size)
    else:
        expected = (n, T) if task.loss == "softmax_ce" else (n, T, task.output_size)
    assert batch.target.shape == expected
    assert batch.target.dtype == (np.int64 if task.loss == "softmax_ce" else np.float64)
    assert task.test_size >= 1


def test_perfect_predictor_is_solved(task: Task) -> None:
    batch = task.sample(np.random.default_rng(2), 64)
    metrics = task.evaluate(perfect_output(task, batch), batch)
    assert {"metric", "loss"} <= metrics.keys()
    assert task.solved(metrics), metrics
    assert metrics["loss"] < 1e-6


def test_constant_predictor_is_not_solved_and_scores_near_baseline(task: Task) -> None:
    batch = task.test_batch(np.random.default_rng(3), 4000 if task.name != "reber" else 300)
    metrics = task.evaluate(constant_output(task, batch), batch)
    assert not task.solved(metrics), metrics
    if task.loss == "mse":  # the constant is the target mean, the baseline's own predictor
        base = task.baseline()
        assert metrics["metric"] == pytest.approx(base["metric"], abs=0.03)
        assert metrics["loss"] == pytest.approx(base["loss"], rel=0.1)


def test_evaluate_rejects_a_misshaped_output(task: Task) -> None:
    batch = task.sample(np.random.default_rng(4), 3)
    bad = perfect_output(task, batch)[:2]
    with pytest.raises(ValueError, match="output must have shape"):
        task.evaluate(bad, batch)


def test_baseline_has_a_metric_that_fails_the_criterion(task: Task) -> None:
    base = task.baseline()
    assert "metric" in base
    assert not task.solved(base)


# --- registry ---------------------------------------------------------------------------------


def test_list_tasks_rows_and_describe() -> None:
    rows = list_tasks()
    assert [r["name"] for r in rows] == list(TASKS)
    assert set(TASKS) == {
        "longlag",
        "longlag_random",
        "trigger_recall",
        "signal_in_noise",
        "adding",
        "multiplication",
        "temporal_order",
        "copy",
        "reber",
    }
    for row in rows:
        assert set(row) == {"name", "parameters", "criterion", "source"}
        assert all(row.values())
        assert row["criterion"] in TASKS[row["name"]].describe()


@pytest.mark.parametrize(
    ("name", "length", "options", "names"),
    [
        ("lstm_task", 10, {}, "task must be one of"),
        ("adding", 0, {}, "length must be an integer >= 1"),
        ("copy", -3, {}, "length must be"),
        ("adding", 2.5, {}, "length must be"),
        ("adding", True, {}, "length must be"),
        ("adding", 20, {"bits": 3}, "option 'bits'"),
        ("adding", 20, {"T": 30}, "option 'T'"),
        ("adding", 20, {"variant": "le"}, "variant must be one of 'hs97', 'pascanu', 'arjovsky'"),
        ("adding", 3, {}, "length T must be an integer >= 4"),
        ("adding", 9, {"variant": "pascanu"}, "length T must be an integer >= 10"),
        ("temporal_order", 50, {"bits": 4}, "bits must be one of 2, 3"),
        ("temporal_order", 9, {}, "length T must be"),
        ("longlag", 1, {}, "length p must be an integer >= 2"),
        ("reber", 7, {}, "length max_steps must be an integer >= 8"),
        ("copy", 10, {"test_size": 0}, "test_size must be"),
    ],
)
def test_make_task_errors_name_the_argument(
    name: str, length: object, options: dict[str, object], names: str
) -> None:
    with pytest.raises(ValueError, match=names.replace("(", r"\(")):
        make_task(name, length, **options)  # type: ignore[arg-type]


def test_make_task_maps_length_to_the_lag_parameter() -> None:
    assert make_task("longlag", 7).max_length == 7
    assert make_task("adding", 100).max_length == 110
    assert make_task("adding", 100, variant="pascanu").max_length == 109
    assert make_task("adding", 100, variant="arjovsky").max_length == 100
    assert make_task("multiplication", 100).max_length == 110
    assert make_task("temporal_order", 100, bits=3).max_length == 110
    assert make_task("copy", 100).max_length == 120
    assert make_task("reber", 40).max_length == 40
    assert make_task("adding", 50, test_size=10000).test_size == 10000

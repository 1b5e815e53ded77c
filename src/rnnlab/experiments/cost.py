"""What a sweep costs on this machine, measured rather than extrapolated.

For every (task, lag, cell) of a plan this times, in CPU seconds on one thread, one training
update (a fresh batch, forward, backward, clipping and Adam: the loop's own `train_step`) and
one test pass (drawing, predicting and scoring the task's test set, timed on a tenth of it and
scaled). A run with a budget of S updates, evaluated every E, then costs at most

    S * update + ceil(S / E) * test_pass                    (early stopping only cuts this)

and the plan's bound is that sum over its jobs. Seeds share a configuration's cost, so each
(task, lag, cell) is timed once, after a warm-up update and a warm-up test pass: a first call
loads the fast path's kernels and allocates its buffers, and can cost ten times a later one.
Left out: the first seed's gradient-flow diagnostics (two passes over 64 sequences per
configuration, a few updates' worth against budgets of 2,000 and more).

Worked example: the LSTM at hidden 16 on adding at lag 1,000 takes about 0.045 s per update
and 3.4 s per test pass (one thread, measured), so its 20,000-update budget with a test every
100 updates costs at most 20,000 x 0.045 + 200 x 3.4 = 1,580 s; a run that solves at update
1,300 (13 tests) costs about 100 s.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from .plan import Job

TEST_SHARE = 0.1  # the part of the test set a test pass is timed on (cost is linear in it)


@dataclass(frozen=True)
class ConfigCost:
    """The measured CPU seconds of one (task, lag, cell) and the budget of each of its runs."""

    task: str
    length: int
    cell: str
    update: float  # one training update
    test_pass: float  # one evaluation on the whole test set
    steps: int  # the run's update budget
    eval_every: int

    @property
    def run_bound(self) -> float:
        """CPU seconds of one run that uses its whole budget."""
        return self.steps * self.update + math.ceil(self.steps / self.eval_every) * self.test_pass


def measure_job(job: Job, updates: int = 3) -> ConfigCost:
    """Time ``updates`` training updates and one test pass of ``job``'s configuration."""
    from ..backend import set_num_threads
    from ..training import TrainConfig, evaluate, make_problem
    from ..training.loop import train_step
    from ..training.run import start_run

    set_num_threads(1)  # as every sweep run does (`sweep.run_job`)
    config = TrainConfig(**job.config)
    problem = make_problem(config)
    model, optimizer, state = start_run(config, problem)
    train_step(config, model, problem, optimizer, state)  # warm-up: compiles or loads kernels
    start = time.process_time()
    for _ in range(updates):
        train_step(config, model, problem, optimizer, state)
    update = (time.process_time() - start) / updates
    task = problem.task
    part = replace(task, test_size=max(1, round(task.test_size * TEST_SHARE)))
    evaluate(model, part, state.test_rng)  # warm-up: a first pass loads kernels, allocates
    start = time.process_time()
    evaluate(model, part, state.test_rng)
    test_pass = (time.process_time() - start) * task.test_size / part.test_size
    return ConfigCost(job.task, job.length, job.cell, update, test_pass, config.steps,
                      config.eval_every)  # fmt: skip


def measure_plan(
    jobs: Iterable[Job], updates: int = 3, on_measured: Callable[[ConfigCost], None] | None = None
) -> list[tuple[ConfigCost, int]]:
    """Each distinct (task, lag, cell) of ``jobs`` measured once, with its number of runs."""
    runs: dict[tuple[str, int, str], list[Job]] = {}
    for job in jobs:
        runs.setdefault((job.task, job.length, job.cell), []).append(job)
    measured = []
    for same in runs.values():
        cost = measure_job(same[0], updates)
        if on_measured is not None:
            on_measured(cost)
        measured.append((cost, len(same)))
    return measured


def hours_by_task(measured: list[tuple[ConfigCost, int]]) -> dict[str, tuple[int, float, float]]:
    """Per task (in plan order): its runs, their core-hours if every run used its budget, and
    its longest run in hours."""
    totals: dict[str, tuple[int, float, float]] = {}
    for cost, n in measured:
        runs, hours, longest = totals.get(cost.task, (0, 0.0, 0.0))
        bound = cost.run_bound / 3600
        totals[cost.task] = (runs + n, hours + n * bound, max(longest, bound))
    return totals


def cost_table(measured: list[tuple[ConfigCost, int]], cores: int) -> list[str]:
    """The lines `rnnlab atlas --plan --measure` prints: per task and in all."""
    totals = hours_by_task(measured)
    width = max(len(t) for t in totals) if totals else 4
    lines = [f"{'task':<{width}}  {'runs':>6}  {'core-hours':>10}  {'longest run (h)':>15}"]
    for task, (runs, hours, longest) in totals.items():
        lines.append(f"{task:<{width}}  {runs:>6,}  {hours:>10,.1f}  {longest:>15,.2f}")
    runs = sum(t[0] for t in totals.values())
    hours = sum(t[1] for t in totals.values())
    lines.append(f"{'all':<{width}}  {runs:>6,}  {hours:>10,.1f}")
    lines.append(
        f"at most {hours:,.0f} core-hours if every run used its whole budget: "
        f"{hours / cores:,.0f} hours on this machine's {cores} cores (one thread per run)"
    )
    return lines

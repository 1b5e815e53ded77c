"""Plan a sweep: every (task, length, cell, seed) combination becomes one `Job`; and every
(dataset, cell, seed), whose row has the dataset in ``task`` and length 0 (no lag).

A job carries the full `rnnlab.training.TrainConfig` of its run as a plain dict, so it pickles
to any executor and is stored verbatim in the ``config`` column. Parameter matching
(``--match-params``) is decided here, before anything runs, so the plan alone fixes every row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .spec import CellSpec

# Diagnostics use their own fixed batch, not a training batch, so init and trained runs of every
# cell are measured on the very same sequences.
GRADFLOW_SEED = 20_250_101
GRADFLOW_BATCH = 64
MATCH_REFERENCE = "lstm"  # --match-params sizes every cell to the plain LSTM at --hidden


@dataclass(frozen=True)
class SweepSettings:
    """What a sweep runs. ``train`` holds further `TrainConfig` fields (batch, lr, clip, ...).

    ``lengths`` maps each task to its lags; ``gradflow`` names the (task, length) whose first-seed
    runs also record gradient-flow diagnostics after training (None: no diagnostics).
    """

    tasks: tuple[str, ...]
    lengths: dict[str, tuple[int, ...]]
    cells: tuple[CellSpec, ...]
    seeds: tuple[int, ...]
    hidden: int = 16
    steps: int = 4000
    match_params: bool = False
    train: dict[str, Any] = field(default_factory=dict)
    gradflow: tuple[str, int] | None = None
    datasets: tuple[str, ...] = ()  # real datasets (`rnnlab.data`), from their own defaults
    minutes: float | None = None  # each dataset run's time budget
    data_hidden: int | None = None  # the datasets' hidden width (None: each dataset's default)
    steps_per_lag: float = 0.0  # the budget grows with the lag: max(steps, steps_per_lag * L)
    diagnose_all: bool = False  # every (task, length, cell)'s first seed records gradient flow

    def steps_for(self, length: int) -> int:
        """The update budget of a run at lag ``length``."""
        return max(self.steps, math.ceil(self.steps_per_lag * length))

    def fingerprint(self) -> dict[str, Any]:
        """The settings a row's numbers depend on beyond its key; stored in the file's meta.

        Tasks, lengths, cells and seeds are left out: adding lags or seeds to a finished sweep
        is fine, changing the hidden width under it is not.
        """
        rule = {"steps_per_lag": self.steps_per_lag} if self.steps_per_lag else {}
        if self.diagnose_all:
            rule["diagnose_all"] = True
        data = {"minutes": self.minutes, "data_hidden": self.data_hidden} if self.datasets else {}
        return {
            "hidden": self.hidden,
            "steps": self.steps,
            **rule,
            "match_params": self.match_params,
            **{k: self.train[k] for k in sorted(self.train)},
            **data,
        }


@dataclass(frozen=True)
class Job:
    """One run: its key, its training configuration, and whether to record diagnostics."""

    task: str
    length: int
    cell: str  # the --cells entry as given
    seed: int
    config: dict[str, Any]
    diagnose: bool = False

    @property
    def key(self) -> tuple[str, int, str, int]:
        return (self.task, self.length, self.cell, self.seed)

    @property
    def label(self) -> str:
        return f"{self.task} T={self.length} {self.cell} s{self.seed}"


def split_task(text: str) -> tuple[str, dict[str, Any]]:
    """``"temporal_order:bits=3"`` -> ("temporal_order", {"bits": 3}): a task with options, as a
    sweep's task entry (and its rows' ``task`` column) spells it."""
    name, _, rest = text.partition(":")
    options: dict[str, Any] = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--tasks: expected name[:key=value,...], got {text!r}")
        options[key] = int(value) if value.lstrip("-").isdigit() else value
    return name, options


def base_config(settings: SweepSettings, task: str, length: int, spec: CellSpec) -> dict[str, Any]:
    name, options = split_task(task)
    config = {
        **settings.train,
        "task": name,
        "length": length,
        "cell": spec.cell,
        "init": spec.init,
        "hidden": settings.hidden,
        "steps": settings.steps_for(length),
    }
    if options:
        config["task_options"] = {**settings.train.get("task_options", {}), **options}
    if spec.regularizer is not None:
        config["regularizer"] = spec.regularizer
    return config


def data_config(settings: SweepSettings, name: str, spec: CellSpec) -> dict[str, Any]:
    """A dataset run: the dataset's defaults, the sweep's training settings, the cell."""
    from ..data import dataset_class

    config = {**dataset_class(name).defaults, **settings.train, "data": name, "cell": spec.cell}
    config["init"] = spec.init or config.get("init")
    if settings.data_hidden is not None:
        config["hidden"] = settings.data_hidden
    if settings.minutes is not None:
        config["minutes"] = settings.minutes
    return config


def count_params(config: dict[str, Any]) -> int:
    """The parameter count of the model ``config`` builds (recurrent layer plus readout)."""
    return _count_params_cached(tuple(sorted((k, _hashable(v)) for k, v in config.items())))


def _hashable(value: Any) -> Any:
    return tuple(sorted(value.items())) if isinstance(value, dict) else value


@cache
def _count_params_cached(items: tuple[tuple[str, Any], ...]) -> int:
    import numpy as np

    from ..training import TrainConfig, build_model

    config = {k: dict(v) if k.endswith("_options") and v is not None else v for k, v in items}
    train_config = TrainConfig(**config)
    model = build_model(train_config, np.random.default_rng(0), _problem(train_config))
    return int(sum(np.asarray(p).size for p in model.params.values()))


def _problem(config: Any) -> Any:
    """The problem of a config; a dataset's is built once (it reads the data) and reused for
    every width: its model's shapes depend on the data only through the vocabulary."""
    from ..training import make_problem

    if config.data is None:
        return make_problem(config)
    key = (config.data, tuple(sorted(config.data_options.items())), config.batch, config.tbptt)
    if key not in _PROBLEMS:
        _PROBLEMS[key] = make_problem(config)
    return _PROBLEMS[key]


_PROBLEMS: dict[tuple[Any, ...], Any] = {}


def matched_hidden(
    config: dict[str, Any], target: int, counter: Callable[[dict[str, Any]], int] = count_params
) -> int:
    """The hidden width whose parameter count is closest to ``target`` (ties: the smaller).

    Counts grow monotonically with the width, so the search stops once it overshoots.
    """
    best, best_gap = 1, None
    hidden = 1
    while True:
        n = counter({**config, "hidden": hidden})
        gap = abs(n - target)
        if best_gap is None or gap < best_gap:
            best, best_gap = hidden, gap
        if n >= target or hidden > 4096:
            return best
        hidden += 1


def plan_sweep(
    settings: SweepSettings, counter: Callable[[dict[str, Any]], int] = count_params
) -> list[Job]:
    """Every job of the sweep, longest sequences first so the slow runs start early."""
    jobs = []
    for task in settings.tasks:
        for length in settings.lengths[task]:
            target = None
            if settings.match_params:
                ref = CellSpec(MATCH_REFERENCE, MATCH_REFERENCE)
                target = counter(base_config(settings, task, length, ref))
            for spec in settings.cells:
                config = base_config(settings, task, length, spec)
                if target is not None:
                    config["hidden"] = matched_hidden(config, target, counter)
                for seed in settings.seeds:
                    point = settings.diagnose_all or settings.gradflow == (task, length)
                    diagnose = point and seed == settings.seeds[0]
                    jobs.append(
                        Job(task, length, spec.text, seed, {**config, "seed": seed}, diagnose)
                    )
    jobs += plan_data(settings, counter)
    order = {spec.text: i for i, spec in enumerate(settings.cells)}
    return sorted(
        jobs,
        key=lambda j: (
            -j.length,
            (*settings.tasks, *settings.datasets).index(j.task),
            order[j.cell],
            j.seed,
        ),
    )


def plan_data(
    settings: SweepSettings, counter: Callable[[dict[str, Any]], int] = count_params
) -> list[Job]:
    """The dataset runs: with ``match_params`` every cell is sized to the LSTM's count at the
    dataset's (or the sweep's) hidden width."""
    jobs = []
    for name in settings.datasets:
        target = None
        if settings.match_params:
            target = counter(
                data_config(settings, name, CellSpec(MATCH_REFERENCE, MATCH_REFERENCE))
            )
        for spec in settings.cells:
            config = data_config(settings, name, spec)
            if target is not None:
                config["hidden"] = matched_hidden(config, target, counter)
            for seed in settings.seeds:
                jobs.append(Job(name, 0, spec.text, seed, {**config, "seed": seed}))
    return jobs

"""What `rnnlab compare` and `rnnlab why` do once their options are parsed.

Plan, check the results file, run what is missing, write the report: the same steps for both
commands, which differ only in where their settings come from. Everything that can be wrong
with the options (a cell, the same model listed twice, --db, --out) is found before any run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ..files import check_writable_dir
from .executors import Pool, open_pool
from .plan import Job, SweepSettings, base_config, count_params, data_config, plan_sweep
from .report import plot_available, write_report
from .store import Store
from .sweep import SweepOutcome, run_sweep

PLOT_LINE = "report skipped: its figures need matplotlib: pip install 'rnnlab[plot]'"


def _model(config: dict[str, Any]) -> tuple[str, str, str, str]:
    """What a cell entry trains: the layer class, its options, the resolved init and the
    regulariser (``rnn`` and ``rnn+omega`` are one model trained two ways)."""
    from ..models import parse_cell
    from ..training import TrainConfig

    resolved = TrainConfig(**config)
    cls, options = parse_cell(resolved.cell)
    return cls.__name__, repr(sorted(options.items())), resolved.resolved_init, str(
        resolved.regularizer
    )


def validate(settings: SweepSettings) -> None:
    """Build each (task, cell) model once, so a bad task, variant or init fails before any run,
    and refuse two entries that train the same model (``lstm`` and ``lstm@chrono``)."""
    for task in settings.tasks:
        seen: dict[tuple[str, str, str, str], str] = {}
        for spec in settings.cells:
            config = base_config(settings, task, settings.lengths[task][0], spec)
            count_params(config)
            model = _model(config)
            if model in seen:
                raise ValueError(
                    f"--cells: {seen[model]!r} and {spec.text!r} are the same model "
                    f"({model[0]} with {model[2]} init); list it once"
                )
            seen[model] = spec.text
    for name in settings.datasets:
        for spec in settings.cells:
            count_params(data_config(settings, name, spec))


def planned_jobs(
    settings: SweepSettings, select: Callable[[list[Job]], list[Job]] | None = None
) -> list[Job]:
    """The sweep's jobs once its options are checked (`validate`); ``select`` keeps a part of
    them (one shard of a sweep split over machines)."""
    validate(settings)
    jobs = plan_sweep(settings)
    return jobs if select is None else select(jobs)


def execute(
    settings: SweepSettings,
    args: argparse.Namespace,
    name: str,
    title: str = "rnnlab: RNN vs LSTM vs GRU over time lags",
    notes: list[str] | None = None,
    select: Callable[[list[Job]], list[Job]] | None = None,
) -> SweepOutcome:
    """Run the sweep of ``settings`` into ``args.db`` and write the report into ``args.out``;
    ``select`` keeps a part of the planned jobs (one shard of a sweep split over machines)."""
    jobs = planned_jobs(settings, select)
    check_writable_dir(args.out, "--out")
    # The pool first: a bad --workers or --scheduler must not leave a new results file behind.
    with open_pool(args.scheduler, args.workers) as pool, Store(args.db) as store:
        store.check_settings(settings.fingerprint())
        try:
            outcome = _run(jobs, store, pool, args, name)
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: say what the file holds
            whole = len(store.finished_keys() & {j.key for j in jobs})
            raise type(exc)(
                f"{whole}/{len(jobs)} runs are whole rows in {args.db} (a run in flight leaves "
                "no row); rerun the same command to train the rest"
            ) from None
        rows = store.runs({j.key for j in jobs})
    print(
        f"{name}: {outcome.finished} runs trained in {outcome.wall_time:.0f} s, "
        f"{len(rows)}/{len(jobs)} rows in {args.db}"
        + (f", {len(outcome.failed)} failed (rerun to retry)" if outcome.failed else ""),
        file=sys.stderr,
    )
    if not plot_available():
        print(PLOT_LINE)
        return outcome
    if rows:
        report_settings: dict[str, Any] = {
            **settings.fingerprint(),
            "tasks": {t: list(settings.lengths[t]) for t in settings.tasks},
            **({"datasets": list(settings.datasets)} if settings.datasets else {}),
            "cells": [c.text for c in settings.cells],
            "seeds": len(settings.seeds),
        }
        path = write_report(rows, args.out, title=title, notes=notes, settings=report_settings)
        print(f"report: {path} and {path.parent / 'README.md'}")
    return outcome


def _run(
    jobs: list[Job], store: Store, pool: Pool, args: argparse.Namespace, name: str
) -> SweepOutcome:
    todo = len(jobs) - len(store.finished_keys() & {j.key for j in jobs})
    print(
        f"{name}: {len(jobs)} runs, {len(jobs) - todo} already in {args.db}, "
        f"{todo} to train on a {pool.description}",
        file=sys.stderr,
    )
    return run_sweep(jobs, store, pool, progress=not args.no_progress)

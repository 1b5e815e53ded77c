"""``rnnlab atlas``: every cell and variant against every long-lag task up to lag 1,000."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from ..experiments.atlas import ATLAS_LENGTHS, SEEDS, atlas_settings, parse_shard, shard, size_line
from ..experiments.plan import Job, SweepSettings
from ..experiments.spec import parse_names
from ._args import add_command
from .compare import add_execution_arguments

NAME = "atlas"
ORDER = 32
HELP = "the full sweep: every cell and variant x every long-lag task up to lag 1,000"
# {lags} and {size} are filled in when the parser is built
DESCRIPTION = """\
Tasks and lags: {lags}. Cells: the tanh RNN plain, with clipping and Pascanu's regulariser \
(rnn+omega), the IRNN and an orthogonal tanh RNN; every LSTM preset at chrono and (with a forget \
gate) forget1 init; the GRU and every other registered cell; parameter-matched to the LSTM at \
hidden 16. Budget: max(2000, 20 x lag) updates of 32 sequences. Size: {size}.
Rerunning with the same --db trains only what is missing; --scheduler sends the runs to a Dask \
cluster; --shard K/N runs one of N shards on this machine, and `rnnlab report --db a.sqlite \
b.sqlite` merges the shards' files.
Example: rnnlab atlas --tasks adding --seeds 3 --shard 1/2 --db atlas-1.sqlite"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    lags = "; ".join(f"{task} {list(lengths)}" for task, lengths in ATLAS_LENGTHS.items())
    description = DESCRIPTION.format(lags=lags, size=size_line(atlas_settings()))
    parser = add_command(sub, NAME, HELP, description)
    parser.add_argument("--tasks", help="a subset of the atlas's tasks (default: all)")
    parser.add_argument("--seeds", type=int, default=SEEDS, help=f"seeds 0..N-1 (default {SEEDS})")
    parser.add_argument("--shard", metavar="K/N", help="run only the K-th of N shards")
    parser.add_argument("--db", default="atlas.sqlite", help="SQLite results file")
    parser.add_argument(
        "--plan", action="store_true", help="print the number of runs and their cost, then stop"
    )
    parser.add_argument(
        "--measure",
        action="store_true",
        help="with --plan: time one update and one test pass of every (task, lag, cell) on this "
        "machine, one thread, and print the core-hours from those times",
    )
    add_execution_arguments(parser)
    return parser


def print_measured(
    settings: SweepSettings, select: Callable[[list[Job]], list[Job]] | None, progress: bool
) -> None:
    """Time every (task, lag, cell) of the plan (or of this shard) and print the cost table."""
    from tqdm import tqdm

    from ..experiments.cost import cost_table, measure_plan
    from ..experiments.driver import planned_jobs

    jobs = planned_jobs(settings, select)
    configs = len({(j.task, j.length, j.cell) for j in jobs})
    with tqdm(total=configs, desc="measuring", unit="config", disable=not progress) as bar:
        measured = measure_plan(jobs, on_measured=lambda cost: bar.update(1))
    print("\n".join(cost_table(measured, os.cpu_count() or 1)))


def run(args: argparse.Namespace) -> int:
    from ..experiments.driver import execute

    tasks = parse_names(args.tasks, "--tasks") if args.tasks else None
    settings = atlas_settings(args.seeds, tasks)
    part = parse_shard(args.shard)
    select = None if part is None else (lambda jobs: shard(jobs, *part))
    if args.measure and not args.plan:
        raise ValueError("--measure: expected with --plan (it times the plan, then stops)")
    if args.plan:
        print(f"atlas: {size_line(settings)}" + (f"; shard {args.shard}" if part else ""))
        if args.measure:
            print_measured(settings, select, progress=not args.no_progress)
        return 0
    outcome = execute(
        settings, args, NAME, title="rnnlab atlas: which cell bridges which lag", select=select
    )
    return 1 if outcome.failed else 0

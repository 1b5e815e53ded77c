"""``rnnlab compare``: train every (task, lag, cell, seed), store the rows, write the report."""

from __future__ import annotations

import argparse

from ..data import make_dataset
from ..experiments.plan import SweepSettings
from ..experiments.spec import parse_cells, parse_ints, parse_names
from ._args import add_command, path

NAME = "compare"
ORDER = 30
HELP = "sweep tasks x lags x cells x seeds into SQLite and write the report"
DESCRIPTION = """\
Trains every (task, length, cell, seed) with `rnnlab train`'s training, writes each finished run \
as one row of the table `runs` in --db, and writes --out/index.html and --out/README.md. \
Rerunning with the same --db skips finished runs.
Cells are cell[:variant][@init], e.g. lstm:peephole, lstm:cifg@forget1, rnn:relu@identity (IRNN), \
lstm@chrono.
Example: rnnlab compare --tasks adding,longlag --lengths 10,50,100 --cells rnn,lstm,gru --seeds 5 \
--db results.sqlite --out report/"""


def add_execution_arguments(parser: argparse.ArgumentParser) -> None:
    """The options `compare` and `why` share: where rows go and where runs execute."""
    parser.add_argument(
        "--out", type=path, default="report", help="report directory (default: report/)"
    )
    parser.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run on this Dask scheduler instead of local processes (needs rnnlab[dask])",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="local processes (default: CPU count); with --scheduler: "
        "runs in flight (default: the cluster's threads)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = add_command(sub, NAME, HELP, DESCRIPTION)
    parser.add_argument(
        "--tasks", help="tasks (default adding,longlag,temporal_order; none with --datasets)"
    )
    parser.add_argument("--datasets", help="real datasets too, e.g. shakespeare (rnnlab data)")
    parser.add_argument(
        "--minutes", type=float, help="each dataset run's time budget (stops at an evaluation)"
    )
    parser.add_argument("--lengths", default="10,25,50,100,200", help="lags (length T or p)")
    parser.add_argument("--cells", default="rnn,lstm,gru", help="comma-separated cell specs")
    parser.add_argument(
        "--seeds", type=int, help="seeds 0..N-1 (default 5; 1 for a sweep of datasets only)"
    )
    parser.add_argument(
        "--hidden", type=int, help="hidden width (tasks: 16; datasets: their own default)"
    )
    parser.add_argument("--steps", type=int, default=4000, help="training steps at most")
    parser.add_argument("--batch", type=int, help="batch size (default: rnnlab train's)")
    parser.add_argument("--lr", type=float, help="learning rate (default: rnnlab train's)")
    parser.add_argument("--eval-every", type=int, help="evaluate every N updates")
    parser.add_argument("--db", type=path, default="results.sqlite", help="SQLite results file")
    parser.add_argument(
        "--match-params",
        action="store_true",
        help="give every cell the hidden width whose parameter count is closest to the LSTM's",
    )
    parser.add_argument(
        "--gradflow",
        metavar="TASK:LENGTH",
        help="record gradient flow on this task and lag (default: first task, lag nearest 100)",
    )
    add_execution_arguments(parser)
    return parser


def settings_from_args(args: argparse.Namespace) -> SweepSettings:
    datasets = () if args.datasets is None else tuple(parse_names(args.datasets, "--datasets"))
    default_tasks = "" if datasets else "adding,longlag,temporal_order"
    tasks = tuple(parse_names(args.tasks, "--tasks")) if args.tasks else ()
    tasks = tasks or tuple(n for n in default_tasks.split(",") if n)
    lengths = tuple(parse_ints(args.lengths, "--lengths"))
    hidden = 16 if args.hidden is None else args.hidden
    seeds = args.seeds if args.seeds is not None else (1 if datasets and not tasks else 5)
    if seeds < 1 or hidden < 1 or args.steps < 1:
        raise ValueError("--seeds, --hidden and --steps must be positive")
    if args.minutes is not None and not args.minutes > 0:
        raise ValueError(f"--minutes: expected a positive number, got {args.minutes}")
    for name in datasets:
        make_dataset(name)  # an unknown name or a missing package fails before any run
    train = {
        k: getattr(args, k) for k in ("batch", "lr", "eval_every") if getattr(args, k) is not None
    }
    if args.gradflow:
        task, _, length = args.gradflow.partition(":")
        gradflow = (task, parse_ints(length, "--gradflow")[0])
        if task not in tasks or gradflow[1] not in lengths:
            raise ValueError(f"--gradflow: {args.gradflow!r} is not one of the sweep's runs")
    else:  # the first task's lag nearest 100; none for a sweep of datasets only
        gradflow = (tasks[0], min(lengths, key=lambda t: (abs(t - 100), t))) if tasks else None
    return SweepSettings(
        tasks=tasks,
        lengths={t: lengths for t in tasks},
        cells=tuple(parse_cells(args.cells)),
        seeds=tuple(range(seeds)),
        hidden=hidden,
        steps=args.steps,
        match_params=args.match_params,
        train=train,
        gradflow=gradflow,
        datasets=datasets,
        minutes=args.minutes,
        data_hidden=args.hidden,
    )


def run(args: argparse.Namespace) -> int:
    from ..experiments.driver import execute

    outcome = execute(settings_from_args(args), args, NAME)
    return 1 if outcome.failed else 0

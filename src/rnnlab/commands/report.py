"""``rnnlab report``: rewrite the report from a results file, without training anything."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "report"
ORDER = 35


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        NAME,
        help="write index.html and README.md from the runs in a results file",
        description=(
            "Reads every row of the table `runs` in --db (written by `rnnlab compare` or "
            "`rnnlab why`) and writes --out/index.html and --out/README.md with their figures.\n"
            "Example: rnnlab report --db results.sqlite --out report/"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--db",
        nargs="+",
        default=["results.sqlite"],
        help="SQLite results file(s); several (the shards of one sweep) are merged",
    )
    parser.add_argument("--out", default="report", help="report directory")
    return parser


def run(args: argparse.Namespace) -> int:
    from ..experiments.driver import PLOT_LINE
    from ..experiments.merge import merged_rows
    from ..experiments.report import plot_available, write_report

    for path in args.db:
        if not Path(path).exists():
            raise ValueError(f"--db: {path} does not exist")
    if not plot_available():
        print(PLOT_LINE)
        return 1
    rows, settings = merged_rows(args.db)
    if not rows:
        raise ValueError(f"--db: {', '.join(args.db)} holds no finished runs")
    path = write_report(rows, args.out, settings=settings)
    print(f"report: {path} and {path.parent / 'README.md'}")
    return 0

"""``rnnlab report``: rewrite the report from a results file, without training anything."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._args import add_command, path

NAME = "report"
ORDER = 35
HELP = "write index.html and README.md from the runs in a results file"
DESCRIPTION = """\
Reads every row of the table `runs` in --db (written by `rnnlab compare` or `rnnlab why`) and \
writes --out/index.html and --out/README.md with their figures.
Example: rnnlab report --db results.sqlite --out report/"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = add_command(sub, NAME, HELP, DESCRIPTION)
    parser.add_argument(
        "--db",
        type=path,
        nargs="+",
        default=["results.sqlite"],
        help="SQLite results file(s); several (the shards of one sweep) are merged",
    )
    parser.add_argument("--out", type=path, default="report", help="report directory")
    return parser


def run(args: argparse.Namespace) -> int:
    from ..experiments.driver import PLOT_LINE
    from ..experiments.merge import merged_rows
    from ..experiments.report import plot_available, write_report
    from ..files import check_writable_dir

    for db in args.db:
        if not Path(db).is_file():
            raise ValueError(f"--db: {db} does not exist or is not a file")
    check_writable_dir(args.out, "--out")
    if not plot_available():
        print(PLOT_LINE)
        return 1
    rows, settings = merged_rows(args.db)
    if not rows:
        raise ValueError(f"--db: {', '.join(map(str, args.db))} holds no finished runs")
    path = write_report(rows, args.out, settings=settings)
    print(f"report: {path} and {path.parent / 'README.md'}")
    return 0

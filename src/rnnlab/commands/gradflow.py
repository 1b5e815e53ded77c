"""``rnnlab gradflow``: how much gradient reaches the early steps, per cell, at init or trained."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..experiments.spec import parse_cells
from ..files import check_writable_file
from ..gradflow import ratio_at
from ._args import add_command, path

NAME = "gradflow"
ORDER = 40
HELP = "gradient-flow diagnostics: ||dL/dh_t|| per step, Jacobians, spectra, gates"
DESCRIPTION = """\
For one fixed batch of the task: ||dL/dh_t|| (and ||dL/dc_t|| for the LSTM) k steps back from the \
loss relative to the last step, the same for the Jacobian product dh_T/dh_t (random unit vectors \
fed back from the last step), the spectral radius of each gate block of W_hh, gate saturation \
(<0.05 or >0.95) and the mean forget gate. Cells are measured at initialisation; --run adds \
trained run directories.
Example: rnnlab gradflow --task adding --length 100 --cells rnn,lstm@forget1,lstm@chrono,gru \
--run runs/adding-lstm"""
DISTANCES = (1, 10, 25, 50, 100, 200)


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = add_command(sub, NAME, HELP, DESCRIPTION)
    parser.add_argument("--task", default="adding")
    parser.add_argument("--length", type=int, default=100)
    parser.add_argument("--cells", default="rnn,lstm,gru", help="cell[:variant][@init] list")
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0, help="initialisation seed")
    parser.add_argument(
        "--run",
        type=path,
        action="append",
        default=[],
        metavar="DIR",
        help="a trained run (repeatable)",
    )
    parser.add_argument("--json", type=path, metavar="FILE", help="also write every number to FILE")
    return parser


def format_rows(results: list[dict[str, Any]]) -> list[str]:
    """A text table: one line per measurement, distances limited to the sequence length."""
    longest = max(len(r["distance"]) for r in results)
    ks = [k for k in DISTANCES if k < longest]
    head = f"{'cell':<24} {'phase':<8} {'curve':<9}" + "".join(f"{'k=' + str(k):>10}" for k in ks)
    lines = [head]
    for r in results:
        for key in ("dh", "dc", "jacobian"):
            if r.get(key) is None:
                continue
            values = [ratio_at(r, k, key) for k in ks]
            cells = "".join(f"{'' if v is None else f'{v:.2e}':>10}" for v in values)
            lines.append(f"{r['cell']:<24} {r['phase']:<8} {key:<9}{cells}")
    lines.append("")
    lines.append("(ratios: norm k steps back from the loss / norm at the last step)")
    for r in results:
        radii = ", ".join(f"{n} {v:.3f}" for n, v in r["spectral_radius"].items())
        gates = ", ".join(f"{n} {v:.1%}" for n, v in r["saturation"].items()) or "none"
        keep = "" if r["mean_keep"] is None else f"; mean {r['keep_gate']} {r['mean_keep']:.3f}"
        lines.append(
            f"{r['cell']} ({r['phase']}): spectral radius {radii}; saturated {gates}{keep}"
        )
    return lines


def run(args: argparse.Namespace) -> int:
    from ..experiments.diagnose import diagnose_config, diagnose_trained

    if args.json:
        check_writable_file(args.json, "--json")
    results = []
    for spec in parse_cells(args.cells):
        config = {
            "task": args.task,
            "length": args.length,
            "cell": spec.cell,
            "init": spec.init,
            "hidden": args.hidden,
            "seed": args.seed,
        }
        results.append({"cell": spec.text, "phase": "init", **diagnose_config(config)})
    for run_dir in args.run:
        diag = diagnose_trained(run_dir)
        results.append(
            {**diag, "cell": f"{diag['cell']} [{run_dir}]", "phase": "trained", "run": str(run_dir)}
        )
    print(f"gradient flow on {args.task}, T={args.length} (a fixed batch of sequences)")
    print("\n".join(format_rows(results)))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=1)
    return 0

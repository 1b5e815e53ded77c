"""``rnnlab why``: the default sweep, gradient-flow diagnostics and report in one command.

The sweep is sized to finish in about ten minutes on a 2-core machine: parameter-matched (the
default), its 120 runs took 4 min 17 s from an empty compile cache on a quiet 2-core AMD Zen 4
host (2 workers, fast backend, 2026-12-03); the tanh RNN runs that fail use their whole 1,500
updates, which is most of the time. Whatever it finds is what the report states.
"""

from __future__ import annotations

import argparse

from ..experiments.plan import SweepSettings
from ..experiments.spec import parse_cells
from ._args import add_command, path
from .compare import add_execution_arguments

NAME = "why"
ORDER = 10
HELP = "why an LSTM learns what a plain RNN cannot: default sweep, gradient flow, report"

# The five cells the question needs: the tanh RNN, the IRNN (ReLU, identity W_hh; Le et al.
# 2015), the LSTM with forget-gate bias 1 (Jozefowicz et al. 2015) and with chrono init
# (Tallec & Ollivier 2018), and the GRU.
WHY_CELLS = "rnn,rnn:relu@identity,lstm@forget1,lstm@chrono,gru"
WHY_LENGTHS = {"adding": (10, 25, 50, 100), "temporal_order": (10, 25, 50, 100)}
WHY_SEEDS = 3
WHY_STEPS = 1500
WHY_TRAIN: dict[str, object] = {}
WHY_GRADFLOW = ("adding", 100)
DESCRIPTION = f"""\
Trains {WHY_CELLS} on {', '.join(WHY_LENGTHS)} at lags \
{', '.join(f'{t} {list(v)}' for t, v in WHY_LENGTHS.items())} with {WHY_SEEDS} seeds (at most \
{WHY_STEPS} steps each; the LSTM at hidden 16, every other cell at the width whose parameter \
count is closest to the LSTM's, or hidden 16 for all with --no-match-params), measures the \
gradient flow on {WHY_GRADFLOW[0]} T={WHY_GRADFLOW[1]} at initialisation and after training, \
and writes --out/index.html and --out/README.md. About 10 minutes on 2 cores; rerunning with \
the same --db reuses finished runs.
Example: rnnlab why --out report/"""

NOTES = [
    "Recipe (the same for every cell): rnnlab train's defaults unless the settings below say "
    "otherwise; the parameter counts and widths are above; fresh sequences every step; a run "
    "stops when the task's published criterion is met on a fresh test set. 'Solved' for a "
    "(cell, lag) means >= 80 % of its seeds.",
    "Published marks (black) come from papers with other training (HS97: on-line updates, no "
    "forget gate; PMB13: tanh RNN with clipping and a regulariser, its own task encoding).",
]


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = add_command(sub, NAME, HELP, DESCRIPTION)
    parser.add_argument("--db", type=path, default="why.sqlite", help="SQLite results file")
    parser.add_argument("--seeds", type=int, default=WHY_SEEDS, help="seeds 0..N-1")
    parser.add_argument(
        "--match-params",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="every cell at the LSTM's parameter count, so 'the LSTM just had more weights' "
        "is not the answer (default; --no-match-params: hidden 16 for every cell)",
    )
    add_execution_arguments(parser)
    return parser


def why_settings(seeds: int = WHY_SEEDS, match_params: bool = True) -> SweepSettings:
    if seeds < 1:
        raise ValueError(f"--seeds: expected a positive integer, got {seeds}")
    return SweepSettings(
        tasks=tuple(WHY_LENGTHS),
        lengths=dict(WHY_LENGTHS),
        cells=tuple(parse_cells(WHY_CELLS)),
        seeds=tuple(range(seeds)),
        hidden=16,
        match_params=match_params,
        steps=WHY_STEPS,
        train=dict(WHY_TRAIN),
        gradflow=WHY_GRADFLOW,
    )


def run(args: argparse.Namespace) -> int:
    from ..experiments.driver import execute

    outcome = execute(
        why_settings(args.seeds, args.match_params),
        args,
        NAME,
        title="rnnlab why: the lag at which each cell stops learning, and why",
        notes=NOTES,
    )
    return 1 if outcome.failed else 0

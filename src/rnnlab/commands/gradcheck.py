"""``rnnlab gradcheck``: finite differences against the hand-derived backward pass."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import partial

from ..gradcheck import CELL_VARIANTS, all_cases, check_case
from ..gradcheck_tagger import TAGGER_CASES, check_tagger

NAME = "gradcheck"
ORDER = 90
TOLERANCE = 1e-6


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        NAME,
        help="check every cell's gradients against central finite differences (float64)",
        description=(
            "Runs the float64 central finite-difference check over every cell, variant and "
            "layer option (1-2 layers, 1-2 directions, with and without lengths, full and "
            "truncated BPTT), then the tagger (embeddings + stack + readout), and exits 1 if "
            f"any maximum relative error exceeds {TOLERANCE:g}.\n"
            "Example: rnnlab gradcheck --cell lstm --variant peephole"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--cell", choices=sorted(CELL_VARIANTS), help="only this cell")
    parser.add_argument("--variant", help="only this variant (an LSTM preset, tanh/relu, ...)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random problem")
    return parser


def _checks(args: argparse.Namespace) -> list[tuple[str, Callable[[], dict[str, float]]]]:
    """(name, check) of every case the flags select: cells first, then the tagger."""
    checks = [
        (case.name, partial(check_case, case, seed=args.seed))
        for case in all_cases(args.cell, args.variant)
    ]
    if args.variant is None:
        checks += [
            (case.name, partial(check_tagger, case, seed=args.seed))
            for case in TAGGER_CASES
            if args.cell in (None, case.cell)
        ]
    return checks


def run(args: argparse.Namespace) -> int:
    cases = _checks(args)
    worst_overall, failures = 0.0, 0
    print(f"{'case':<72} {'max rel error':>13}  worst")
    for name, check in cases:
        errors = check()
        worst = max(errors, key=errors.__getitem__)
        ok = errors[worst] <= TOLERANCE
        failures += not ok
        worst_overall = max(worst_overall, errors[worst])
        print(f"{name:<72} {errors[worst]:>13.2e}  {worst}{'' if ok else '  FAIL'}")
    print(
        f"{len(cases) - failures} passed, {failures} failed "
        f"(largest relative error {worst_overall:.2e}, tolerance {TOLERANCE:g})"
    )
    return 1 if failures else 0

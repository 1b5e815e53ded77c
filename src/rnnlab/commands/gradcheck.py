"""``rnnlab gradcheck``: finite differences against the hand-derived backward pass."""

from __future__ import annotations

import argparse

from ..gradcheck import CELL_VARIANTS, all_cases, check_case
from ..gradcheck_embedded import EMBEDDED_CASES, check_embedded
from ..gradcheck_pascanu import check_pascanu, pascanu_cases
from ..gradcheck_seq2seq import check_seq2seq, seq2seq_cases
from ..gradcheck_tagger import TAGGER_CASES, check_tagger
from ._args import add_command

NAME = "gradcheck"
ORDER = 90
TOLERANCE = 1e-6
HELP = "check every cell's gradients against central finite differences (float64)"
DESCRIPTION = f"""\
Runs the float64 central finite-difference check over every cell, variant and layer option (1-2 \
layers, 1-2 directions, with and without lengths, full and truncated BPTT), the encoder-decoder \
(every attention kind, uni- and bidirectional encoder, padded source and target), Pascanu's \
regulariser, the tagger (embeddings + stack + readout) and the char LM and sentiment model with \
--embed (embedding + stack + readout), and exits 1 if any maximum relative error exceeds \
{TOLERANCE:g}.
Example: rnnlab gradcheck --cell lstm --variant peephole
         rnnlab gradcheck --model seq2seq
         rnnlab gradcheck --model embedded"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = add_command(sub, NAME, HELP, DESCRIPTION)
    parser.add_argument("--cell", choices=sorted(CELL_VARIANTS), help="only this cell")
    parser.add_argument("--variant", help="only this variant (an LSTM preset, tanh/relu, ...)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random problem")
    parser.add_argument(
        "--model",
        choices=("all", "layers", "seq2seq", "regularizer", "tagger", "embedded"),
        default="all",
        help="check the layers, the encoder-decoder, Pascanu's Omega, the tagger, the embedded "
        "char LM / sentiment model, or all (default)",
    )
    return parser


def _checks(args: argparse.Namespace) -> list:
    """(name, check) pairs: the layer cases, then the encoder-decoder's, the regulariser's, the
    tagger's and the embedded models' (no variant options)."""
    checks: list = []
    if args.model in ("all", "layers"):
        checks += [(c.name, lambda c=c: check_case(c, seed=args.seed)) for c in all_cases(
            args.cell, args.variant
        )]  # fmt: skip
    if args.model in ("all", "seq2seq") and args.variant is None:
        checks += [
            (c.name, lambda c=c: check_seq2seq(c, seed=args.seed)) for c in seq2seq_cases(args.cell)
        ]
    if args.model in ("all", "regularizer") and args.variant is None:
        checks += [
            (c.name, lambda c=c: check_pascanu(c, seed=args.seed)) for c in pascanu_cases(args.cell)
        ]
    if args.model in ("all", "tagger") and args.variant is None:
        checks += [
            (c.name, lambda c=c: check_tagger(c, seed=args.seed))
            for c in TAGGER_CASES
            if args.cell in (None, c.cell)
        ]
    if args.model in ("all", "embedded") and args.variant is None:
        checks += [
            (c.name, lambda c=c: check_embedded(c, seed=args.seed))
            for c in EMBEDDED_CASES
            if args.cell in (None, c.cell)
        ]
    return checks


def run(args: argparse.Namespace) -> int:
    cases = _checks(args)
    if not cases:
        raise ValueError(
            f"cell: the {args.model} model is not checked with {args.cell} (nothing to check)"
        )
    worst_overall, failures = 0.0, 0
    width = max(72, *(len(name) for name, _ in cases))  # the columns line up
    print(f"{'case':<{width}} {'max rel error':>13}  worst")
    for name, check in cases:
        errors = check()
        worst = max(errors, key=errors.__getitem__)
        ok = errors[worst] <= TOLERANCE
        failures += not ok
        worst_overall = max(worst_overall, errors[worst])
        print(f"{name:<{width}} {errors[worst]:>13.2e}  {worst}{'' if ok else '  FAIL'}")
    print(
        f"{len(cases) - failures} passed, {failures} failed "
        f"(largest relative error {worst_overall:.2e}, tolerance {TOLERANCE:g})"
    )
    return 1 if failures else 0

"""``rnnlab sample``: write text with a trained character model (one-to-many)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

import numpy as np

from ..data.textgen import load_text_model, sample_text
from ..training.run import read_config

NAME = "sample"
ORDER = 12


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        NAME,
        help="write text with a trained character model",
        description=(
            "Read the prime, then draw one character at a time from the model's softmax at "
            "the given temperature (lower: safer, higher: wilder), feeding each back. The same "
            "--seed gives the same text.\n"
            'Example: rnnlab sample --run runs/shakes-lstm --prime "ROMEO:" --length 500 '
            "--temperature 0.8 --seed 0"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

    def error(message: str) -> NoReturn:
        print(f"rnnlab {NAME}: error: {message}", file=sys.stderr)
        sys.exit(2)

    p.error = error  # type: ignore[method-assign]
    p.add_argument("--run", type=Path, required=True, help="run directory of a text model")
    p.add_argument("--prime", default="\n", help="the text to start from (default: a newline)")
    p.add_argument("--length", type=int, default=500, help="characters to draw (default 500)")
    p.add_argument("--temperature", type=float, default=1.0, help="softmax temperature > 0")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    p.add_argument("--out", type=Path, help="write the text to this new file (not stdout)")
    return p


def run(args: argparse.Namespace) -> int:
    if args.length < 0:
        raise ValueError(f"length: expected an integer >= 0, got {args.length}")
    if not args.temperature > 0:
        raise ValueError(f"temperature: expected a positive number, got {args.temperature}")
    if args.out is not None and args.out.exists():
        raise ValueError(f"out: {args.out} exists; choose another file")
    if not (args.run / "config.json").exists():
        raise ValueError(f"run: {args.run} holds no run (no config.json)")
    model, vocab = load_text_model(args.run, read_config(args.run))
    rng = np.random.default_rng(args.seed)
    text = sample_text(model, vocab, args.prime, args.length, args.temperature, rng)
    if args.out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0

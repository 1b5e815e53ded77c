"""``rnnlab predict``: label new snippets with a trained sentiment model (many-to-one)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..data.sentiment import LABELS, classify, load_sentiment_model
from ..data.text import read_text
from ..training.run import read_config

NAME = "predict"
ORDER = 13


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        NAME,
        help="label snippets with a trained sentiment model",
        description=(
            "Read each snippet (--text, repeatable, or one per line of --file) with the model "
            "of a finished `rnnlab train --data rotten_tomatoes` run and print its label and "
            "probability.\n"
            'Example: rnnlab predict --run runs/rt-lstm --text "A three-hour cinema master class."'
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--run", type=Path, required=True, help="run directory of a sentiment model")
    p.add_argument("--text", action="append", default=[], help="a snippet (repeatable)")
    p.add_argument("--file", type=Path, help="a UTF-8 file, one snippet per line")
    p.add_argument("--json", action="store_true", help="one JSON list instead of text")
    return p


def run(args: argparse.Namespace) -> int:
    snippets = list(args.text)
    if args.file is not None:
        snippets += [line for line in read_text(args.file, "file").splitlines() if line.strip()]
    if not snippets or not all(s.strip() for s in snippets):
        raise ValueError("text: expected at least one non-empty snippet (--text or --file)")
    if not (args.run / "config.json").exists():
        raise ValueError(f"run: {args.run} holds no run (no config.json)")
    model, vocab = load_sentiment_model(args.run, read_config(args.run))
    probs = classify(model, vocab, snippets)
    rows = [
        {"text": s, "label": LABELS[int(p.argmax())], "probability": float(p.max())}
        for s, p in zip(snippets, probs, strict=True)
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        sys.stdout.write(f"{row['label']:<7}{row['probability']:.3f}  {row['text']}\n")
    return 0

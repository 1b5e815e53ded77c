"""``rnnlab predict``: run a trained model of a finished run directory on new input.

What it does depends on the run's dataset kind: spelling to sound (seq2seq) pronounces words;
sentiment labels snippets.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from ..data import dataset_class
from ..training import TrainConfig
from ..training.problem import make_problem
from ..training.run import load_run, read_config
from . import one_line_errors
from ._args import add_command

NAME = "predict"
ORDER = 12
HELP = "run a trained model on new input (cmudict: --word WORD; sentiment: --text)"
DESCRIPTION = """\
Load the trained model of a finished `rnnlab train --data ...` run and apply it.
Spelling to sound (--data cmudict): --word WORD prints its phonemes (beam search with --beam N; \
default: the run's evaluation setting); --score test scores every held-out word (PER, WER).
Sentiment (--data rotten_tomatoes): --text SNIPPET (repeatable) or --file (one snippet per line) \
prints each label and its probability.
Example: rnnlab predict --run runs/g2p --word rhythm
         rnnlab predict --run runs/rt --text "A three-hour cinema master class."
         rnnlab predict --run runs/g2p --score test --beam 5"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = add_command(sub, NAME, HELP, DESCRIPTION)

    one_line_errors(parser, NAME)
    parser.add_argument("--run", type=Path, required=True, help="a finished run directory")
    parser.add_argument("--word", action="append", help="a word to pronounce (repeatable)")
    parser.add_argument("--beam", type=int, help="beam width (1: greedy)")
    parser.add_argument(
        "--score",
        choices=("valid", "test"),
        help="instead: PER and WER on every validation or held-out (test) word",
    )
    parser.add_argument("--text", action="append", help="a snippet to label (repeatable)")
    parser.add_argument("--file", type=Path, help="snippets to label, one per line (UTF-8)")
    parser.add_argument("--json", action="store_true", help="sentiment: one JSON list")
    return parser


def _predict_words(args: argparse.Namespace, config: TrainConfig) -> int:
    if not args.word and args.score is None:
        raise ValueError("word: a spelling-to-sound run needs --word WORD (or --score PART)")
    _, model = load_run(args.run)
    options = {**config.data_options, "eval_words": 0}  # --score: every word of the part
    if args.beam is not None:
        options["beam"] = args.beam
    problem = make_problem(dataclasses.replace(config, data_options=options))
    if args.score is not None:
        scores = problem.score(model, args.score)
        words = len(problem.parts[args.score])
        print(f"{args.score} ({words} words): PER {scores['per']:.2f} %  WER {scores['wer']:.2f} %")
        return 0
    for word, phonemes in zip(args.word, problem.predict(model, args.word), strict=True):
        print(f"{word}\t{' '.join(phonemes)}")
    return 0


def _predict_snippets(args: argparse.Namespace, config: TrainConfig) -> int:
    from ..data.sentiment import LABELS, classify, load_sentiment_model
    from ..data.text import read_text

    snippets = list(args.text or [])
    if args.file is not None:
        snippets += [line for line in read_text(args.file, "file").splitlines() if line.strip()]
    if not snippets or not all(s.strip() for s in snippets):
        raise ValueError("text: expected at least one non-empty snippet (--text or --file)")
    model, vocab = load_sentiment_model(args.run, config)
    rows = [
        {"text": s, "label": LABELS[int(p.argmax())], "probability": float(p.max())}
        for s, p in zip(snippets, classify(model, vocab, snippets), strict=True)
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        sys.stdout.write(f"{row['label']:<7}{row['probability']:.3f}  {row['text']}\n")
    return 0


PREDICTORS = {
    "seq2seq": _predict_words,
    "sentiment": _predict_snippets,
}  # dataset kind -> what predict does with its runs


def run(args: argparse.Namespace) -> int:
    if not (args.run / "config.json").is_file():
        raise ValueError(f"run: {args.run} holds no run (no config.json)")
    config = read_config(args.run)
    kind = None if config.data is None else dataset_class(config.data).kind
    if kind not in PREDICTORS:
        raise ValueError(
            f"run: predict takes runs of the kinds {', '.join(PREDICTORS)}; "
            f"{args.run} learnt {config.data or config.task}"
        )
    return PREDICTORS[kind](args, config)

"""``rnnlab predict``: run a trained model of a finished run directory on new input."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ..data import dataset_class
from ..training import TrainConfig
from ..training.problem import make_problem
from ..training.run import load_run, read_config
from . import one_line_errors

NAME = "predict"
ORDER = 12


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        NAME,
        help="run a trained model on new input (cmudict: --word spells a word out in phonemes)",
        description=(
            "Load the trained model of a finished `rnnlab train --data ...` run and apply it.\n"
            "Spelling to sound (--data cmudict): --word WORD prints its phonemes "
            "(beam search with --beam N; default: the run's evaluation setting); --score test "
            "scores every held-out word (PER, WER).\n"
            "Example: rnnlab predict --run runs/g2p --word rhythm\n"
            "         rnnlab predict --run runs/g2p --score test --beam 5"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

    one_line_errors(parser, NAME)
    parser.add_argument("--run", type=Path, required=True, help="a finished run directory")
    parser.add_argument("--word", action="append", help="a word to pronounce (repeatable)")
    parser.add_argument("--beam", type=int, help="beam width (1: greedy)")
    parser.add_argument(
        "--score",
        choices=("valid", "test"),
        help="instead: PER and WER on every validation or held-out (test) word",
    )
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


PREDICTORS = {"seq2seq": _predict_words}  # dataset kind -> what predict does with its runs


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

"""``rnnlab predict``: run a trained model of a finished run directory on new input.

What it does depends on the run's dataset kind (config.json's data): spelling to sound (seq2seq)
pronounces words; sentiment labels snippets; a tagger tags sentences (word/TAG, the format
``--format wordtag`` reads). An option of another kind's run is refused, not ignored.
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
HELP = "run a trained model on new input (cmudict: --word; sentiment, tagger: --text)"
DESCRIPTION = """\
Load the trained model of a finished `rnnlab train --data ...` run and apply it.
Spelling to sound (--data cmudict): --word WORD prints its phonemes (beam search with --beam N; \
default: the run's evaluation setting); --score test scores every held-out word (PER, WER).
Sentiment (--data rotten_tomatoes): --text SNIPPET (repeatable) or --file (one snippet per line) \
prints each label and its probability.
Tagging (--data brown, --format wordtag|conllu): --text SENTENCE (repeatable) or --file (one \
sentence per line, tokens split at white space) prints word/TAG.
Example: rnnlab predict --run runs/g2p --word rhythm
         rnnlab predict --run runs/rt --text "A three-hour cinema master class."
         rnnlab predict --run runs/brown --text "The old man saw the dog ."
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
    parser.add_argument(
        "--text", action="append", help="a snippet to label or sentence to tag (repeatable)"
    )
    parser.add_argument(
        "--file", type=Path, help="snippets to label or sentences to tag, one per line (UTF-8)"
    )
    parser.add_argument("--json", action="store_true", help="sentiment, tagging: one JSON list")
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


def _texts(args: argparse.Namespace, what: str) -> list[str]:
    """The --text values, then the non-blank lines of --file; at least one, none blank."""
    from ..data.text import read_text

    texts = list(args.text or [])
    if args.file is not None:
        texts += [line for line in read_text(args.file, "file").splitlines() if line.strip()]
    if not texts or not all(t.strip() for t in texts):
        raise ValueError(f"text: expected at least one non-empty {what} (--text or --file)")
    return texts


def _predict_snippets(args: argparse.Namespace, config: TrainConfig) -> int:
    from ..data.sentiment import LABELS, classify, load_sentiment_model

    snippets = _texts(args, "snippet")
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


def _predict_tags(args: argparse.Namespace, config: TrainConfig) -> int:
    from ..data.tagging_problem import load_tagger, tag_words

    sentences = [text.split() for text in _texts(args, "sentence")]
    tagger, vocab = load_tagger(args.run)
    tagged = tag_words(tagger, vocab, sentences)  # unknown words: suffix and shape features
    if args.json:
        rows = [{"words": w, "tags": t} for w, t in zip(sentences, tagged, strict=True)]
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for words, tags in zip(sentences, tagged, strict=True):
        sys.stdout.write(" ".join(f"{w}/{t}" for w, t in zip(words, tags, strict=True)) + "\n")
    return 0


PREDICTORS = {
    "seq2seq": _predict_words,
    "sentiment": _predict_snippets,
    "tagging": _predict_tags,
}  # dataset kind -> what predict does with its runs
OPTIONS = {
    "seq2seq": ("word", "beam", "score"),
    "sentiment": ("text", "file", "json"),
    "tagging": ("text", "file", "json"),
}  # dataset kind -> the options its runs take (another kind's option is an error)


def _check_options(args: argparse.Namespace, kind: str) -> None:
    for name in sorted({n for names in OPTIONS.values() for n in names} - set(OPTIONS[kind])):
        if getattr(args, name) not in (None, False):
            takers = " and ".join(k for k, names in OPTIONS.items() if name in names)
            raise ValueError(
                f"{name}: --{name} is for {takers} runs; {args.run} is a {kind} run "
                f"(it takes {', '.join('--' + n for n in OPTIONS[kind])})"
            )


def run(args: argparse.Namespace) -> int:
    if not (args.run / "config.json").is_file():
        raise ValueError(f"run: {args.run} holds no run (no config.json)")
    config = read_config(args.run)
    kind = None if config.data is None else dataset_class(config.data, config.data_options).kind
    if kind not in PREDICTORS:
        raise ValueError(
            f"run: predict takes runs of the kinds {', '.join(PREDICTORS)}; "
            f"{args.run} learnt {config.data or config.task}"
        )
    _check_options(args, kind)
    return PREDICTORS[kind](args, config)

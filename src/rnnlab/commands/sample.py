"""``rnnlab sample``: let a trained run write; what it writes depends on its dataset's kind.

A text run (character LM) writes text after a prime; a music run continues a piece as MIDI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import one_line_errors
from ._args import add_command

NAME = "sample"
ORDER = 13
HELP = "let a trained run write: text (character LM) or music (MIDI and a piano roll)"
DESCRIPTION = """\
A text run (--data shakespeare or a text file) reads --prime, then draws one character at a time \
from the model's softmax at --temperature (lower: safer, higher: wilder), feeding each back; the \
same --seed gives the same text; --length characters (default 500), to stdout or a new --out file.
A music run (--data chorales) continues the first test chorale's first --prompt-frames frames, or \
a chord given as MIDI numbers (--chord 60,64,67), for --length quarter-note frames (default 64): \
each next frame's keys drawn from the model's probabilities and fed back. Writes --out (MIDI, \
with music21) and a piano-roll picture beside it (.png). Nothing is overwritten.
Example: rnnlab sample --run runs/shakes-lstm --prime "ROMEO:" --length 500 --temperature 0.8 \
--seed 0
         rnnlab sample --run runs/bach --length 64 --seed 0 --out chorale.mid"""


def _midi_numbers(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected MIDI numbers like 60,64,67, got {text!r}"
        ) from None


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = add_command(sub, NAME, HELP, DESCRIPTION)
    one_line_errors(p, NAME)
    p.add_argument("--run", type=Path, required=True, help="a finished run directory")
    p.add_argument("--length", type=int, help="characters (500) or frames (64) to write")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampling (default 0)")
    p.add_argument("--out", type=Path, help="the file to write (music: a .mid, required)")
    p.add_argument("--prime", default="\n", help="text: the text to start from (a newline)")
    p.add_argument("--temperature", type=float, default=1.0, help="text: softmax temperature")
    p.add_argument("--chord", type=_midi_numbers, help="music: start from this chord (MIDI)")
    p.add_argument("--prompt-frames", type=int, default=8,
                   help="music: frames of the test chorale to continue (default 8)")  # fmt: skip
    return p


def _sample_music(args: argparse.Namespace, data_options: dict, model) -> None:
    import numpy as np

    from ..data.continuation import continue_roll, prompt_of_run, write_continuation

    if args.out is None or args.out.suffix.lower() not in (".mid", ".midi"):
        raise ValueError(f"out: expected a .mid file, got {str(args.out)!r}")
    length = 64 if args.length is None else args.length
    if length < 1:
        raise ValueError(f"length: expected a positive integer, got {length}")
    for path in (args.out, args.out.with_suffix(".png")):
        if path.exists():
            raise ValueError(f"out: {path} exists; choose another name (nothing is overwritten)")
    if args.prompt_frames < 1:
        raise ValueError(f"prompt-frames: expected a positive integer, got {args.prompt_frames}")
    prompt = prompt_of_run(data_options, args.chord, args.prompt_frames)
    roll = continue_roll(model, prompt, length, np.random.default_rng(args.seed))
    midi, picture = write_continuation(roll, len(prompt), args.out)
    print(f"{len(prompt)} frames given, {length} sampled -> {midi} and {picture}")


def _sample_text(args: argparse.Namespace, config) -> None:
    import numpy as np

    from ..data.textgen import load_text_model, sample_text

    length = 500 if args.length is None else args.length
    if length < 0:
        raise ValueError(f"length: expected an integer >= 0, got {length}")
    if not args.temperature > 0:
        raise ValueError(f"temperature: expected a positive number, got {args.temperature}")
    if args.out is not None and args.out.exists():
        raise ValueError(f"out: {args.out} exists; choose another file")
    model, vocab = load_text_model(args.run, config)
    rng = np.random.default_rng(args.seed)
    text = sample_text(model, vocab, args.prime, length, args.temperature, rng)
    if args.out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        args.out.write_text(text, encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    from ..data import dataset_class
    from ..training.run import load_run, read_config

    if not (args.run / "config.json").is_file():
        raise ValueError(f"run: {args.run} holds no run (no config.json)")
    config = read_config(args.run)
    kind = dataset_class(config.data, config.data_options).kind if config.data else "task"
    if kind == "text":
        _sample_text(args, config)
    elif kind == "music":
        _sample_music(args, config.data_options, load_run(args.run)[1])
    else:
        raise ValueError(
            f"run: {args.run} is not a text model (it learnt a {kind} problem); "
            "sample writes text and music runs"
        )
    return 0

"""``rnnlab sample``: let a trained run write; what it writes depends on its dataset's kind."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "sample"
ORDER = 13


def _midi_numbers(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected MIDI numbers like 60,64,67, got {text!r}"
        ) from None


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        NAME,
        help="continue a piece with a trained music run (MIDI and a piano-roll picture)",
        description=(
            "A music run (--data chorales) continues the first test chorale's first "
            "--prompt-frames frames, or a chord given as MIDI numbers (--chord 60,64,67), for "
            "--length quarter-note frames: each next frame's keys drawn from the model's "
            "probabilities and fed back. Writes --out (MIDI, with music21) and a piano-roll "
            "picture beside it (.png). Nothing is overwritten.\n"
            "Example: rnnlab sample --run runs/bach --length 64 --seed 0 --out chorale.mid"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--run", type=Path, required=True, help="a finished run directory")
    p.add_argument("--length", type=int, default=64, help="frames to write (default 64)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampling (default 0)")
    p.add_argument("--out", type=Path, required=True, help="the MIDI file to write (.mid)")
    p.add_argument("--chord", type=_midi_numbers, help="start from this chord (MIDI numbers)")
    p.add_argument("--prompt-frames", type=int, default=8,
                   help="frames of the test chorale to continue (default 8)")  # fmt: skip
    return p


def _sample_music(args: argparse.Namespace, data_options: dict, model) -> None:
    import numpy as np

    from ..data.continuation import continue_roll, prompt_of_run, write_continuation

    if args.prompt_frames < 1:
        raise ValueError(f"prompt-frames: expected a positive integer, got {args.prompt_frames}")
    prompt = prompt_of_run(data_options, args.chord, args.prompt_frames)
    roll = continue_roll(model, prompt, args.length, np.random.default_rng(args.seed))
    midi, picture = write_continuation(roll, len(prompt), args.out)
    print(f"{len(prompt)} frames given, {args.length} sampled -> {midi} and {picture}")


def run(args: argparse.Namespace) -> int:
    from ..data import dataset_class
    from ..training.run import load_run

    if args.out.suffix.lower() not in (".mid", ".midi"):
        raise ValueError(f"out: expected a .mid file, got {str(args.out)!r}")
    if args.length < 1:
        raise ValueError(f"length: expected a positive integer, got {args.length}")
    for path in (args.out, args.out.with_suffix(".png")):
        if path.exists():
            raise ValueError(f"out: {path} exists; choose another name (nothing is overwritten)")
    config, model = load_run(args.run)
    kind = dataset_class(config.data, config.data_options).kind if config.data else "task"
    if kind != "music":
        raise ValueError(f"run: {args.run} learnt a {kind} problem; sample writes music runs")
    _sample_music(args, config.data_options, model)
    return 0

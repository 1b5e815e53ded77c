"""Continuing a piece with a trained music model: read a prompt, then sample frame by frame.

The model reads the prompt's frames (its state carries them), then each next frame is drawn
key by key from the model's independent Bernoulli probabilities and fed back
(`rnnlab.models.generate` with ``feedback="sample"``): ancestral sampling, one seeded
generator.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..models import SequenceModel
from ..models.generate import generate
from .piano_roll import KEYS, LOWEST_MIDI, save_roll_png, write_midi

Array = np.ndarray


def chord_prompt(midi: list[int]) -> Array:
    """A one-frame roll (1, 88) holding the chord ``midi`` (MIDI numbers 21-108)."""
    if not midi:
        raise ValueError("chord: expected MIDI numbers, e.g. 60,64,67")
    roll = np.zeros((1, KEYS))
    for m in midi:
        if not LOWEST_MIDI <= m < LOWEST_MIDI + KEYS:
            raise ValueError(f"chord: MIDI {m} is outside the 88 piano keys (21-108)")
        roll[0, m - LOWEST_MIDI] = 1.0
    return roll


def continue_roll(model: SequenceModel, prompt: Array, length: int, rng: np.random.Generator
                  ) -> Array:  # fmt: skip
    """The prompt (P, 88) followed by ``length`` sampled frames: (P + length, 88)."""
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise ValueError(f"length: expected a positive integer, got {length!r}")
    prompt = np.asarray(prompt, dtype=model.layer.dtype)
    state = None
    if len(prompt) > 1:
        was_training = model.layer.training
        model.layer.eval()
        try:
            _, state, _ = model.layer.forward(prompt[None, :-1], None)
        finally:
            model.layer.train(was_training)
    _, inputs = generate(model, prompt[None, -1], length + 1, feedback="sample", rng=rng,
                         state=state)  # fmt: skip
    return np.concatenate([prompt, inputs[0, 1:]])


def prompt_of_run(data_options: dict, chord: list[int] | None, frames: int) -> Array:
    """The prompt: ``chord``, or the first ``frames`` frames of the run's first test chorale."""
    if chord:
        return chord_prompt(chord)
    from .chorales import chorale_names, parse_chorale, split_names

    seed = data_options.get("split_seed", 0)
    first = split_names(chorale_names(), seed)["test"][0]
    return parse_chorale(first)[:frames]


def write_continuation(roll: Array, given: int, out: str | Path) -> tuple[Path, Path]:
    """The continued roll as MIDI at ``out`` and its picture beside it (.png)."""
    out = Path(out)
    if out.suffix.lower() not in (".mid", ".midi"):
        raise ValueError(f"out: expected a .mid file, got {str(out)!r}")
    picture = out.with_suffix(".png")
    write_midi(roll, out)
    save_roll_png(roll, picture, given=given, title=f"{given} frames given, then sampled")
    return out, picture

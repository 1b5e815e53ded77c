"""Piano rolls on a quarter-note grid: notes -> roll, roll -> MIDI (music21), a picture
(matplotlib), and the frame-level negative log-likelihood of the JSB protocol.

A roll is (T, 88) float64 of 0/1: row k is the quarter-note frame [k, k+1) (offsets in
quarter notes), column j the piano key of MIDI number 21 + j (A0 .. C8). A note sounds in
frame k when it sounds at the frame's start: onset <= k < onset + duration. So a note shorter
than a quarter that starts between grid points (a passing eighth) is not in the roll, as in
Boulanger-Lewandowski et al. (2012), whose JSB rolls were sampled the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..losses import softplus

Array = np.ndarray
KEYS = 88
LOWEST_MIDI = 21  # A0
EPS = 1e-6  # offsets in quarter notes may be floats of thirds (triplets)

Note = tuple[float, float, int]  # (onset, duration, MIDI number), in quarter notes


def roll_from_notes(notes: Iterable[Note], frames: int | None = None) -> Array:
    """The (T, 88) roll of ``notes``; T covers the last note unless ``frames`` is given."""
    notes = list(notes)
    if frames is None:
        end = max((on + dur for on, dur, _ in notes), default=0.0)
        frames = int(np.ceil(end - EPS))
    roll = np.zeros((frames, KEYS))
    for onset, duration, midi in notes:
        if not LOWEST_MIDI <= midi < LOWEST_MIDI + KEYS:
            raise ValueError(f"notes: MIDI {midi} is outside the 88 piano keys (21-108)")
        first = int(np.ceil(onset - EPS))
        stop = int(np.ceil(onset + duration - EPS))
        roll[max(first, 0) : min(stop, frames), midi - LOWEST_MIDI] = 1.0
    return roll


def notes_of_stream(stream) -> list[Note]:  # stream: music21.stream.Stream
    """Every pitched note and chord of a music21 score as (onset, duration, MIDI) triples."""
    out = []
    for element in stream.flatten().notes:
        onset, duration = float(element.offset), float(element.quarterLength)
        out.extend((onset, duration, int(p.midi)) for p in element.pitches)
    return out


def notes_of_roll(roll: Array) -> list[Note]:
    """The roll's notes: each run of consecutive sounding frames of a key is one note (so a
    key struck again on the next beat merges with the previous note: the roll cannot tell)."""
    roll = np.asarray(roll) > 0.5
    padded = np.concatenate([np.zeros((1, roll.shape[1]), bool), roll, np.zeros_like(roll[:1])])
    change = np.diff(padded.astype(np.int8), axis=0)  # +1 at onsets, -1 after the last frame
    notes = []
    for key in range(roll.shape[1]):
        starts = np.nonzero(change[:, key] == 1)[0]
        stops = np.nonzero(change[:, key] == -1)[0]
        runs = zip(starts, stops, strict=True)
        notes.extend((float(a), float(b - a), key + LOWEST_MIDI) for a, b in runs)
    return sorted(notes)


def stream_of_roll(roll: Array, bpm: float = 80.0):  # -> music21.stream.Score
    """A one-part music21 score of the roll's notes (chords where onsets coincide)."""
    from music21 import chord, note, stream, tempo

    part = stream.Part()
    part.insert(0, tempo.MetronomeMark(number=bpm))
    by_onset: dict[tuple[float, float], list[int]] = {}
    for onset, duration, midi in notes_of_roll(roll):
        by_onset.setdefault((onset, duration), []).append(midi)
    for (onset, duration), pitches in sorted(by_onset.items()):
        element = note.Note(pitches[0]) if len(pitches) == 1 else chord.Chord(pitches)
        element.quarterLength = duration
        part.insert(onset, element)
    score = stream.Score()
    score.insert(0, part)
    return score


def write_midi(roll: Array, path: str | Path) -> Path:
    """Write the roll as a MIDI file (music21); returns the path."""
    path = Path(path)
    stream_of_roll(roll).write("midi", fp=str(path))
    return path


def read_midi_roll(path: str | Path) -> Array:
    """The quarter-note roll of a MIDI file, parsed by music21."""
    from music21 import converter

    return roll_from_notes(notes_of_stream(converter.parse(str(path))))


def save_roll_png(roll: Array, path: str | Path, given: int = 0, title: str = "") -> Path:
    """A picture of the roll (time across, pitch up); the first ``given`` frames (the prompt)
    left of a dashed line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    roll = np.asarray(roll)
    used = np.nonzero(roll.any(axis=0))[0]
    lo, hi = (used.min() - 2, used.max() + 3) if len(used) else (39, 60)
    fig, ax = plt.subplots(figsize=(min(14, 2 + len(roll) / 8), 4))
    ax.imshow(roll[:, lo:hi].T, origin="lower", aspect="auto", cmap="Greys", interpolation="none",
              extent=(0, len(roll), lo + LOWEST_MIDI - 0.5, hi + LOWEST_MIDI - 0.5))  # fmt: skip
    if given:
        ax.axvline(given, color="tab:red", linestyle="--", linewidth=1)
    ax.set_xlabel("quarter notes")
    ax.set_ylabel("MIDI pitch")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def frame_nll(logits: Array, target: Array, mask: Array | None = None) -> float:
    """Per frame, the sum over keys of the Bernoulli NLL, averaged over the counted frames
    (nats/frame): ``mean_frames sum_k softplus(z) - t z``."""
    per_frame = (softplus(logits) - target * logits).sum(axis=-1)
    if mask is None:
        return float(per_frame.mean())
    return float(per_frame[mask].mean())

"""``rnnlab inspect``: what a text model's units track, as one self-contained HTML page."""

from __future__ import annotations

import argparse
import html
from pathlib import Path

from ..data.page import page
from ..data.text import read_text
from ..data.textgen import load_text_model
from ..data.units import absent, activations, best_units, properties
from ..training.checkpoint import atomic_write_text
from ..training.run import read_config
from ._args import add_command

NAME = "inspect"
ORDER = 14
HELP = "colour a passage by a text model's unit activations (one HTML page)"
DESCRIPTION = """\
Run a trained character model over a passage and write one self-contained HTML page: the passage \
coloured by a chosen unit's value (cell state, hidden state or a gate) and by the units that best \
track simple properties of the text (inside quotes or brackets, position in the line, a speaker's \
name), with the correlations (Karpathy, Johnson & Fei-Fei 2015).
Example: rnnlab inspect --run runs/shakes-lstm --text passage.txt --out lstm.html"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = add_command(sub, NAME, HELP, DESCRIPTION)
    p.add_argument("--run", type=Path, required=True, help="run directory of a text model")
    p.add_argument("--text", type=Path, required=True, help="a UTF-8 passage to read")
    p.add_argument("--chars", type=int, default=3000, help="read at most this many (3000)")
    p.add_argument("--layer", type=int, default=0, help="layer of --unit (default 0)")
    p.add_argument("--unit", type=int, help="also colour by this unit")
    p.add_argument("--signal", help="cell, hidden or 'gate X' (default: cell, else hidden)")
    p.add_argument("--out", type=Path, default=Path("inspect.html"), help="the HTML page")
    return p


def _table(found: list[dict]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(f['property'])}</td><td>{f['layer']}</td>"
        f"<td>{html.escape(f['signal'])}</td><td>{f['unit']}</td><td>{f['r']:+.3f}</td></tr>"
        for f in found
    )
    return (
        "<table><thead><tr><th>property</th><th>layer</th><th>signal</th><th>unit</th>"
        f"<th>correlation</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def run(args: argparse.Namespace) -> int:
    if args.out.exists():
        raise ValueError(f"out: {args.out} exists; choose another file")
    if args.chars < 2:
        raise ValueError(f"chars: expected an integer >= 2, got {args.chars}")
    if not (args.run / "config.json").exists():
        raise ValueError(f"run: {args.run} holds no run (no config.json)")
    config = read_config(args.run)
    model, vocab = load_text_model(args.run, config)
    text = read_text(args.text, "text")[: args.chars]
    acts = activations(model, vocab, text)
    if not 0 <= args.layer < len(acts):
        raise ValueError(f"layer: expected 0 to {len(acts) - 1}, got {args.layer}")
    if args.signal is None:
        args.signal = "cell" if "cell" in acts[args.layer] else "hidden"
    if args.signal not in acts[args.layer]:
        raise ValueError(f"signal: expected one of {', '.join(acts[args.layer])}")
    width = acts[args.layer][args.signal].shape[1]
    if args.unit is not None and not 0 <= args.unit < width:
        raise ValueError(f"unit: expected 0 to {width - 1}, got {args.unit}")
    props = properties(text)
    found = best_units(acts, props, top=2)
    missing = absent(props)
    panels = [
        (f"{f['property']}: layer {f['layer']} {f['signal']} unit {f['unit']} "
         f"(r = {f['r']:+.2f})", f["signal"], acts[f["layer"]][f["signal"]][:, f["unit"]])
        for f in found[::2]
    ]  # fmt: skip
    if args.unit is not None:
        values = acts[args.layer][args.signal][:, args.unit]
        heading = f"layer {args.layer} {args.signal} unit {args.unit} (chosen)"
        panels.insert(0, (heading, args.signal, values))
    title = f"rnnlab inspect: {config.cell} H={config.hidden}x{config.num_layers} on {config.data}"
    intro = (
        f"{len(text)} characters of {args.text.name}. The table ranks units by the correlation "
        "of their activation with each property over this passage."
        + (f" Not in this passage, so not ranked: {', '.join(missing)}." if missing else "")
    )
    atomic_write_text(args.out, page(title, intro, text, panels, _table(found)))
    print(f"inspect: {args.out} ({len(panels)} passages; best: " + "; ".join(
        f"{f['property']} r={f['r']:+.2f}" for f in found[::2])
        + "".join(f"; {name}: not in the passage" for name in missing) + ")")  # fmt: skip
    return 0

"""One self-contained HTML page colouring a passage by unit activations (no network refs)."""

from __future__ import annotations

import html

import numpy as np

CSS = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
    "pre{white-space:pre-wrap;font:13px/1.5 monospace;border:1px solid #ddd;padding:.6em}"
    "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px}"
    ".k span{padding:0 .4em}"
)


def _colour(value: float) -> str:
    """-1 blue, 0 white, +1 red (Karpathy et al.'s colouring); values are clipped to [-1, 1]."""
    v = float(np.clip(value, -1.0, 1.0))
    fade = round(255 * (1 - abs(v)))
    return f"#ff{fade:02x}{fade:02x}" if v >= 0 else f"#{fade:02x}{fade:02x}ff"


def coloured(text: str, values: np.ndarray) -> str:
    """``text`` as <span>s whose background is the activation at each character; a newline
    stays a newline (its span holds a visible return mark)."""
    parts = []
    for ch, v in zip(text, values, strict=True):
        shown = "\u21b5\n" if ch == "\n" else html.escape(ch)
        parts.append(f"<span style='background:{_colour(v)}' title='{v:.3f}'>{shown}</span>")
    return "<pre>" + "".join(parts) + "</pre>"


def scaled(values: np.ndarray, signal: str) -> np.ndarray:
    """Gates in [0, 1] are shown as 2v - 1 so that 0.5 is white; c is squashed with tanh."""
    if signal.startswith("gate ") and signal != "gate g" and signal != "gate n":
        return 2 * values - 1
    if signal == "cell":
        return np.tanh(values)
    return values


def page(
    title: str, intro: str, text: str, panels: list[tuple[str, str, np.ndarray]], table: str
) -> str:
    """The whole document: a key, the table, one coloured copy of ``text`` per panel
    (heading, signal name, (len(text),) values)."""
    key = (
        "<p class='k'>colour: <span style='background:#0000ff;color:#fff'>-1</span>"
        "<span style='background:#ffffff'>0</span><span style='background:#ff0000'>+1</span>"
        " (gates: 0 ... 1; cell: tanh(c)); hover a character for its value</p>"
    )
    body = "".join(
        f"<h2>{html.escape(heading)}</h2>{coloured(text, scaled(values, signal))}"
        for heading, signal, values in panels
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
        f"{html.escape(title)}</title><style>{CSS}</style></head><body><h1>{html.escape(title)}"
        f"</h1><p>{html.escape(intro)}</p>{key}{table}{body}</body></html>"
    )

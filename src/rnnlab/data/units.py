"""What a character model's units track (Karpathy, Johnson & Fei-Fei 2015, "Visualizing and
Understanding Recurrent Networks"): per-character activations and simple text properties.

`activations` runs a trained text model over a passage and returns, for each layer, every
signal the cell exposes at every character: ``hidden`` (the layer's output h), ``cell`` (the
LSTM's c) and the gates (LSTM i, f, g, o; GRU r, z, n). `properties` marks each character
with a few properties a reader sees at once; `best_units` ranks the units by the Pearson
correlation of their activation with each property.
"""

from __future__ import annotations

import re

import numpy as np

from ..models.embedded import stack_and_input
from .charlm import TextModel
from .text import Vocabulary

GATES = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
_SPEAKER = re.compile(r"^[A-Z][A-Z .'-]*:$")


def activations(model: TextModel, vocab: Vocabulary, text: str) -> list[dict[str, np.ndarray]]:
    """Per layer, signal name -> (len(text), H) activation at each character (dropout off)."""
    stack, x = stack_and_input(model, vocab.encode(text)[None])  # below any embedding
    was_training = stack.layer.training
    stack.layer.eval()
    try:
        _, cache = stack.forward(x)
    finally:
        model.layer.train(was_training)
    (_, _, layer_cache), *rest = cache.chunks
    assert not rest, "one chunk: no truncation in a forward pass"
    layer = model.layer
    kind = layer.kind.split(":")[0]
    out = []
    for k in range(layer.num_layers):
        steps = layer_cache.steps[k][0]
        hidden = cache.y[0] if k == layer.num_layers - 1 else layer_cache.inputs[k + 1][:, 0]
        signals = {"hidden": np.asarray(hidden)}
        if kind == "lstm":
            signals["cell"] = np.asarray(steps["c"])[:, 0]
        for gate in GATES.get(kind, ()):
            signals[f"gate {gate}"] = np.asarray(steps[gate])[:, 0]
        out.append(signals)
    return out


def properties(text: str) -> dict[str, np.ndarray]:
    """Per character, as floats: inside double quotes, inside brackets, the position in the
    line (characters since the last newline), and inside a speaker's name (a line of
    capitals ending in ':', as the Shakespeare cleaning writes them)."""
    n = len(text)
    quote, bracket, position, speaker = (np.zeros(n) for _ in range(4))
    inside_quote, depth, column = False, 0, 0
    lines = text.split("\n")
    starts = np.cumsum([0] + [len(line) + 1 for line in lines[:-1]])
    for start, line in zip(starts, lines, strict=True):
        if _SPEAKER.match(line):
            speaker[start : start + len(line)] = 1.0
    for t, ch in enumerate(text):
        if ch == '"':
            inside_quote = not inside_quote
        depth += (ch in "([") - (ch in ")]")
        depth = max(depth, 0)
        quote[t], bracket[t], position[t] = inside_quote, depth > 0, column
        column = 0 if ch == "\n" else column + 1
    return {
        "inside quotes": quote,
        "inside brackets": bracket,
        "position in line": position,
        "speaker name": speaker,
    }


def correlations(values: np.ndarray, prop: np.ndarray) -> np.ndarray:
    """Pearson correlation of each column of ``values`` (T, H) with ``prop`` (T,); 0 where
    either is constant."""
    v = values - values.mean(axis=0)
    p = prop - prop.mean()
    denominator = np.sqrt((v * v).sum(axis=0) * (p * p).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (v * p[:, None]).sum(axis=0) / denominator
    return np.where(denominator > 0, r, 0.0)


def absent(props: dict[str, np.ndarray]) -> list[str]:
    """The properties constant over the passage (say, no bracket in it): no correlation."""
    return [name for name, prop in props.items() if prop.min() == prop.max()]


def best_units(
    acts: list[dict[str, np.ndarray]], props: dict[str, np.ndarray], top: int = 3
) -> list[dict[str, object]]:
    """For each property, the ``top`` (layer, signal, unit) by |correlation|; a property that
    is constant over the passage (say, no bracket in it) has no correlation and is left out."""
    found = []
    skip = absent(props)
    for name, prop in props.items():
        if name in skip:
            continue
        scored = []
        for k, signals in enumerate(acts):
            for signal, values in signals.items():
                r = correlations(values.astype(np.float64), prop)
                for unit in np.argsort(-np.abs(r))[:top]:
                    scored.append((abs(r[unit]), k, signal, int(unit), float(r[unit])))
        for _, k, signal, unit, r in sorted(scored, reverse=True)[:top]:
            found.append({"property": name, "layer": k, "signal": signal, "unit": unit, "r": r})
    return found

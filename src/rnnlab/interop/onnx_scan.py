"""The LSTM variants ONNX's ``LSTM`` operator cannot compute, as a ``Scan`` over the step.

`hs97`, `hs97_2a`, `nig`, `nfg`, `nog`, `niaf`, `noaf` and `fgr` each switch one term of the
cell on or off (`rnnlab.cells.LSTMCell`). Here one layer direction is a ``Scan`` whose body is
the cell's forward step written with MatMul and elementwise nodes, the same equation numbers
as `LSTMCell`'s docstring, each term present only where the spec has it::

    outside:  xp = x @ W_ih.T + b_ih                      # (T, N, G*H), one MatMul
    (1) a = xp_t + h_prev @ W_hh.T + b_hh
    (2) a += q_prev @ W_gh_s.T                             # [FGR]; W_gh scattered to the G*H axis
    (3) a_i += p_i * c_prev;  a_f += p_f * c_prev          # [peepholes]
    (4) i = sig(a_i) [or 1];  f = sig(a_f) [or 1, or 1 - i];  g = tanh(a_g) [or a_g]
    (5) c = f * c_prev + i * g
    (6) a_o += p_o * c;  o = sig(a_o) [or 1]
    (7) h = o * tanh(c) [or o * c]
    (8) q = (i, f, o), the sigmoid gates                  # [FGR]
    masked: state = m * new + (1 - m) * old;  y_t = m * h (m = 1 before a sequence's length)

A reverse direction reverses each sequence within its length (``ReverseSequence``), scans
forward and reverses the outputs back, as rnnlab's layer does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..cells.base import gate_slices
from ..cells.lstm_spec import LSTMSpec


def _weights(layer: Any, index: int, direction: int) -> dict[str, np.ndarray]:
    return {
        name: layer.params[layer.param_name(name, index, direction)]
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_ch", "weight_gh")
        if layer.param_name(name, index, direction) in layer.params
    }


def _scattered_gh(spec: LSTMSpec, w_gh: np.ndarray, hidden: int) -> np.ndarray:
    """W_gh (S*H, S*H) as (S*H, G*H).T-ready rows on the G*H gate axis: zeros for g."""
    out = np.zeros((len(spec.computed_gates) * hidden, w_gh.shape[1]), dtype=w_gh.dtype)
    rows = gate_slices(spec.computed_gates, hidden)
    for k, name in enumerate(spec.sigmoid_gates):
        out[rows[name]] = w_gh[k * hidden : (k + 1) * hidden]
    return out


class _Body:
    """Builds the Scan body: a subgraph with its own nodes and initializers."""

    def __init__(self, outer: Any) -> None:
        self.g = type(outer)(outer.onnx, outer.dtype)  # a fresh _Graph for the subgraph
        self.g._count = outer._count + 10_000  # names unique across graph and body

    def mul(self, a: str, b: str) -> str:
        return self.g.node("Mul", [a, b])

    def add(self, a: str, b: str) -> str:
        return self.g.node("Add", [a, b])


def _gates(b: _Body, spec: LSTMSpec, w: dict, h: str, c: str, q: str | None, xp: str):
    g, hidden = b.g, w["weight_hh"].shape[1]
    a = b.add(xp, g.node("MatMul", [h, g.const("W_hh_t", w["weight_hh"].T.copy())]))
    a = b.add(a, g.const("b_hh", w["bias_hh"]))  # (1)
    if q is not None:
        gh = _scattered_gh(spec, w["weight_gh"], hidden)
        a = b.add(a, g.node("MatMul", [q, g.const("W_gh_t", gh.T.copy())]))  # (2)
    names = spec.computed_gates
    parts = g.node("Split", [a], len(names), axis=1) if len(names) > 1 else [a]
    pre = dict(zip(names, [parts] if isinstance(parts, str) else parts, strict=True))
    peep = {}
    if spec.peepholes:
        blocks = np.split(w["weight_ch"], len(spec.sigmoid_gates))
        peep = {n: g.const(f"p_{n}", v) for n, v in zip(spec.sigmoid_gates, blocks, strict=True)}
    for name in ("i", "f"):
        if name in peep:
            pre[name] = b.add(pre[name], b.mul(peep[name], c))  # (3)
    return pre, peep


def _step(b: _Body, spec: LSTMSpec, w: dict, state: list[str], xp: str) -> list[str]:
    """Equations (1)-(8): the new (h, c[, q]) from the previous state and xp_t."""
    g = b.g
    h, c, q = state[0], state[1], state[2] if spec.gate_recurrence else None
    pre, peep = _gates(b, spec, w, h, c, q, xp)
    one = g.const("one", np.ones((), dtype=g.dtype))
    i = g.node("Sigmoid", [pre["i"]]) if spec.input_gate else None  # (4)
    if spec.coupled:
        f = g.node("Sub", [one, i])
    else:
        f = g.node("Sigmoid", [pre["f"]]) if spec.forget_gate else None
    cand = g.node("Tanh", [pre["g"]]) if spec.input_activation else pre["g"]
    kept = b.mul(f, c) if f is not None else c
    c_new = b.add(kept, b.mul(i, cand) if i is not None else cand)  # (5)
    o = None
    if spec.output_gate:
        a_o = b.add(pre["o"], b.mul(peep["o"], c_new)) if "o" in peep else pre["o"]  # (6)
        o = g.node("Sigmoid", [a_o])
    squashed = g.node("Tanh", [c_new]) if spec.output_activation else c_new
    h_new = b.mul(o, squashed) if o is not None else squashed  # (7)
    new = [h_new, c_new]
    if spec.gate_recurrence:
        gates = {"i": i, "f": f, "o": o}
        new.append(g.node("Concat", [gates[n] for n in spec.sigmoid_gates], axis=1))  # (8)
    return new


def _masked(b: _Body, new: list[str], old: list[str], mask: str | None) -> tuple[list, str]:
    if mask is None:
        return new, b.g.node("Identity", [new[0]])
    keep = b.g.node("Sub", [b.g.const("one", np.ones((), dtype=b.g.dtype)), mask])
    merged = [b.add(b.mul(mask, n), b.mul(keep, o)) for n, o in zip(new, old, strict=True)]
    return merged, b.mul(mask, new[0])


def _body_graph(outer: Any, spec: LSTMSpec, w: dict, masked: bool) -> Any:
    onnx, b = outer.onnx, _Body(outer)
    elem = onnx.helper.np_dtype_to_tensor_dtype(outer.dtype)
    n_states = 3 if spec.gate_recurrence else 2
    state = [b.g.name(f"s{k}") for k in range(n_states)]
    xp = b.g.name("xp_t")
    mask = b.g.name("m_t") if masked else None
    new, y = _masked(b, _step(b, spec, w, state, xp), state, mask)
    outs = [b.g.node("Identity", [n]) for n in new] + [y]
    inputs = [onnx.helper.make_tensor_value_info(n, elem, None) for n in [*state, xp]]
    if mask is not None:
        inputs.append(onnx.helper.make_tensor_value_info(mask, elem, None))
    outputs = [onnx.helper.make_tensor_value_info(n, elem, None) for n in outs]
    return onnx.helper.make_graph(b.g.nodes, "lstm_step", inputs, outputs, b.g.initializers)


def scan_direction(g: Any, layer: Any, index: int, direction: int, x: str, ctx: dict) -> list:
    """One layer direction over x (T, N, D): returns y (T, N, H) and the final (h, c[, q])."""
    spec, w = layer.spec, _weights(layer, index, direction)
    xp = g.node("MatMul", [x, g.const("W_ih_t", w["weight_ih"].T.copy())])
    xp = g.node("Add", [xp, g.const("b_ih", w["bias_ih"])])
    lengths, mask = ctx.get("lengths"), ctx.get("mask")
    reverse = direction == 1
    if reverse and lengths is not None:
        xp = g.node("ReverseSequence", [xp, lengths], batch_axis=1, time_axis=0)
    scan_inputs = [xp] if mask is None else [xp, mask]
    n_states = len(ctx["states"])
    outputs = [g.name("scan") for _ in range(n_states + 1)]
    flip = int(reverse and lengths is None)  # without lengths Scan itself runs backwards
    g.node(
        "Scan",
        [*ctx["states"], *scan_inputs],
        outputs,
        body=_body_graph(g, spec, w, mask is not None),
        num_scan_inputs=len(scan_inputs),
        scan_input_directions=[flip] * len(scan_inputs),
        scan_output_directions=[flip],
    )
    y = outputs[-1]
    if reverse and lengths is not None:
        y = g.node("ReverseSequence", [y, lengths], batch_axis=1, time_axis=0)
    return [y, *outputs[:-1]]

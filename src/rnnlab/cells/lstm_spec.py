"""The flags that define an LSTM variant, and the named presets.

Every variant is the one `LSTMCell` with some terms of its equations switched on or off; nothing
is copied. The Greff et al. (2017) ablations are each one change to their baseline, the peephole
cell ("vanilla LSTM" in that paper).
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class LSTMSpec:
    """Which gates, activations and connections an LSTM cell has.

    input_gate, forget_gate, output_gate
        Whether the gate is computed; an absent gate is the constant 1.
    coupled
        Coupled input and forget gate (CIFG): ``f = 1 - i``; the forget gate has no parameters.
    input_activation, output_activation
        tanh on the candidate ``g`` and on the cell before the output gate; off means identity.
    peepholes
        Diagonal weights from the cell: i and f read ``c_prev``, o reads the new ``c``.
    gate_recurrence
        Full gate recurrence (FGR): every sigmoid gate also reads all sigmoid gate activations of
        the previous step through ``weight_gh``; those activations become a third state entry.
    """

    input_gate: bool = True
    forget_gate: bool = True
    output_gate: bool = True
    coupled: bool = False
    input_activation: bool = True
    output_activation: bool = True
    peepholes: bool = False
    gate_recurrence: bool = False

    def __post_init__(self) -> None:
        if self.coupled and not (self.input_gate and self.forget_gate):
            raise ValueError("variant: a coupled (CIFG) cell needs both an input and forget gate")

    @property
    def computed_gates(self) -> tuple[str, ...]:
        """Gate blocks with weights, in PyTorch's order i, f, g, o (absent ones left out)."""
        gates = []
        if self.input_gate:
            gates.append("i")
        if self.forget_gate and not self.coupled:
            gates.append("f")
        gates.append("g")
        if self.output_gate:
            gates.append("o")
        return tuple(gates)

    @property
    def sigmoid_gates(self) -> tuple[str, ...]:
        """The computed gates that are sigmoids: the ones peepholes and FGR connect."""
        return tuple(name for name in self.computed_gates if name != "g")


_PEEPHOLE = LSTMSpec(peepholes=True)

PRESETS: dict[str, tuple[LSTMSpec, str]] = {
    "vanilla": (LSTMSpec(), "forget gate, no peepholes: the PyTorch / Keras cell"),
    "peephole": (_PEEPHOLE, "peepholes: i and f read c(t-1), o reads c(t) (Gers & Schmidhuber)"),
    "hs97": (LSTMSpec(forget_gate=False), "the 1997 cell, no forget gate: c(t) = c(t-1) + i*g"),
    "hs97_2a": (
        LSTMSpec(forget_gate=False, output_gate=False, output_activation=False),
        "HS97 exp 2a's cell: input gate only (no forget or output gate), h = c",
    ),
    "nig": (replace(_PEEPHOLE, input_gate=False), "Greff: no input gate (i = 1)"),
    "nfg": (replace(_PEEPHOLE, forget_gate=False), "Greff: no forget gate (f = 1)"),
    "nog": (replace(_PEEPHOLE, output_gate=False), "Greff: no output gate (o = 1)"),
    "niaf": (replace(_PEEPHOLE, input_activation=False), "Greff: no input activation (g = a_g)"),
    "noaf": (replace(_PEEPHOLE, output_activation=False), "Greff: no output activation (h = o*c)"),
    "np": (replace(_PEEPHOLE, peepholes=False), "Greff: no peepholes (same maths as vanilla)"),
    "cifg": (replace(_PEEPHOLE, coupled=True), "Greff: coupled input and forget gate, f = 1 - i"),
    "fgr": (
        replace(_PEEPHOLE, gate_recurrence=True),
        "Greff: full gate recurrence, gates read all gates of step t-1",
    ),
}


def lstm_spec(variant: str | LSTMSpec) -> LSTMSpec:
    """Resolve a preset name (or pass a spec through)."""
    if isinstance(variant, LSTMSpec):
        return variant
    if variant not in PRESETS:
        raise ValueError(f"variant: expected one of {', '.join(PRESETS)}, got {variant!r}")
    return PRESETS[variant][0]

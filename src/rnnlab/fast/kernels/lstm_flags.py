"""Layout of the LSTM kernels' configuration vector and stacked caches (shared by the kernels).

cfg holds the variant's flags, then the offsets of the gate blocks on the G*H axis (-1 when
absent), then the offsets of the sigmoid gates in the peephole / gate-recurrence layout (S*H).
"""

from __future__ import annotations

import numpy as np

# Slots of the stacked (8, T, N, H) cache array, in the order of the reference's cache dict.
CACHE_KEYS = ("i", "f", "g", "o", "c", "act_c", "c_prev", "h_prev")
I, F, G, O, C, ACT_C, C_PREV, H_PREV = range(8)  # noqa: E741  (the gates' own letters)

# The `LSTMSpec` fields the flags encode: `rnnlab.fast.support` refuses a spec with any other.
SPEC_FIELDS = frozenset(
    {
        "input_gate",
        "forget_gate",
        "output_gate",
        "coupled",
        "input_activation",
        "output_activation",
        "peepholes",
        "gate_recurrence",
    }
)
PLAIN, HAS_I, HAS_F, COUPLED, HAS_O, IN_ACT, OUT_ACT, PEEP, FGR = range(9)
OFF_I, OFF_F, OFF_G, OFF_O, SIG_I, SIG_F, SIG_O = range(9, 16)


def config(spec, hidden: int) -> np.ndarray:
    """The cfg vector of an `LSTMSpec` for hidden size ``hidden``."""
    gates, sig = spec.computed_gates, spec.sigmoid_gates
    flags = [
        spec == type(spec)(),  # the plain cell (vanilla and its alias "np")
        spec.input_gate,
        "f" in gates,
        spec.coupled,
        spec.output_gate,
        spec.input_activation,
        spec.output_activation,
        spec.peepholes,
        spec.gate_recurrence,
    ]
    offsets = [gates.index(k) * hidden if k in gates else -1 for k in "ifgo"]
    blocks = [sig.index(k) * hidden if k in sig else -1 for k in "ifo"]
    return np.array([int(v) for v in flags] + offsets + blocks, dtype=np.int64)

"""Initialisation schemes by name, applied in place to a recurrent layer.

Every scheme first redraws all parameters from PyTorch's default U(-1/sqrt(H), 1/sqrt(H)) with
the generator it is given (so one seed fixes the whole model), then changes what it names:

``pytorch``     nothing more: the layers' own default.
``orthogonal``  every H x H gate block of ``weight_hh`` a random orthogonal matrix (QR of a
                Gaussian with the signs of diag(R), so Haar-distributed); biases as PyTorch.
``identity``    the IRNN (Le et al. 2015): ``weight_hh = I`` and both biases 0. RNN only.
                Le et al. also drew the input weights from N(0, 0.001**2); we keep PyTorch's
                input weights, as the calibration in tasks.md did.
``forget1``     LSTM forget-gate bias 1 (Keras ``unit_forget_bias``, Jozefowicz et al. 2015).
``hs97``        the 1997 paper's negative gate biases: input gates cycling -2, -4, -6 over the
                units and output gates -1, -2, -3 (HS97 biased its blocks in such steps, e.g.
                input -2/-4/-6 in exp 6, output -1..-4 in exp 2), so cells start closed and
                are recruited one after another. A forget gate, if the cell has one, keeps
                PyTorch's bias; use ``lstm:hs97`` for the 1997 cell itself.
``chrono``      Tallec & Ollivier (2018): forget-gate biases log(u), u ~ U[1, T_max - 1], and
                input-gate biases -log(u), so the cell keeps its content for about u steps.
                GRU: the update-gate (z) biases log(u); since h = (1 - z) * n + z * h_prev, z
                near 1 keeps the old state. Any cell: the gates its ``keep_biases`` names,
                +log(u) on a gate that keeps the state, -log(u) on one that overwrites it.

Which schemes apply to a cell, and which gates ``forget1`` and ``chrono`` set with which sign,
the cell declares (``inits`` and ``keep_biases``, `rnnlab.cells.registry`).

Biases: the cells add ``bias_ih + bias_hh``; a scheme that sets a gate's bias to v puts v in
``bias_ih`` and 0 in ``bias_hh``, so the effective bias is exactly v (Keras semantics).

LSTM variants without some gate get what applies (`LSTMSpec`): with a coupled gate (CIFG,
f = 1 - i) ``forget1`` and ``chrono`` set the input-gate bias to minus the forget-gate value,
which gives the same f; a cell without a forget gate (``hs97``, ``nfg``) gets only the
input-gate part of ``chrono`` and cannot take ``forget1``. Every layer and direction of a
stack gets the scheme.
"""

from __future__ import annotations

import numpy as np

from .cells import CELLS, RegisteredCell, gate_slices
from .cells.base import Params
from .layers import RecurrentLayer

INITS: dict[str, str] = {
    "pytorch": "U(+-1/sqrt(H)) everywhere (the layers' default)",
    "orthogonal": "orthogonal recurrent gate blocks",
    "identity": "IRNN: W_hh = I, biases 0 (RNN only; Le et al. 2015)",
    "forget1": "LSTM forget-gate bias 1 (Jozefowicz et al. 2015; Keras)",
    "hs97": "LSTM input-gate biases -2/-4/-6, output-gate -1/-2/-3 (HS97)",
    "chrono": "forget/update-gate biases log U[1, T_max-1], input -log (Tallec & Ollivier 2018)",
}
HS97_INPUT_BIASES = (-2.0, -4.0, -6.0)
HS97_OUTPUT_BIASES = (-1.0, -2.0, -3.0)


def default_init(layer_kind: str) -> str:
    """What `rnnlab train` uses when no ``--init`` is given: chrono for gated cells."""
    return "chrono" if "chrono" in CELLS[layer_kind].inits else "pytorch"


def _cell(layer: RecurrentLayer) -> RegisteredCell:
    return layer.cell  # type: ignore[return-value]  (every layer's cell is registered)


def check_init(layer: RecurrentLayer, name: str, t_max: int | None = None) -> None:
    """Raise ValueError naming ``init`` if ``name`` is unknown or does not apply to ``layer``."""
    if name not in INITS:
        raise ValueError(f"init: expected one of {', '.join(INITS)}, got {name!r}")
    cell, text = _cell(layer), layer.cell_text
    if name not in cell.inits:
        raise ValueError(
            f"init: {name!r} ({INITS[name]}) does not apply to {text}, which takes "
            f"{', '.join(cell.inits)}"
        )
    if name == "forget1" and not cell.keep_biases(name):
        raise ValueError(f"init: 'forget1' needs a forget gate, and {text} has none")
    gates = tuple(layer.cell.gate_names)
    if name == "hs97" and "i" not in gates and "o" not in gates:
        raise ValueError(f"init: 'hs97' biases input and output gates, and {text} has neither")
    if name == "chrono":
        if not cell.keep_biases(name):
            raise ValueError(f"init: 'chrono' sets gate biases, and {text} has no gate it sets")
        if t_max is None or t_max < 2:
            raise ValueError(f"init: 'chrono' needs T_max >= 2 (the longest lag), got {t_max!r}")


def orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-random n x n orthogonal matrix (Mezzadri 2007: QR, then fix the signs)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _set_bias(p: dict[str, np.ndarray], block: slice, value: np.ndarray | float) -> None:
    p["bias_ih"][block] = value  # the whole effective bias in bias_ih ...
    p["bias_hh"][block] = 0.0  # ... because the cell adds bias_hh to it


def _cycle(values: tuple[float, ...], n: int) -> np.ndarray:
    return np.resize(np.asarray(values), n)


def apply_init(
    layer: RecurrentLayer, name: str, rng: np.random.Generator, t_max: int | None = None
) -> None:
    """Initialise every parameter of ``layer`` in place by scheme ``name`` (module docstring).

    ``t_max`` is the longest lag the task can need (chrono only). Nothing changes on ValueError.
    """
    check_init(layer, name, t_max)
    bound = 1.0 / np.sqrt(layer.hidden_size)
    for value in layer.params.values():
        value[...] = rng.uniform(-bound, bound, size=value.shape)
    for index in range(layer.num_layers):
        for direction in range(layer.directions):
            p = layer.layer_params(index, direction)  # views into layer.params
            _init_direction(_cell(layer), p, name, rng, t_max)


def _init_direction(
    cell: RegisteredCell, p: Params, name: str, rng: np.random.Generator, t_max: int | None
) -> None:
    """Scheme ``name``'s changes to one layer direction's parameters ``p``."""
    H = cell.hidden_size  # type: ignore[attr-defined]
    s = gate_slices(tuple(cell.gate_names), H)  # type: ignore[attr-defined]
    if name == "orthogonal":
        for block in s.values():
            p["weight_hh"][block] = orthogonal(H, rng)
    elif name == "identity":
        p["weight_hh"][...] = np.eye(H)
        p["bias_ih"][...] = 0.0
        p["bias_hh"][...] = 0.0
    elif name == "hs97":
        if "i" in s:
            _set_bias(p, s["i"], _cycle(HS97_INPUT_BIASES, H))
        if "o" in s:
            _set_bias(p, s["o"], _cycle(HS97_OUTPUT_BIASES, H))
    elif name in ("forget1", "chrono"):
        assert name == "forget1" or t_max is not None  # checked by check_init
        keep = 1.0 if name == "forget1" else np.log(rng.uniform(1.0, t_max - 1.0, size=H))
        for gate, sign in cell.keep_biases(name).items():
            _set_bias(p, s[gate], sign * keep)

"""One benchmark case: a torch module, the rnnlab layer with its weights, data, step functions.

Both sides get the same weights (`rnnlab.from_torch` copies the torch module's), the same input
``x`` (N, T, D) and the same fixed random tensor ``g`` of the output's shape; the loss is
``sum(y * g)``, so the output gradient is ``g`` itself and rnnlab's backward receives it directly.
A training step is forward + backward including dX; an inference step is the forward alone
(torch under ``no_grad``, rnnlab with ``need_cache=False``). torch is imported inside the
functions only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import backend

GATES = {"lstm": 4, "gru": 3, "rnn": 1}
TORCH_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}

# float32 agreement demanded before timing: max |diff| / max |torch| per tensor. The calibration
# (perf.md section 4) saw at most 1e-6; summing over 1000 steps or 128x200 rows leaves headroom.
TOLERANCE = 1e-4


@dataclass(frozen=True)
class Point:
    """A grid point: cell, mode ("train" or "infer"), batch N, time T, hidden H (input = H)."""

    cell: str
    mode: str
    batch: int
    time: int
    hidden: int

    @property
    def flops(self) -> float:
        """Matrix-product flops of one step: forward 2*T*N*(D+H)*G*H, backward twice that."""
        fwd = 2.0 * self.time * self.batch * (2 * self.hidden) * GATES[self.cell] * self.hidden
        return 3.0 * fwd if self.mode == "train" else fwd

    @property
    def label(self) -> str:
        return f"{self.cell} {self.mode} B={self.batch} T={self.time} H={self.hidden}"


@dataclass
class Case:
    """Everything needed to time one point: two zero-argument step functions and a check."""

    point: Point
    torch_step: Callable[[], None]
    rnnlab_step: Callable[[], None]
    backend: str  # what rnnlab runs for this cell: "fast" or "reference"
    diffs: dict[str, float]  # max |diff| / max |torch| per compared tensor


def _rel(a: np.ndarray, ref: np.ndarray) -> float:
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    return float(np.max(np.abs(a - ref))) / max(scale, 1e-30)


def build(point: Point, seed: int = 0) -> Case:
    """Build both sides of ``point``, check they agree (ValueError if not), return the case."""
    import torch

    import rnnlab

    torch.manual_seed(seed)
    H, N, T = point.hidden, point.batch, point.time
    module = getattr(torch.nn, TORCH_NAMES[point.cell])(H, H, batch_first=True)
    layer = rnnlab.from_torch(module)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, H)).astype(np.float32)
    g = rng.standard_normal((N, T, H)).astype(np.float32)
    train = point.mode == "train"
    tx = torch.from_numpy(x.copy()).requires_grad_(train)
    tg = torch.from_numpy(g.copy())
    if not train:
        module.eval()
        layer.eval()

    def torch_train() -> None:
        module.zero_grad(set_to_none=True)
        tx.grad = None
        out, _ = module(tx)
        (out * tg).sum().backward()

    def torch_infer() -> None:
        with torch.no_grad():
            module(tx)

    def rnnlab_train() -> None:
        _, _, cache = layer.forward(x)
        layer.backward(g, cache)

    def rnnlab_infer() -> None:
        layer.forward(x, need_cache=False)  # no backward follows: no caches kept

    diffs = _check(module, layer, tx, tg, x, g, train)
    worst = max(diffs.values())
    if not worst <= TOLERANCE:  # also catches NaN
        raise ValueError(f"{point.label}: rnnlab and torch disagree ({diffs}); not timing it")
    return Case(
        point,
        torch_train if train else torch_infer,
        rnnlab_train if train else rnnlab_infer,
        "reference" if backend.fast_path(layer.cell) is None else "fast",
        diffs,
    )


def _check(module, layer, tx, tg, x, g, train: bool) -> dict[str, float]:
    """Run each side once and compare outputs (and, training, dX and every weight gradient)."""
    import torch

    if not train:
        with torch.no_grad():
            ref = module(tx)[0].numpy()
        return {"y": _rel(layer.forward(x, need_cache=False)[0], ref)}  # the timed call
    module.zero_grad(set_to_none=True)
    tx.grad = None
    out, _ = module(tx)
    (out * tg).sum().backward()
    y, _, cache = layer.forward(x)
    dx, _, grads = layer.backward(g, cache)
    diffs = {"y": _rel(y, out.detach().numpy()), "dx": _rel(dx, tx.grad.numpy())}
    for name, param in module.named_parameters():
        diffs["d" + name] = _rel(grads[name], param.grad.numpy())
    return diffs

"""The gated recurrent unit, in both published placements of the reset gate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..activations import sigmoid, sigmoid_grad, tanh, tanh_grad
from .base import Array, Params, State, StepCache, gate_slices
from .registry import RegisteredCell, register


@register
@dataclass(frozen=True)
class GRUCell(RegisteredCell):
    """GRU cell (Cho et al. 2014), gate order r, z, n as PyTorch.

    Shapes: N batch, D input, H hidden; the gate axis is 3*H = (r, z, n). Parameters (out x in):
    ``weight_ih`` = W_ih (3H, D), ``weight_hh`` = W_hh (3H, H), ``bias_ih`` = b_ih and
    ``bias_hh`` = b_hh (3H,). Their blocks: W_h(r,z) = W_hh[:2H] (2H, H), the rows of r and z;
    W_hn = W_hh[2H:] (H, H) and b_hn = b_hh[2H:] (H,), the candidate's. State: ``(h,)``.
    ``xp = x @ W_ih.T + b_ih`` (N, 3H) for all steps, split as xp_r, xp_z, xp_n. Row vectors
    throughout: x (N, D); h_prev, r, z, n and u_r, u_z, u_n (N, H); u (N, 3H).

    Forward::

        (1) u = h_prev @ W_hh.T + b_hh                  # (N, 3H) = u_r, u_z, u_n
                [reset_after=False: u_n = (r * h_prev) @ W_hn.T + b_hn, after (2)]
        (2) r = sig(xp_r + u_r);  z = sig(xp_z + u_z)
        (3) n = tanh(xp_n + r * u_n)                    # [reset_after=False: tanh(xp_n + u_n)]
        (4) h = (1 - z) * n + z * h_prev

    Backward (dh holds the gradient from step t+1 and from the output; da_* (N, H) are the
    gradients of the pre-activations, dxp (N, 3H) that of xp, dhp (N, 3H) that of the recurrent
    projection u, whose n block u_n is the product W_hn reads: h_prev, or r * h_prev before)::

        (4') dn = dh * (1 - z);  dz = dh * (h_prev - n);  dh_prev = dh * z
        (3') da_n = dn * (1 - n**2)
             reset_after:  dr = da_n * u_n;  du_n = da_n * r
             reset_before: du_n = da_n;  d(rh) = du_n @ W_hn;  dr = d(rh) * h_prev;
                           dh_prev += d(rh) * r
        (2') da_r = dr * r * (1 - r);  da_z = dz * z * (1 - z)
        (1') dxp = (da_r, da_z, da_n);  dhp = (da_r, da_z, du_n)
             reset_after:  dh_prev += dhp @ W_hh
             reset_before: dh_prev += (da_r, da_z) @ W_h(r,z)
        outside the loop: dW_h(r,z) = (da_r, da_z).T @ h_prev;  db_hh = sum dhp
             dW_hn = du_n.T @ h_prev  [reset_before: du_n.T @ (r * h_prev)]

    reset_after=True is PyTorch's and cuDNN's form (documented there as a deviation from the paper
    for speed); reset_after=False is the paper's and ONNX's default (``linear_before_reset=0``).
    As in the LSTM, (4') passes ``dh * z`` straight to the previous step: with z near 1 the
    gradient is carried unchanged.
    """

    hidden_size: int
    reset_after: bool = True

    name: ClassVar[str] = "gru"
    variants: ClassVar[tuple[str, ...]] = ("reset_after", "reset_before")
    keep_gate: ClassVar[str | None] = "z"
    state_names = ("h",)
    gate_names = ("r", "z", "n")
    sigmoid_gates = ("r", "z")

    @classmethod
    def from_variant(cls, hidden_size: int, variant: str) -> GRUCell:
        return cls(hidden_size, reset_after=variant == "reset_after")

    def keep_biases(self, scheme: str) -> dict[str, float]:
        return {"z": 1.0} if scheme == "chrono" else {}  # (4): z near 1 keeps h_prev

    def step(self, p: Params, xp: Array, state: State) -> tuple[State, StepCache]:
        (h_prev,) = state
        H = self.hidden_size
        W, b = p["weight_hh"], p["bias_hh"]
        if self.reset_after:
            u = h_prev @ W.T + b  # (1) (N, 3H)
            r = sigmoid(xp[:, :H] + u[:, :H])  # (2)
            z = sigmoid(xp[:, H : 2 * H] + u[:, H : 2 * H])  # (2)
            u_n = u[:, 2 * H :]
            n = tanh(xp[:, 2 * H :] + r * u_n)  # (3)
        else:
            u_rz = h_prev @ W[: 2 * H].T + b[: 2 * H]  # (1)
            r = sigmoid(xp[:, :H] + u_rz[:, :H])  # (2)
            z = sigmoid(xp[:, H : 2 * H] + u_rz[:, H:])  # (2)
            u_n = (r * h_prev) @ W[2 * H :].T + b[2 * H :]  # (1) reset before the product
            n = tanh(xp[:, 2 * H :] + u_n)  # (3)
        h = (1.0 - z) * n + z * h_prev  # (4)
        return (h,), {"r": r, "z": z, "n": n, "u_n": u_n, "h_prev": h_prev}

    def step_backward(
        self, p: Params, cache: StepCache, dstate: State
    ) -> tuple[Array, Array, State]:
        (dh,) = dstate
        r, z, n, h_prev = cache["r"], cache["z"], cache["n"], cache["h_prev"]
        H, W = self.hidden_size, p["weight_hh"]
        dn = dh * (1.0 - z)  # (4')
        dz = dh * (h_prev - n)  # (4')
        dh_prev = dh * z  # (4')
        da_n = dn * tanh_grad(n)  # (3')
        if self.reset_after:
            dr = da_n * cache["u_n"]  # (3')
            du_n = da_n * r  # (3')
        else:
            du_n = da_n
            d_rh = du_n @ W[2 * H :]  # (3')
            dr = d_rh * h_prev  # (3')
            dh_prev = dh_prev + d_rh * r  # (3')
        da_r = dr * sigmoid_grad(r)  # (2')
        da_z = dz * sigmoid_grad(z)  # (2')
        dxp = np.concatenate([da_r, da_z, da_n], axis=-1)  # (1')
        dhp = np.concatenate([da_r, da_z, du_n], axis=-1)  # (1')
        if self.reset_after:
            dh_prev = dh_prev + dhp @ W  # (1')
        else:
            dh_prev = dh_prev + dhp[:, : 2 * H] @ W[: 2 * H]  # (1')
        return dxp, dhp, (dh_prev,)

    def weight_grads(self, p: Params, caches: StepCache, dxp: Array, dhp: Array) -> Params:
        H = self.hidden_size
        s = gate_slices(self.gate_names, H)
        h_prev = caches["h_prev"].reshape(-1, H)  # (T*N, H)
        flat = dhp.reshape(-1, 3 * H)
        read_n = h_prev  # what W_hn multiplies: h_prev, or r * h_prev with the reset before
        if not self.reset_after:
            read_n = (caches["r"] * caches["h_prev"]).reshape(-1, H)  # (1')
        weight_hh = np.concatenate(
            [flat[:, : 2 * H].T @ h_prev, flat[:, s["n"]].T @ read_n], axis=0
        )  # (1') outside the loop
        return {"weight_hh": weight_hh, "bias_hh": flat.sum(axis=0)}

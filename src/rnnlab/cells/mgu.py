"""The minimal gated unit: one gate where the GRU has two."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..activations import sigmoid, sigmoid_grad, tanh, tanh_grad
from .base import Array, Params, State, StepCache
from .registry import RegisteredCell, register


@register
@dataclass(frozen=True)
class MGUCell(RegisteredCell):
    """Minimal gated unit (Zhou, Wu, Zhang & Zhou 2016), gate order f, n.

    Shapes: N batch, D input, H hidden; the gate axis is 2*H = (f, n). Row vectors throughout:
    ``x`` (N, D), ``h_prev``, ``f``, ``n``, ``h`` (N, H). Parameters (out x in, PyTorch's
    layout): ``weight_ih`` (2H, D), ``weight_hh`` (2H, H) = (W_hf; W_hn), each (H, H), and
    ``bias_ih``, ``bias_hh`` (2H,) = (b_hf, b_hn) on the recurrent side. State: ``(h,)``.
    ``xp = x @ W_ih.T + b_ih`` (N, 2H) for all steps at once, split as xp_f, xp_n. ``sig`` is
    the logistic sigmoid, ``*`` element-wise, ``@`` the matrix product.

    Forward::

        (1) u_f = h_prev @ W_hf.T + b_hf                # (N, H)
        (2) f = sig(xp_f + u_f)                         # the one gate: forget
        (3) u_n = (f * h_prev) @ W_hn.T + b_hn;  n = tanh(xp_n + u_n)
        (4) h = (1 - f) * h_prev + f * n

    Backward (dh holds the gradient from step t+1 and from the output; da_f, da_n (N, H) are the
    gradients of the gates' pre-activations, d(fh) (N, H) that of ``f * h_prev``)::

        (4') dn = dh * f;  df = dh * (n - h_prev);  dh_prev = dh * (1 - f)
        (3') da_n = dn * (1 - n**2);  d(fh) = da_n @ W_hn;  df += d(fh) * h_prev;
             dh_prev += d(fh) * f
        (2') da_f = df * f * (1 - f)
        (1') dxp = dhp = (da_f, da_n);  dh_prev += da_f @ W_hf
        outside the loop, summed over t and n as single products:
             dW_hf = da_f.T @ h_prev;  dW_hn = da_n.T @ (f * h_prev);  db_hh = sum dhp

    The paper's gate keeps the state where it is *low*, (4): ``1 - f`` plays the GRU's z and
    the LSTM's f, and ``f`` also resets h_prev inside the candidate, (3), as the GRU's r does
    in its reset-before form. So chrono gives f the bias -log(u) (`keep_biases`), and gradflow
    reports f's saturation but no mean kept share (``keep_gate`` None: 1 - f is not cached).
    """

    hidden_size: int

    name: ClassVar[str] = "mgu"
    state_names = ("h",)
    gate_names = ("f", "n")
    sigmoid_gates = ("f",)

    def keep_biases(self, scheme: str) -> dict[str, float]:
        return {"f": -1.0} if scheme == "chrono" else {}  # (4): f near 0 keeps h_prev

    def step(self, p: Params, xp: Array, state: State) -> tuple[State, StepCache]:
        (h_prev,) = state
        H, W, b = self.hidden_size, p["weight_hh"], p["bias_hh"]
        u_f = h_prev @ W[:H].T + b[:H]  # (1)
        f = sigmoid(xp[:, :H] + u_f)  # (2)
        u_n = (f * h_prev) @ W[H:].T + b[H:]  # (3)
        n = tanh(xp[:, H:] + u_n)  # (3)
        h = (1.0 - f) * h_prev + f * n  # (4)
        return (h,), {"f": f, "n": n, "h_prev": h_prev}

    def step_backward(
        self, p: Params, cache: StepCache, dstate: State
    ) -> tuple[Array, Array, State]:
        (dh,) = dstate
        f, n, h_prev = cache["f"], cache["n"], cache["h_prev"]
        H, W = self.hidden_size, p["weight_hh"]
        dn = dh * f  # (4')
        df = dh * (n - h_prev)  # (4')
        dh_prev = dh * (1.0 - f)  # (4')
        da_n = dn * tanh_grad(n)  # (3')
        d_fh = da_n @ W[H:]  # (3')
        df = df + d_fh * h_prev  # (3')
        dh_prev = dh_prev + d_fh * f  # (3')
        da_f = df * sigmoid_grad(f)  # (2')
        da = np.concatenate([da_f, da_n], axis=-1)  # (1') (N, 2H)
        dh_prev = dh_prev + da_f @ W[:H]  # (1')
        return da, da, (dh_prev,)

    def weight_grads(self, p: Params, caches: StepCache, dxp: Array, dhp: Array) -> Params:
        H = self.hidden_size
        flat = dhp.reshape(-1, 2 * H)  # (T*N, 2H)
        h_prev = caches["h_prev"].reshape(-1, H)
        fh = (caches["f"] * caches["h_prev"]).reshape(-1, H)  # (1')
        weight_hh = np.concatenate(
            [flat[:, :H].T @ h_prev, flat[:, H:].T @ fh], axis=0
        )  # (1') outside the loop
        return {"weight_hh": weight_hh, "bias_hh": flat.sum(axis=0)}

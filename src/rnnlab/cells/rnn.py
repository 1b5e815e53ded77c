"""The Elman recurrent cell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..activations import NONLINEARITIES
from .base import Array, Params, State, StepCache, recurrent_grads
from .registry import RegisteredCell, register


@register
@dataclass(frozen=True)
class RNNCell(RegisteredCell):
    """Elman RNN cell, ``h = act(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)``.

    Shapes: N batch, D input, H hidden; row vectors throughout: x (N, D), h_prev, a, h (N, H).
    One gate block (G = 1); ``act`` is tanh or relu. Parameters (PyTorch layout, out x in):
    ``weight_ih`` = W_ih (H, D), ``weight_hh`` = W_hh (H, H), ``bias_ih`` = b_ih (H,),
    ``bias_hh`` = b_hh (H,). State: ``(h,)``.

    Forward::

        (1) a = xp + h_prev @ W_hh.T + b_hh          # xp = x @ W_ih.T + b_ih, all steps at once
        (2) h = act(a)                               # act = tanh | relu

    Backward (dh already holds the gradient from step t+1 and from the output)::

        (2') da = dh * act'(h)                       # 1 - h**2  |  [h > 0]
        (1') dxp = dhp = da;  dh_prev = da @ W_hh              # (N, H)
             dW_hh = sum_t da.T @ h_prev;  db_hh = sum_t da   (outside the loop, over t and n)

    With tanh, ``|act'| <= 1`` and ``dh_prev = (dh * act') @ W_hh``: over k steps the gradient is
    multiplied by k such Jacobians, which is why it vanishes or explodes with the spectral radius
    of ``W_hh`` (Hochreiter 1991; Bengio et al. 1994).
    """

    hidden_size: int
    nonlinearity: str = "tanh"

    name: ClassVar[str] = "rnn"
    variants: ClassVar[tuple[str, ...]] = ("tanh", "relu")
    inits: ClassVar[tuple[str, ...]] = ("pytorch", "orthogonal", "identity")
    state_names = ("h",)
    gate_names = ("h",)

    @classmethod
    def from_variant(cls, hidden_size: int, variant: str) -> RNNCell:
        return cls(hidden_size, variant)

    def step(self, p: Params, xp: Array, state: State) -> tuple[State, StepCache]:
        act, _ = NONLINEARITIES[self.nonlinearity]
        (h_prev,) = state
        a = xp + h_prev @ p["weight_hh"].T + p["bias_hh"]  # (1) (N, H)
        h = act(a)  # (2)
        return (h,), {"h": h, "h_prev": h_prev}

    def step_backward(
        self, p: Params, cache: StepCache, dstate: State
    ) -> tuple[Array, Array, State]:
        _, act_grad = NONLINEARITIES[self.nonlinearity]
        (dh,) = dstate
        da = dh * act_grad(cache["h"])  # (2')
        dh_prev = da @ p["weight_hh"]  # (1')
        return da, da, (dh_prev,)

    def weight_grads(self, p: Params, caches: StepCache, dxp: Array, dhp: Array) -> Params:
        return recurrent_grads(caches, dhp)  # (1') outside the loop

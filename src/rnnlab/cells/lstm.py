"""The LSTM cell: one implementation, every variant a flag of `LSTMSpec`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from ..activations import sigmoid, sigmoid_grad, tanh, tanh_grad
from .base import (
    Array,
    Params,
    State,
    StepCache,
    gate_slices,
    recurrent_grads,
    stacked_param_shapes,
)
from .lstm_spec import PRESETS, LSTMSpec, lstm_spec
from .registry import RegisteredCell, register


@register
@dataclass(frozen=True)
class LSTMCell(RegisteredCell):
    """Long short-term memory cell (Hochreiter & Schmidhuber 1997; forget gate Gers et al. 2000).

    Shapes: N batch, D input, H hidden, G number of computed gate blocks (4 for the vanilla cell),
    S number of computed sigmoid gates (i, f, o; 3 for the vanilla cell). Gate order on the G*H
    axis: i, f, g, o as PyTorch, with absent gates left out. ``sig`` is the logistic sigmoid,
    ``*`` element-wise, ``@`` the matrix product.

    Parameters (out x in), and their names in the equations: ``weight_ih`` = W_ih (G*H, D),
    ``weight_hh`` = W_hh (G*H, H), ``bias_ih`` = b_ih and ``bias_hh`` = b_hh (G*H,), each stacked
    in gate blocks of H rows (``W_hf`` is the f block of W_hh); with peepholes ``weight_ch``
    (S*H,), the diagonal peephole weights p_i, p_f, p_o (H,) of the sigmoid gates present; with
    full gate recurrence ``weight_gh`` = W_gh (S*H, S*H). State: ``(h, c)``, each (N, H), and
    with full gate recurrence ``q`` (N, S*H), the previous step's sigmoid gate activations.
    Row vectors throughout: x (N, D); h, c, i, f, g, o and every a_* (N, H).

    Gate blocks per preset (the G blocks of W_ih, W_hh and the biases, in order, and the S
    sigmoid ones, which order ``weight_ch`` and q)::

        vanilla, np           i, f, g, o  S: i, f, o  no weight_ch
        peephole, niaf, noaf  i, f, g, o  S: i, f, o  weight_ch = (p_i, p_f, p_o)
        fgr                   i, f, g, o  S: i, f, o  weight_ch = (p_i, p_f, p_o), q = (i, f, o)
        nig                   f, g, o     S: f, o     weight_ch = (p_f, p_o)
        nfg                   i, g, o     S: i, o     weight_ch = (p_i, p_o)
        nog                   i, f, g     S: i, f     weight_ch = (p_i, p_f)
        cifg                  i, g, o     S: i, o     weight_ch = (p_i, p_o)  (f = 1 - i)
        hs97                  i, g, o     S: i, o     no weight_ch
        hs97_2a               i, g        S: i        no weight_ch

    So ``weight_ch`` is (p_i, p_f, p_o) only with all three sigmoid gates; a coupled cell's f has
    no block and no peephole (it is 1 - i), and with gate recurrence its q is (i, o).

    Forward (bracketed terms exist only in the variants named)::

        (1) a = xp + h_prev @ W_hh.T + b_hh             # xp = x @ W_ih.T + b_ih; (N, G*H)
        (2) a_s += q_prev @ W_gh.T                      # [FGR] s = the sigmoid gates
        (3) a_i += p_i * c_prev;  a_f += p_f * c_prev   # [peepholes]
        (4) i = sig(a_i)  [NIG: 1]
            f = sig(a_f)  [NFG, hs97: 1;  CIFG: 1 - i]
            g = tanh(a_g) [NIAF: a_g]
        (5) c = f * c_prev + i * g
        (6) a_o += p_o * c [peepholes];  o = sig(a_o)  [NOG: 1]
        (7) h = o * tanh(c)                             # [NOAF: h = o * c]
        (8) q = (i, f, o)                               # [FGR] read at step t+1

    Backward (dh, dc, dq hold the gradient from step t+1, dh also that of the output). ``da``
    (N, G*H) is the gradient of the pre-activations a, in blocks da_i, da_f, da_g, da_o (N, H);
    da_s (N, S*H) its sigmoid blocks. ``dxp`` and ``dhp`` (N, G*H) are the gradients of the input
    projection xp and of the recurrent projection h_prev @ W_hh.T + b_hh; both enter (1) as they
    are, so both equal da::

        (8') di, df, do = dq                            # [FGR], else 0
        (7') do += dh * tanh(c);  dc += dh * o * (1 - tanh(c)**2)   [NOAF: dh * c, dh * o]
        (6') da_o = do * o * (1 - o);  dc += da_o * p_o
        (5') di += dc * g;  df += dc * c_prev;  dg = dc * i;  dc_prev = dc * f
        (4') [CIFG] di -= df
             da_i = di * i * (1 - i);  da_f = df * f * (1 - f);  da_g = dg * (1 - g**2) [NIAF: dg]
        (3') dc_prev += da_i * p_i + da_f * p_f
        (2') dq_prev = da_s @ W_gh
        (1') dxp = dhp = da;  dh_prev = da @ W_hh
        outside the loop, summed over t and n as single products:
             dW_hh = da.T @ h_prev;  db_hh = sum da;  dW_gh = da_s.T @ q_prev
             dp_i = sum da_i * c_prev;  dp_f = sum da_f * c_prev;  dp_o = sum da_o * c

    Why it works (5'): ``dc_prev = dc * f``. With f near 1 the error reaching the cell flows back
    unchanged step after step, the "constant error carousel"; the plain RNN's path multiplies by
    ``act' * W_hh`` at every step instead.

    Departures from the papers: the 1997 cell squashed g and c with scaled sigmoids, we use tanh;
    the ablation variants follow Greff et al. (2017), each one change to the peephole cell.
    """

    hidden_size: int
    spec: LSTMSpec = field(default_factory=LSTMSpec)

    name: ClassVar[str] = "lstm"
    variants: ClassVar[tuple[str, ...]] = tuple(PRESETS)
    inits: ClassVar[tuple[str, ...]] = ("pytorch", "orthogonal", "forget1", "hs97", "chrono")
    keep_gate: ClassVar[str | None] = "f"

    @classmethod
    def from_variant(cls, hidden_size: int, variant: str | LSTMSpec) -> LSTMCell:
        return cls(hidden_size, lstm_spec(variant))

    @property
    def gate_names(self) -> tuple[str, ...]:
        return self.spec.computed_gates

    @property
    def sigmoid_gates(self) -> tuple[str, ...]:  # type: ignore[override]
        """The cached sigmoid gates: the computed ones, and f = 1 - i of the coupled cell."""
        return self.spec.sigmoid_gates + (("f",) if self.spec.coupled else ())

    def keep_biases(self, scheme: str) -> dict[str, float]:
        """f keeps c_prev (5); the coupled cell's f = 1 - i = sig(-a_i) takes -v on i; chrono
        also closes the input gate (-v), so the cell holds its content for about e^v steps."""
        gates = self.gate_names
        if scheme == "forget1":
            return {"f": 1.0} if "f" in gates else {"i": -1.0} if self.spec.coupled else {}
        if scheme == "chrono":
            return {name: sign for name, sign in (("f", 1.0), ("i", -1.0)) if name in gates}
        return {}

    @property
    def state_names(self) -> tuple[str, ...]:
        return ("h", "c", "q") if self.spec.gate_recurrence else ("h", "c")

    def state_sizes(self) -> tuple[int, ...]:
        H = self.hidden_size
        sizes = (H, H)
        return (*sizes, len(self.spec.sigmoid_gates) * H) if self.spec.gate_recurrence else sizes

    def param_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        H, G, S = self.hidden_size, len(self.gate_names), len(self.spec.sigmoid_gates)
        shapes = stacked_param_shapes(G, H, input_size)
        if self.spec.peepholes:
            shapes["weight_ch"] = (S * H,)
        if self.spec.gate_recurrence:
            shapes["weight_gh"] = (S * H, S * H)
        return shapes

    def _blocks(self, stacked: Array, names: tuple[str, ...]) -> dict[str, Array]:
        return {k: stacked[..., s] for k, s in gate_slices(names, self.hidden_size).items()}

    def step(self, p: Params, xp: Array, state: State) -> tuple[State, StepCache]:
        spec, sig_names = self.spec, self.spec.sigmoid_gates
        h_prev, c_prev = state[0], state[1]
        a = xp + h_prev @ p["weight_hh"].T + p["bias_hh"]  # (1) (N, G*H)
        if spec.gate_recurrence:
            a = a + self._scatter_sigmoid(state[2] @ p["weight_gh"].T, a.shape)  # (2)
        pre = self._blocks(a, self.gate_names)
        peep = self._blocks(p["weight_ch"], sig_names) if spec.peepholes else {}
        for name in ("i", "f"):
            if name in peep:
                pre[name] = pre[name] + peep[name] * c_prev  # (3)
        one = np.ones_like(c_prev)
        i = sigmoid(pre["i"]) if spec.input_gate else one  # (4)
        f = 1.0 - i if spec.coupled else sigmoid(pre["f"]) if spec.forget_gate else one  # (4)
        g = tanh(pre["g"]) if spec.input_activation else pre["g"]  # (4)
        c = f * c_prev + i * g  # (5)
        if spec.output_gate:
            a_o = pre["o"] + peep["o"] * c if "o" in peep else pre["o"]  # (6)
            o = sigmoid(a_o)  # (6)
        else:
            o = one
        act_c = tanh(c) if spec.output_activation else c  # (7)
        h = o * act_c  # (7)
        cache = {
            "i": i,
            "f": f,
            "g": g,
            "o": o,
            "c": c,
            "act_c": act_c,
            "c_prev": c_prev,
            "h_prev": h_prev,
        }
        new_state: State = (h, c)
        if spec.gate_recurrence:
            gates = {"i": i, "f": f, "o": o}
            q = np.concatenate([gates[name] for name in sig_names], axis=-1)  # (8)
            cache["q_prev"] = state[2]
            new_state = (h, c, q)
        return new_state, cache

    def _scatter_sigmoid(self, sig_stacked: Array, shape: tuple[int, ...]) -> Array:
        """Place an (N, S*H) array of sigmoid-gate terms into the (N, G*H) gate layout."""
        out = np.zeros(shape, dtype=sig_stacked.dtype)
        src = gate_slices(self.spec.sigmoid_gates, self.hidden_size)
        dst = gate_slices(self.gate_names, self.hidden_size)
        for name, s in src.items():
            out[:, dst[name]] = sig_stacked[:, s]
        return out

    def _gather_sigmoid(self, stacked: Array) -> Array:
        """Inverse of `_scatter_sigmoid`: the sigmoid-gate blocks of a (..., G*H) array."""
        blocks = self._blocks(stacked, self.gate_names)
        return np.concatenate([blocks[name] for name in self.spec.sigmoid_gates], axis=-1)

    def step_backward(
        self, p: Params, cache: StepCache, dstate: State
    ) -> tuple[Array, Array, State]:
        spec, sig_names = self.spec, self.spec.sigmoid_gates
        i, f, g, o, c_prev = cache["i"], cache["f"], cache["g"], cache["o"], cache["c_prev"]
        dh, dc = dstate[0], dstate[1]
        zero = np.zeros_like(dh)
        dgate = {"i": zero, "f": zero, "o": zero}
        if spec.gate_recurrence:
            dgate.update(self._blocks(dstate[2], sig_names))  # (8')
        peep = self._blocks(p["weight_ch"], sig_names) if spec.peepholes else {}
        if spec.output_activation:  # (7')
            do = dgate["o"] + dh * cache["act_c"]  # (7')
            dc = dc + dh * o * tanh_grad(cache["act_c"])  # (7')
        else:
            do = dgate["o"] + dh * cache["c"]  # (7')
            dc = dc + dh * o  # (7')
        da = {}
        if spec.output_gate:
            da["o"] = do * sigmoid_grad(o)  # (6')
            if "o" in peep:
                dc = dc + da["o"] * peep["o"]  # (6')
        di = dgate["i"] + dc * g  # (5')
        df = dgate["f"] + dc * c_prev  # (5')
        dg = dc * i  # (5')
        dc_prev = dc * f  # (5')
        if spec.coupled:
            di = di - df  # (4') f = 1 - i
        if spec.input_gate:
            da["i"] = di * sigmoid_grad(i)  # (4')
        if spec.forget_gate and not spec.coupled:
            da["f"] = df * sigmoid_grad(f)  # (4')
        da["g"] = dg * tanh_grad(g) if spec.input_activation else dg  # (4')
        for name in ("i", "f"):
            if name in peep:
                dc_prev = dc_prev + da[name] * peep[name]  # (3')
        da_all = np.concatenate([da[name] for name in self.gate_names], axis=-1)  # (1') (N, G*H)
        dh_prev = da_all @ p["weight_hh"]  # (1')
        dstate_prev: State = (dh_prev, dc_prev)
        if spec.gate_recurrence:
            dstate_prev = (dh_prev, dc_prev, self._gather_sigmoid(da_all) @ p["weight_gh"])  # (2')
        return da_all, da_all, dstate_prev

    def weight_grads(self, p: Params, caches: StepCache, dxp: Array, dhp: Array) -> Params:
        grads = recurrent_grads(caches, dhp)  # (1') outside the loop
        sig_names = self.spec.sigmoid_gates
        if self.spec.peepholes:  # (3') and (6')
            da = self._blocks(dhp, self.gate_names)
            reads = {"i": caches["c_prev"], "f": caches["c_prev"], "o": caches["c"]}
            grads["weight_ch"] = np.concatenate(  # (3') (6')
                [(da[name] * reads[name]).sum(axis=(0, 1)) for name in sig_names]
            )
        if self.spec.gate_recurrence:  # (2')
            da_s = self._gather_sigmoid(dhp)
            q_prev = caches["q_prev"]
            grads["weight_gh"] = da_s.reshape(-1, da_s.shape[-1]).T @ q_prev.reshape(  # (2')
                -1, q_prev.shape[-1]
            )
        return grads

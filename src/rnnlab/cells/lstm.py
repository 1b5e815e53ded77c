"""The LSTM cell: one implementation, every variant a flag of `LSTMSpec`."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import ClassVar

import numpy as np

from ..activations import sigmoid, sigmoid_grad, tanh, tanh_grad
from .base import Array, Params, State, StepCache, gate_slices, recurrent_grads
from .lstm_spec import PRESETS, LSTMSpec, lstm_spec
from .registry import RegisteredCell, register

# The LSTMSpec flags the compiled kernels read (`rnnlab.fast.cfg.config`): a spec with any other
# field runs on the reference path.
KERNEL_FLAGS = frozenset(
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


@register
@dataclass(frozen=True)
class LSTMCell(RegisteredCell):
    """Long short-term memory cell (Hochreiter & Schmidhuber 1997; forget gate Gers et al. 2000).

    Shapes: N batch, D input, H hidden, G number of computed gate blocks (4 for the vanilla cell),
    S number of computed sigmoid gates (i, f, o; 3 for the vanilla cell). Gate order on the G*H
    axis: i, f, g, o as PyTorch, with absent gates left out. ``sig`` is the logistic sigmoid,
    ``*`` element-wise, ``@`` the matrix product.

    Parameters (out x in): ``weight_ih`` (G*H, D), ``weight_hh`` (G*H, H), ``bias_ih`` and
    ``bias_hh`` (G*H,); with peepholes ``weight_ch`` (S*H,) = (p_i, p_f, p_o); with full gate
    recurrence ``weight_gh`` (S*H, S*H). State: ``(h, c)``, and ``q`` (N, S*H), the previous
    sigmoid gate activations, with full gate recurrence.

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

    Backward (dh, dc, dq hold the gradient from step t+1, dh also that of the output)::

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

    def kernel_supports(self) -> bool:
        return {f.name for f in fields(self.spec)} <= KERNEL_FLAGS

    @property
    def state_names(self) -> tuple[str, ...]:
        return ("h", "c", "q") if self.spec.gate_recurrence else ("h", "c")

    def state_sizes(self) -> tuple[int, ...]:
        H = self.hidden_size
        sizes = (H, H)
        return (*sizes, len(self.spec.sigmoid_gates) * H) if self.spec.gate_recurrence else sizes

    def param_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        H, G, S = self.hidden_size, len(self.gate_names), len(self.spec.sigmoid_gates)
        shapes = {
            "weight_ih": (G * H, input_size),
            "weight_hh": (G * H, H),
            "bias_ih": (G * H,),
            "bias_hh": (G * H,),
        }
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
        f = 1.0 - i if spec.coupled else sigmoid(pre["f"]) if spec.forget_gate else one
        g = tanh(pre["g"]) if spec.input_activation else pre["g"]
        c = f * c_prev + i * g  # (5)
        if spec.output_gate:
            a_o = pre["o"] + peep["o"] * c if "o" in peep else pre["o"]  # (6)
            o = sigmoid(a_o)
        else:
            o = one
        act_c = tanh(c) if spec.output_activation else c
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
            do = dgate["o"] + dh * cache["act_c"]
            dc = dc + dh * o * tanh_grad(cache["act_c"])
        else:
            do = dgate["o"] + dh * cache["c"]
            dc = dc + dh * o
        da = {}
        if spec.output_gate:
            da["o"] = do * sigmoid_grad(o)  # (6')
            if "o" in peep:
                dc = dc + da["o"] * peep["o"]
        di = dgate["i"] + dc * g  # (5')
        df = dgate["f"] + dc * c_prev
        dg = dc * i
        dc_prev = dc * f
        if spec.coupled:
            di = di - df  # (4') f = 1 - i
        if spec.input_gate:
            da["i"] = di * sigmoid_grad(i)  # (4')
        if spec.forget_gate and not spec.coupled:
            da["f"] = df * sigmoid_grad(f)
        da["g"] = dg * tanh_grad(g) if spec.input_activation else dg
        for name in ("i", "f"):
            if name in peep:
                dc_prev = dc_prev + da[name] * peep[name]  # (3')
        da_all = np.concatenate([da[name] for name in self.gate_names], axis=-1)  # (N, G*H)
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
            grads["weight_ch"] = np.concatenate(
                [(da[name] * reads[name]).sum(axis=(0, 1)) for name in sig_names]
            )
        if self.spec.gate_recurrence:  # (2')
            da_s = self._gather_sigmoid(dhp)
            q_prev = caches["q_prev"]
            grads["weight_gh"] = da_s.reshape(-1, da_s.shape[-1]).T @ q_prev.reshape(
                -1, q_prev.shape[-1]
            )
        return grads

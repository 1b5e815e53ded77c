"""Attention over an encoder's outputs: dot, general (Luong et al. 2015) and additive (Bahdanau
et al. 2015) scores, a softmax masked over source padding, and Luong's attentional output.

Shapes: N batch, S source steps, K memory width (the encoder's output, directions * H_enc),
H decoder hidden, A additive-attention width. ``M`` (N, S, K) is the memory, ``valid`` (N, S)
marks its real (unpadded) steps, ``h`` (N, H) the decoder's top hidden state at step t, the
query. ``@`` is the matrix product, ``*`` element-wise, ``.`` a dot product over the last axis.

Parameters (out x in, as ``nn.Linear``): ``general`` W_a (H, K); ``additive`` W_q (A, H),
U (A, K), v (A,); every kind W_c (H, K + H), the attentional output's combination.

Forward::

    (1) keys   dot: P = M;  general: P = M @ W_a.T;  additive: P = M @ U.T    # once per batch
    (2) scores dot, general: e_s = P_s . h
               additive:     z_s = tanh(P_s + h @ W_q.T);  e_s = z_s . v
    (3) alpha = softmax over s of e, with e_s = -inf where not valid[s]      # (N, S)
    (4) c = sum_s alpha_s * M_s                                              # context (N, K)
    (5) ht = tanh([c; h] @ W_c.T)                                            # (N, H)

Backward at each step (dht is dL/d ht), then the sums over the steps t (marked sum_t), each
formed once after the decoder's loop as one (batched) product, and (1')::

    (5') da = dht * (1 - ht**2);  [dc; dh] = da @ W_c;  dW_c = sum_t da.T @ [c; h]
    (4') dalpha_s = dc . M_s;  dM_s = sum_t alpha_s * dc
    (3') de = alpha * (dalpha - sum_s alpha_s * dalpha_s)         # 0 at padding: alpha is 0
    (2') dot, general: dh += sum_s de_s * P_s;  dP_s = sum_t de_s * h
         additive: dz_s = de_s * v * (1 - z_s**2);  dq = sum_s dz_s;  dh += dq @ W_q
                   dv = sum_t sum_{n,s} de_s * z_s;  dW_q = sum_t dq.T @ h;  dP = sum_t dz
    (1') dot: dM += dP;  general: dW_a = sum_{n,s} dP_s.T M_s, dM += dP @ W_a
         additive: dU = sum_{n,s} dP_s.T M_s, dM += dP @ U

The additive score is Bahdanau's ``v . tanh(W q + U m)`` read, as Luong's "concat" score, with
the current decoder state as the query; the attentional output (5) then feeds the readout and,
by input feeding, the next decoder step for every kind. Bahdanau's own decoder queried with the
previous state and fed c into its gates instead; both are attention with an additive score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..activations import tanh, tanh_grad

Array = np.ndarray
Params = dict[str, Array]

KINDS = ("dot", "general", "additive")
ALIASES = {"luong": "general", "bahdanau": "additive"}


def resolve_kind(name: str | None) -> str | None:
    """``none`` -> None; ``luong`` -> general, ``bahdanau`` -> additive; else one of KINDS."""
    if name is None or str(name).lower() in ("none", ""):
        return None
    kind = ALIASES.get(str(name).lower(), str(name).lower())
    if kind not in KINDS:
        choices = ", ".join((*KINDS, *ALIASES, "none"))
        raise ValueError(f"attention: expected one of {choices}, got {name!r}")
    return kind


def param_shapes(kind: str, memory: int, hidden: int, width: int) -> dict[str, tuple[int, ...]]:
    """The attention parameters of ``kind`` by name (without the ``attn.`` prefix)."""
    if kind == "dot" and memory != hidden:
        raise ValueError(
            f"attention: 'dot' needs the decoder width ({hidden}) equal to the encoder's output "
            f"width ({memory}); use 'general' or 'additive'"
        )
    shapes: dict[str, tuple[int, ...]] = {"combine": (hidden, memory + hidden)}
    if kind == "general":
        shapes["weight"] = (hidden, memory)
    elif kind == "additive":
        shapes.update(query=(width, hidden), key=(width, memory), v=(width,))
    return shapes


@dataclass
class Memory:
    """The encoder outputs as the attention reads them: (1)'s keys and the padding mask."""

    M: Array  # (N, S, K)
    keys: Array  # P: (N, S, H) dot/general, (N, S, A) additive
    valid: Array  # (N, S) bool


def prepare(kind: str, p: Params, M: Array, valid: Array) -> Memory:
    """(1): the keys of the memory, once per batch."""
    if kind == "dot":
        keys = M  # (1)
    else:
        W = p["weight"] if kind == "general" else p["key"]
        N, S, K = M.shape
        keys = (M.reshape(-1, K) @ W.T).reshape(N, S, -1)  # (1)
    return Memory(M, keys, valid)


def _masked_softmax(e: Array, valid: Array) -> Array:
    e = np.where(valid, e, -np.inf)  # (3)
    e = e - e.max(axis=1, keepdims=True)
    w = np.exp(e)
    return w / w.sum(axis=1, keepdims=True)


def step(kind: str, p: Params, mem: Memory, h: Array) -> tuple[Array, dict[str, Array]]:
    """(2)-(5) for one decoder step: the attentional output ``ht`` (N, H) and the step cache."""
    cache = {"h": h}
    if kind == "additive":
        q = h @ p["query"].T  # (2) (N, A)
        z = tanh(mem.keys + q[:, None, :])  # (2) (N, S, A); recomputed in backward, not kept
        e = z @ p["v"]
        cache["q"] = q
    else:
        e = (mem.keys @ h[:, :, None])[:, :, 0]  # (2) (N, S)
    alpha = _masked_softmax(e, mem.valid)  # (3)
    c = (alpha[:, None, :] @ mem.M)[:, 0, :]  # (4) (N, K)
    ch = np.concatenate([c, h], axis=1)
    ht = tanh(ch @ p["combine"].T)  # (5)
    cache.update(alpha=alpha, ch=ch, ht=ht)
    return ht, cache


@dataclass
class Backward:
    """The per-step quantities of (5')-(2') whose sums over t are formed after the loop, as one
    batched product each instead of T broadcasts of (N, S, K): da and dc of every step, de
    (dot, general) or dq (additive), and the additive score's dP and dv, summed in place."""

    da: list[Array] = field(default_factory=list)
    dc: list[Array] = field(default_factory=list)
    de: list[Array] = field(default_factory=list)
    dq: list[Array] = field(default_factory=list)
    dkeys: Array | None = None
    dv: Array | None = None


def step_backward(
    kind: str, p: Params, mem: Memory, cache: dict[str, Array], dht: Array, acc: Backward
) -> Array:
    """(5')-(2') for one step: returns dh and records into ``acc`` what `finish_backward` sums."""
    K = mem.M.shape[2]
    da = dht * tanh_grad(cache["ht"])  # (5')
    dch = da @ p["combine"]
    dc, dh = dch[:, :K], dch[:, K:]
    alpha = cache["alpha"]
    dalpha = (mem.M @ dc[:, :, None])[:, :, 0]  # (4')
    de = alpha * (dalpha - (alpha * dalpha).sum(axis=1, keepdims=True))  # (3')
    acc.da.append(da)
    acc.dc.append(dc)
    if kind == "additive":
        z = tanh(mem.keys + cache["q"][:, None, :])  # (2) again
        dv = np.einsum("ns,nsa->a", de, z)  # (2')
        dz = de[:, :, None] * p["v"] * tanh_grad(z)
        acc.dkeys = dz if acc.dkeys is None else acc.dkeys + dz
        acc.dv = dv if acc.dv is None else acc.dv + dv
        dq = dz.sum(axis=1)
        acc.dq.append(dq)
        return dh + dq @ p["query"]
    acc.de.append(de)
    return dh + (de[:, None, :] @ mem.keys)[:, 0, :]  # (2')


def _over_steps(per_step: list[Array]) -> Array:
    """Steps recorded in reverse, as (N, T, ...) in time order."""
    return np.stack(per_step[::-1], axis=1)


def finish_backward(
    kind: str, p: Params, mem: Memory, caches: list[dict[str, Array]], acc: Backward
) -> tuple[Params, Array]:
    """The sums over t of (5')-(2') and (1'): the parameters' gradients and dM (N, S, K)."""
    N, S, K = mem.M.shape
    alpha = np.stack([c["alpha"] for c in caches], axis=2)  # (N, S, T)
    h = np.stack([c["h"] for c in caches], axis=1)  # (N, T, H)
    ch = np.stack([c["ch"] for c in caches], axis=1)
    da = _over_steps(acc.da)
    grads = {"combine": da.reshape(-1, da.shape[2]).T @ ch.reshape(-1, ch.shape[2])}  # (5')
    dM = alpha @ _over_steps(acc.dc)  # (4') dM_s = sum_t alpha_s dc
    if kind == "additive":
        dq = _over_steps(acc.dq)
        grads["query"] = dq.reshape(-1, dq.shape[2]).T @ h.reshape(-1, h.shape[2])  # (2')
        grads["v"] = acc.dv
        dkeys = acc.dkeys
    else:
        de = np.stack(acc.de[::-1], axis=2)  # (N, S, T)
        dkeys = de @ h  # (2') dP_s = sum_t de_s h
    if kind == "dot":
        return grads, dM + dkeys  # (1')
    name = "weight" if kind == "general" else "key"
    flat = dkeys.reshape(-1, dkeys.shape[2])
    grads[name] = flat.T @ mem.M.reshape(-1, K)  # (1')
    return grads, dM + (flat @ p[name]).reshape(N, S, K)

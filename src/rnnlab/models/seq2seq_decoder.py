"""The encoder-decoder's decoder: one step written once, its loop, and the loop's backward.

With input feeding, step t's input holds step t-1's attentional output, so the decoder cannot be
one layer call over all T steps; `step` runs every layer's cell once (the cells' own pure
``step``, the same code `rnnlab.bptt` drives) and the attention, and teacher forcing, greedy and
beam decoding all call it. Shapes: N batch, T target steps, E embedding, H decoder hidden,
G*H a layer's gate width, L layers; ``xe`` (N, G*H) is layer 0's input projection of the
step's embedded token, ``e @ W_e.T + b_ih`` (W_ih = [W_e, W_f] split by columns).

Forward at step t (layer l's cell C_l with parameters p_l; attention as `models.attention`)::

    (1) xp_0 = xe_t + ht_{t-1} @ W_f.T              # input feeding (attention only); ht_0 = 0
    (2) s_l, h_l = C_l.step(p_l, xp_l, s_l)          # state s_l from step t-1, output h_l
    (3) xp_{l+1} = (h_l * m_l) @ W_ih_{l+1}.T + b_ih_{l+1}   # the next layer's input projection
    (4) ht_t = attend(h_{L-1}) with attention, else ht_t = h_{L-1}   # what the readout reads

m_l (N, H) is dropout between layers l and l+1 (`rnnlab.dropout.dropout_mask`, the stacked
layers' own): drawn afresh at every step in teacher-forced training when the model's dropout
p > 0 (entries 0 or 1/(1-p)); m_l = 1 otherwise, and always in greedy and beam decoding.

Backward at step t, from t = T-1 down (dht from the readout, dfeed from step t+1's (1'))::

    (4') dh_{L-1} = attend.backward(dht_t + dfeed)  [without attention: dht_t]
    (3') dh_l += (dxp_{l+1} @ W_ih_{l+1}) * m_l     # from the layer above
    (2') dxp_l, dhp_l, ds_l = C_l.step_backward(p_l, cache_l, (ds_l[0] + dh_l, ds_l[1:]))
    (1') dfeed = dxp_0 @ W_f;  dxe_t = dxp_0
    after the loop, over all t at once: the cells' weight_grads (W_hh, b_hh, ...),
    dW_ih_l = dxp_l.T @ input_l,  db_ih_l = sum dxp_l,  and ds_l is the initial state's gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..cells.base import Array, Params, State, StepCache
from ..layers import RecurrentLayer
from . import attention


@dataclass
class Decoder:
    """The decoder's parts: its layer (unidirectional; parameters as PyTorch's ``nn.LSTM``),
    the attention kind (None without attention), its parameters and the embedding width."""

    layer: RecurrentLayer
    kind: str | None
    attn: Params  # attention parameters by local name (views into the model's dict)
    embed: int

    def feed_weight(self) -> Array:
        """W_f: the columns of layer 0's W_ih that read the fed-back ht (G*H, H), as a
        contiguous copy (a column slice would be copied again by every product)."""
        return np.ascontiguousarray(self.layer.params["weight_ih_l0"][:, self.embed :])

    def embed_weight(self) -> Array:
        """W_e: the columns of layer 0's W_ih that read the embedded token (G*H, E)."""
        return self.layer.params["weight_ih_l0"][:, : self.embed]

    def project_tokens(self, emb: Array) -> Array:
        """xe = emb @ W_e.T + b_ih of layer 0, for (..., E) embeddings: (..., G*H)."""
        W = self.embed_weight()
        flat = emb.reshape(-1, emb.shape[-1]) @ W.T + self.layer.params["bias_ih_l0"]
        return flat.reshape(*emb.shape[:-1], W.shape[0])


def step(
    dec: Decoder,
    mem: attention.Memory | None,
    xe: Array,
    states: list[State],
    feed: Array | None,
    wf: Array | None,
    drop: list[Array] | None = None,
) -> tuple[Array, list[State], list[StepCache], dict[str, Array] | None, list[Array]]:
    """(1)-(4) for one step: (ht, new states, cell caches, attention cache, layer inputs).
    ``wf`` is `Decoder.feed_weight` (taken once per sequence, not per step); ``drop`` the
    step's masks m_l, one per pair of stacked layers (None: no dropout)."""
    layer, cell = dec.layer, dec.layer.cell
    xp = xe if feed is None else xe + feed @ wf.T  # (1)
    inp = feed if feed is not None else xe[:, :0]  # what W_f read (nothing without feeding)
    new_states, caches, inputs = [], [], [inp]
    for index in range(layer.num_layers):
        p = layer.layer_params(index, 0)
        state, cache = cell.step(p, xp, states[index])  # (2)
        new_states.append(state)
        caches.append(cache)
        if index + 1 < layer.num_layers:
            p_next = layer.layer_params(index + 1, 0)
            h_in = state[0] if drop is None else state[0] * drop[index]  # (3)
            inputs.append(h_in)
            xp = h_in @ p_next["weight_ih"].T + p_next["bias_ih"]  # (3)
    h = new_states[-1][0]
    if dec.kind is None:
        return h, new_states, caches, None, inputs  # (4)
    ht, att_cache = attention.step(dec.kind, dec.attn, mem, h)  # (4)
    return ht, new_states, caches, att_cache, inputs


@dataclass
class DecoderCache:
    """What `run` keeps for `backward`: per layer the stacked cell caches and inputs."""

    steps: list[StepCache]  # per layer: name -> (T, N, ...)
    inputs: list[Array]  # per layer: (T, N, D); layer 0: the fed-back ht_{t-1} (attention only)
    attn: list[dict[str, Array]]  # per step (attention only)
    emb: Array  # (T, N, E) embedded decoder inputs
    drops: Array | None = None  # (L-1, T, N, H) dropout masks m_l of (3); None: no dropout


def run(
    dec: Decoder,
    mem: attention.Memory | None,
    emb: Array,
    states: list[State],
    drops: Array | None = None,
) -> tuple[Array, DecoderCache]:
    """Teacher forcing over ``emb`` (T, N, E): the readout's inputs ht (T, N, H) and the cache.
    ``drops`` (L-1, T, N, H): the dropout masks m_l of (3) (None: no dropout)."""
    T, N = emb.shape[:2]
    xe = dec.project_tokens(emb)  # layer 0's token projection, all steps in one product
    H = dec.layer.hidden_size
    feed = None if dec.kind is None else np.zeros((N, H), emb.dtype)
    outs = np.empty((T, N, H), emb.dtype)
    per_step: list[tuple[list[StepCache], list[Array]]] = []
    att_caches = []
    wf = None if feed is None else dec.feed_weight()
    for t in range(T):
        drop = None if drops is None else list(drops[:, t])
        ht, states, caches, att_cache, inputs = step(dec, mem, xe[t], states, feed, wf, drop)
        outs[t] = ht
        per_step.append((caches, inputs))
        if att_cache is not None:
            att_caches.append(att_cache)
            feed = ht
    L = dec.layer.num_layers
    stacked = [
        {k: np.stack([s[0][index][k] for s in per_step]) for k in per_step[0][0][index]}
        for index in range(L)
    ]
    inputs = [np.stack([s[1][index] for s in per_step]) for index in range(L)]
    return outs, DecoderCache(stacked, inputs, att_caches, emb, drops)


def backward(
    dec: Decoder, mem: attention.Memory | None, cache: DecoderCache, dht: Array, grads: Params
) -> tuple[Array, list[State], Array | None]:
    """(4')-(1') over all steps, given dht (T, N, H). Adds the decoder's and the attention's
    parameter gradients into ``grads`` (keys ``decoder.*`` and ``attn.*``); returns the
    gradient of the embedded inputs (T, N, E), of the initial states, and of the memory M."""
    layer, cell = dec.layer, dec.layer.cell
    T, N = dht.shape[:2]
    L = layer.num_layers
    params = [layer.layer_params(index, 0) for index in range(L)]
    dstates = [tuple(np.zeros((N, size), dht.dtype) for size in cell.state_sizes())] * L
    dxp = [np.empty((T, N, p["weight_hh"].shape[0]), dht.dtype) for p in params]
    dhp = [np.empty_like(a) for a in dxp]
    acc = attention.Backward()
    dfeed = np.zeros((N, layer.hidden_size), dht.dtype)
    wf = None if dec.kind is None else dec.feed_weight()
    for t in range(T - 1, -1, -1):
        if dec.kind is None:
            dh = dht[t]  # (4')
        else:
            dh = attention.step_backward(
                dec.kind, dec.attn, mem, cache.attn[t], dht[t] + dfeed, acc
            )  # (4')
        for index in range(L - 1, -1, -1):
            ds = dstates[index]
            step_cache = {k: v[t] for k, v in cache.steps[index].items()}
            dxp_t, dhp_t, dstates[index] = cell.step_backward(
                params[index], step_cache, (ds[0] + dh, *ds[1:])
            )  # (2')
            dxp[index][t], dhp[index][t] = dxp_t, dhp_t
            if index > 0:
                dh = dxp_t @ params[index]["weight_ih"]  # (3')
                if cache.drops is not None:
                    dh = dh * cache.drops[index - 1, t]  # (3')
        if dec.kind is not None:
            dfeed = dxp[0][t] @ wf  # (1')
    dM = None
    if mem is not None:
        agrads, dM = attention.finish_backward(dec.kind, dec.attn, mem, cache.attn, acc)
        grads.update({f"attn.{k}": v for k, v in agrads.items()})
    _weight_grads(dec, cache, params, dxp, dhp, grads)
    demb = (dxp[0].reshape(T * N, -1) @ dec.embed_weight()).reshape(T, N, -1)  # (1')
    return demb, dstates, dM


def _weight_grads(
    dec: Decoder, cache: DecoderCache, params: list[Params], dxp: list[Array],
    dhp: list[Array], grads: Params,
) -> None:  # fmt: skip
    """After the loop (1')-(3'): every layer's weights as single products over (t, n)."""
    layer = dec.layer
    for index, p in enumerate(params):
        local = layer.cell.weight_grads(p, cache.steps[index], dxp[index], dhp[index])
        flat = dxp[index].reshape(-1, dxp[index].shape[-1])
        local["bias_ih"] = flat.sum(axis=0)
        inp = cache.inputs[index]
        if index == 0:  # [emb; ht_prev] read by [W_e, W_f]
            emb = cache.emb.reshape(-1, cache.emb.shape[-1])
            parts = [emb] if dec.kind is None else [emb, inp.reshape(-1, inp.shape[-1])]
            local["weight_ih"] = flat.T @ np.concatenate(parts, axis=1)
        else:
            local["weight_ih"] = flat.T @ inp.reshape(-1, inp.shape[-1])
        for name, value in local.items():
            grads[f"decoder.{layer.param_name(name, index, 0)}"] = value

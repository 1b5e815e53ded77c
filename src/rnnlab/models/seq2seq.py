"""An encoder-decoder (Sutskever et al. 2014) with optional attention (Luong et al. 2015;
Bahdanau et al. 2015) and input feeding, with a hand-derived backward pass.

Shapes: N batch, S source steps, T target steps, E embedding width, H_e encoder hidden per
direction, D directions (1 or 2), K = D * H_e the memory width, H decoder hidden, L layers (the
same in both stacks), V_s and V_t the vocabularies; token 0 is padding on both sides. Every
recurrent part is an rnnlab layer (``encoder.*``, ``decoder.*`` named as PyTorch's ``nn.LSTM``);
the decoder runs step by step (`rnnlab.models.seq2seq_decoder`), the attention is
`rnnlab.models.attention`.

Forward (teacher forcing: the decoder reads ``tgt_in`` = BOS + the target without its end)::

    (1) x = E_s[src]                                      # (N, S, E)
    (2) M, s_fin = encoder(x, src_lengths)                # M (N, S, K): zero at padding
                                                          # (dropout p between its layers)
    (3) s0_l = [s_fin(l, fwd); s_fin(l, bwd)]             # each state entry (h, c), (N, K)
        s0_l = s0_l @ W_b.T + b_b   where K != H (the bridge: one per layer and state entry)
    (4) e = E_t[tgt_in]                                   # (T, N, E)
    (5) ht = decoder(e, s0, M)                            # (T, N, H), attention over M
    (6) z = (ht * m) @ W_o.T + b_o                        # logits (N, T, V_t)
    (7) loss = softmax_ce(z, tgt_out, tgt_out != 0)       # mean over real target steps

Dropout (``dropout`` p, default 0: none) is inverted dropout at training only, the mask drawn
from the ``rng`` given to `forward` (`rnnlab.dropout.dropout_mask`, the stacked layers' own):
between the encoder's layers in (2) (the layer's own dropout), between the decoder's layers
(decoder eq. (3)), and m (T, N, H) before the readout in (6), entries 0 or 1/(1-p); the ht fed
back to the next step is not dropped. Without an ``rng`` (`loss`, greedy and beam decoding,
scoring) or with p = 0, m = 1 and nothing is drawn.

Backward::

    (7') dz = (softmax(z) - onehot(tgt_out)) / n at real steps, 0 at padding
    (6') dW_o = sum dz.T @ (ht * m);  db_o = sum dz;  dht = (dz @ W_o) * m
    (5') de, ds0, dM = decoder.backward(dht)
    (4') dE_t[v] = sum of de over the steps that read token v
    (3') dW_b = ds0.T @ s0_cat;  db_b = sum ds0;  ds0_cat = ds0 @ W_b   [bridge only]
         ds_fin(l, fwd), ds_fin(l, bwd) = the halves of ds0_cat
    (2') dx = encoder.backward(dM, ds_fin)
    (1') dE_s[v] = sum of dx over the steps that read token v
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..cells.base import Array, Params, State
from ..dropout import dropout_mask
from ..layer_base import LayerCache
from ..losses import softmax_cross_entropy
from ..validation import check_probability
from . import attention
from . import seq2seq_decoder as decoder
from .sequence import copy_params
from .spec import build_layer


@dataclass(frozen=True)
class Seq2SeqSpec:
    """The sizes and options of an encoder-decoder (see the module docstring for the names)."""

    src_vocab: int
    tgt_vocab: int
    embed: int = 64
    hidden: int = 128  # H_e, per direction
    decoder_hidden: int | None = None  # H; default: hidden
    num_layers: int = 1
    bidirectional: bool = True
    attention: str | None = "general"  # dot, general, additive (luong, bahdanau) or None
    attention_width: int | None = None  # A of the additive score; default: H
    cell: str = "lstm"
    dtype: str = "float64"
    dropout: float = 0.0  # p of every dropout (module docstring); 0: none

    def __post_init__(self) -> None:
        check_probability(self.dropout, "dropout")

    @property
    def dec_hidden(self) -> int:
        return self.decoder_hidden or self.hidden

    @property
    def memory(self) -> int:
        return (2 if self.bidirectional else 1) * self.hidden


@dataclass
class Seq2SeqCache:
    """What `Seq2Seq.forward` keeps for `backward`."""

    src: Array
    tgt_in: Array
    enc: LayerCache
    s0_cat: list[tuple[Array, ...]]  # per layer, per state entry: (N, K) before the bridge
    mem: attention.Memory | None
    dec: decoder.DecoderCache
    ht: Array  # (T, N, H) what the readout read: ht * m of (6)
    memory_shape: tuple[int, ...]
    drop: Array | None = None  # (T, N, H) the readout's dropout mask m; None: no dropout


def _uniform(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, dtype) -> Array:
    bound = 1.0 / np.sqrt(fan_in)  # nn.Linear's default
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


class Seq2Seq:
    """Encoder-decoder with parameters in one flat dict (`params`); see the module docstring."""

    def __init__(self, spec: Seq2SeqSpec, rng: np.random.Generator) -> None:
        self.spec = s = spec
        self.kind = attention.resolve_kind(s.attention)
        H, K, L = s.dec_hidden, s.memory, s.num_layers
        seeds = rng.integers(0, 2**31, size=2)
        self.encoder = build_layer(
            s.cell, s.embed, s.hidden, L, s.bidirectional, s.dropout, dtype=s.dtype
        )
        self.encoder.params.update(_redraw(self.encoder.params, int(seeds[0]), s.hidden))
        feed = H if self.kind is not None else 0
        dec_layer = build_layer(s.cell, s.embed + feed, H, L, False, dtype=s.dtype)
        dec_layer.params.update(_redraw(dec_layer.params, int(seeds[1]), H))
        self.params: Params = {f"encoder.{k}": v for k, v in self.encoder.params.items()}
        self.params.update({f"decoder.{k}": v for k, v in dec_layer.params.items()})
        self.params["src_embed"] = rng.standard_normal((s.src_vocab, s.embed)).astype(s.dtype)
        self.params["tgt_embed"] = rng.standard_normal((s.tgt_vocab, s.embed)).astype(s.dtype)
        self.bridged = K != H
        if self.bridged:
            for index in range(L):
                for name in dec_layer.cell.state_names:
                    key = f"bridge.{name}_l{index}"
                    self.params[f"{key}.weight"] = _uniform(rng, (H, K), K, s.dtype)
                    self.params[f"{key}.bias"] = _uniform(rng, (H,), K, s.dtype)
        if self.kind is not None:
            width = s.attention_width or H
            for name, shape in attention.param_shapes(self.kind, K, H, width).items():
                fan_in = shape[-1] if len(shape) > 1 else width
                self.params[f"attn.{name}"] = _uniform(rng, shape, fan_in, s.dtype)
        self.params["readout.weight"] = _uniform(rng, (s.tgt_vocab, H), H, s.dtype)
        self.params["readout.bias"] = _uniform(rng, (s.tgt_vocab,), H, s.dtype)
        attn = {k[5:]: v for k, v in self.params.items() if k.startswith("attn.")}
        self.decoder = decoder.Decoder(dec_layer, self.kind, attn, s.embed)

    @property
    def num_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def load_params(self, values: dict[str, Array]) -> None:
        """Copy ``values`` into the parameter arrays in place (names and shapes must match)."""
        copy_params(self.params, values)

    # -- forward -------------------------------------------------------------------------------

    def encode(
        self,
        src: Array,
        src_lengths: Array,
        need_cache: bool = True,
        rng: np.random.Generator | None = None,
    ) -> tuple[attention.Memory | None, list[State], LayerCache | None, Any]:
        """(1)-(3): the attention's memory, the decoder's initial states, the encoder cache
        (None without ``need_cache``) and what the bridge's backward needs; ``rng`` draws the
        encoder's dropout masks (None: no dropout)."""
        src = np.asarray(src)
        x = self.params["src_embed"][src]  # (1)
        self.encoder.train(rng is not None)  # its dropout acts in training only
        y, final, enc_cache = self.encoder.forward(
            x, None, src_lengths, rng=rng, need_cache=need_cache
        )  # (2)
        parts = final if isinstance(final, tuple) else (final,)
        D, L = self.encoder.directions, self.spec.num_layers
        s0_cat, states = [], []
        for index in range(L):
            rows = range(index * D, (index + 1) * D)
            cat = tuple(np.concatenate([part[r] for r in rows], axis=1) for part in parts)  # (3)
            s0_cat.append(cat)
            states.append(tuple(self._bridge(index, k, value) for k, value in enumerate(cat)))
        mem = None
        if self.kind is not None:
            valid = np.arange(src.shape[1])[None, :] < np.asarray(src_lengths)[:, None]
            attn = self.decoder.attn
            mem = attention.prepare(self.kind, attn, np.ascontiguousarray(y), valid)
        return mem, states, enc_cache, (s0_cat, y.shape)

    def _bridge(self, index: int, entry: int, value: Array) -> Array:
        if not self.bridged:
            return value
        key = f"bridge.{self.decoder.layer.cell.state_names[entry]}_l{index}"
        return value @ self.params[f"{key}.weight"].T + self.params[f"{key}.bias"]  # (3)

    def forward(
        self, src: Array, src_lengths: Array, tgt_in: Array, rng: np.random.Generator | None = None
    ) -> tuple[Array, Seq2SeqCache]:
        """Logits (N, T, V_t) under teacher forcing, and the cache for `backward`; ``rng``
        draws the dropout masks (training; None: no dropout)."""
        rng = rng if self.spec.dropout > 0 else None  # p = 0 draws nothing from rng
        mem, states, enc_cache, (s0_cat, memory_shape) = self.encode(src, src_lengths, rng=rng)
        tgt_in = np.asarray(tgt_in)
        emb = self.params["tgt_embed"][tgt_in.T]  # (4) (T, N, E)
        L, H = self.spec.num_layers, self.spec.dec_hidden
        drops = None if rng is None or L == 1 else self._mask((L - 1, *emb.shape[:2], H), rng)
        ht, dec_cache = decoder.run(self.decoder, mem, emb, states, drops)  # (5)
        drop = None if rng is None else self._mask(ht.shape, rng)
        ht = ht if drop is None else ht * drop  # (6)
        logits = self.readout(ht)  # (6)
        cache = Seq2SeqCache(
            src, tgt_in, enc_cache, s0_cat, mem, dec_cache, ht, memory_shape, drop
        )
        return logits.transpose(1, 0, 2), cache

    def _mask(self, shape: tuple[int, ...], rng: np.random.Generator) -> Array:
        return dropout_mask(shape, self.spec.dropout, rng, self.params["readout.bias"].dtype)

    def readout(self, ht: Array) -> Array:
        """(6) z = ht @ W_o.T + b_o over the last axis."""
        return ht @ self.params["readout.weight"].T + self.params["readout.bias"]

    # -- backward ------------------------------------------------------------------------------

    def backward(self, dlogits: Array, cache: Seq2SeqCache) -> Params:
        """Gradients of every parameter (named as `params`) given dL/d logits (N, T, V_t)."""
        dz = np.ascontiguousarray(dlogits.transpose(1, 0, 2))  # (T, N, V)
        flat_dz, ht = dz.reshape(-1, dz.shape[2]), cache.ht
        grads: Params = {
            "readout.weight": flat_dz.T @ ht.reshape(-1, ht.shape[2]),  # (6')
            "readout.bias": flat_dz.sum(axis=0),
        }
        dht = dz @ self.params["readout.weight"]  # (6')
        if cache.drop is not None:
            dht = dht * cache.drop  # (6')
        demb, ds0, dM = decoder.backward(self.decoder, cache.mem, cache.dec, dht, grads)  # (5')
        grads["tgt_embed"] = _scatter_rows(self.params["tgt_embed"], cache.tgt_in.T, demb)  # (4')
        dfinal = self._bridge_backward(ds0, cache.s0_cat, grads)  # (3')
        dy = np.zeros(cache.memory_shape, dz.dtype) if dM is None else dM
        dx, _, enc_grads = self.encoder.backward(dy, cache.enc, dfinal)  # (2')
        grads.update({f"encoder.{k}": v for k, v in enc_grads.items()})
        grads["src_embed"] = _scatter_rows(self.params["src_embed"], cache.src, dx)  # (1')
        return {name: grads[name] for name in self.params}

    def _bridge_backward(
        self, ds0: list[State], s0_cat: list[tuple[Array, ...]], grads: Params
    ) -> Any:
        """(3'): the bridge's gradients, and the encoder's final-state gradient (public form)."""
        D, H_e = self.encoder.directions, self.spec.hidden
        names = self.decoder.layer.cell.state_names
        per_entry: list[list[Array]] = [[] for _ in names]
        for index, (d_layer, cat_layer) in enumerate(zip(ds0, s0_cat, strict=True)):
            for entry, (d, cat) in enumerate(zip(d_layer, cat_layer, strict=True)):
                if self.bridged:
                    key = f"bridge.{names[entry]}_l{index}"
                    grads[f"{key}.weight"] = d.T @ cat  # (3')
                    grads[f"{key}.bias"] = d.sum(axis=0)
                    d = d @ self.params[f"{key}.weight"]
                per_entry[entry].extend(d[:, k * H_e : (k + 1) * H_e] for k in range(D))
        parts = tuple(np.stack(rows) for rows in per_entry)  # (L*D, N, H_e) each
        return parts if len(parts) > 1 else parts[0]

    # -- loss ------------------------------------------------------------------------------------

    def loss(self, src: Array, src_lengths: Array, tgt_in: Array, tgt_out: Array) -> float:
        """(7) without the backward pass: the mean cross-entropy per real target step."""
        logits, _ = self.forward(src, src_lengths, tgt_in)
        return softmax_cross_entropy(logits, tgt_out, np.asarray(tgt_out) != 0)[0]

    def loss_and_grads(
        self, src: Array, src_lengths: Array, tgt_in: Array, tgt_out: Array,
        rng: np.random.Generator | None = None,
    ) -> tuple[float, Params, Array]:  # fmt: skip
        """(7) and its gradient: (mean cross-entropy per real target step, grads, logits);
        ``rng`` draws the dropout masks (training; None: no dropout)."""
        logits, cache = self.forward(src, src_lengths, tgt_in, rng)
        value, dlogits = softmax_cross_entropy(logits, tgt_out, np.asarray(tgt_out) != 0)
        return value, self.backward(dlogits, cache), logits

    def __repr__(self) -> str:
        s = self.spec
        return (
            f"Seq2Seq({s.cell}, embed={s.embed}, hidden={s.hidden}, decoder_hidden="
            f"{s.dec_hidden}, layers={s.num_layers}, bidirectional={s.bidirectional}, "
            f"attention={self.kind}, dropout={s.dropout}, params={self.num_params})"
        )


def _redraw(params: Params, seed: int, hidden: int) -> Params:
    """The layer's parameters redrawn from PyTorch's U(+-1/sqrt(H)) with the model's stream."""
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(hidden)
    return {k: rng.uniform(-bound, bound, size=v.shape).astype(v.dtype) for k, v in params.items()}


def _scatter_rows(table: Array, ids: Array, d: Array) -> Array:
    """The gradient of a lookup ``table[ids]``: every row the sum of the gradients that read it."""
    grad = np.zeros_like(table)
    np.add.at(grad, np.asarray(ids).reshape(-1), d.reshape(-1, table.shape[1]))
    return grad

"""The encoder-decoder against the same model written in PyTorch (float64, autograd).

torch draws every weight with its own initialisation (seeded) and rnnlab copies them in by name,
never the other way. The torch model is written independently from the equations: ``nn.LSTM``
over a packed source (so padding is torch's own), ``nn.LSTM`` stepped one token at a time for
the decoder, and the attention in plain tensor operations. Both padded source and padded target:
source lengths 5, 3, 1 and target lengths 2, 4, 3. Compared to 1e-9: the logits and the
gradient of every parameter of ``softmax_ce + sum(R * logits)``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnlab.gradcheck_seq2seq import Seq2SeqCase, random_problem
from rnnlab.losses import softmax_cross_entropy

pytestmark = pytest.mark.torch
RTOL = 1e-9


class TorchSeq2Seq(nn.Module):
    """The model of `rnnlab.models.seq2seq`, spelled with torch modules (LSTM cells only)."""

    def __init__(self, spec, kind: str | None) -> None:
        super().__init__()
        H, K, E, L = spec.dec_hidden, spec.memory, spec.embed, spec.num_layers
        self.spec, self.kind = spec, kind
        opts = dict(batch_first=True, dtype=torch.float64)
        self.src_embed = nn.Embedding(spec.src_vocab, E, dtype=torch.float64)
        self.tgt_embed = nn.Embedding(spec.tgt_vocab, E, dtype=torch.float64)
        self.encoder = nn.LSTM(E, spec.hidden, L, bidirectional=spec.bidirectional, **opts)
        self.decoder = nn.LSTM(E + (H if kind else 0), H, L, **opts)
        lin = dict(dtype=torch.float64)
        self.bridge = nn.ModuleDict(
            {f"{s}_l{i}": nn.Linear(K, H, **lin) for i in range(L) for s in "hc"}
            if K != H else {}
        )  # fmt: skip
        self.attn = nn.ModuleDict()
        if kind:
            self.attn["combine"] = nn.Linear(K + H, H, bias=False, **lin)
        if kind == "general":
            self.attn["weight"] = nn.Linear(K, H, bias=False, **lin)
        if kind == "additive":
            A = spec.attention_width
            self.attn["query"] = nn.Linear(H, A, bias=False, **lin)
            self.attn["key"] = nn.Linear(K, A, bias=False, **lin)
            self.v = nn.Parameter(torch.randn(A, dtype=torch.float64))
        self.readout = nn.Linear(H, spec.tgt_vocab, **lin)

    def forward(self, src, src_lengths, tgt_in):
        N, S = src.shape
        packed = pack_padded_sequence(
            self.src_embed(src), src_lengths, batch_first=True, enforce_sorted=False
        )
        out, (h, c) = self.encoder(packed)
        M, _ = pad_packed_sequence(out, batch_first=True, total_length=S)
        D = 2 if self.spec.bidirectional else 1
        L = self.spec.num_layers
        h0, c0 = [], []
        for i in range(L):
            for name, src_state, dst in (("h", h, h0), ("c", c, c0)):
                cat = torch.cat([src_state[i * D + d] for d in range(D)], dim=1)
                dst.append(self.bridge[f"{name}_l{i}"](cat) if self.bridge else cat)
        state = (torch.stack(h0), torch.stack(c0))
        valid = torch.arange(S)[None, :] < torch.as_tensor(src_lengths)[:, None]
        feed = torch.zeros(N, self.spec.dec_hidden, dtype=torch.float64)
        outs = []
        for t in range(tgt_in.shape[1]):
            x = self.tgt_embed(tgt_in[:, t])
            x = torch.cat([x, feed], dim=1) if self.kind else x
            y, state = self.decoder(x[:, None, :], state)
            q = y[:, 0]
            feed = self.attend(q, M, valid) if self.kind else q
            outs.append(feed)
        return self.readout(torch.stack(outs, dim=1))

    def attend(self, q, M, valid):
        if self.kind == "additive":
            z = torch.tanh(self.attn["key"](M) + self.attn["query"](q)[:, None, :])
            e = z @ self.v
        else:
            keys = self.attn["weight"](M) if self.kind == "general" else M
            e = (keys * q[:, None, :]).sum(-1)
        alpha = torch.softmax(e.masked_fill(~valid, float("-inf")), dim=1)
        c = (alpha[:, :, None] * M).sum(1)
        return torch.tanh(self.attn["combine"](torch.cat([c, q], dim=1)))


def ours_name(name: str) -> str:
    """torch's parameter name -> rnnlab's."""
    if name.startswith(("src_embed.", "tgt_embed.")):
        return name.split(".")[0]
    if name.startswith("attn."):
        return name.removesuffix(".weight")
    return "attn.v" if name == "v" else name


CASES = [
    Seq2SeqCase(kind, bidirectional)
    for kind in (None, "dot", "general", "additive")
    for bidirectional in (False, True)
] + [Seq2SeqCase("additive", True, num_layers=2)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_seq2seq_matches_torch_autograd(case: Seq2SeqCase) -> None:
    model, batch = random_problem(case, seed=3)
    torch.manual_seed(7)
    ref = TorchSeq2Seq(model.spec, model.kind)
    with torch.no_grad():  # torch's random weights, perturbed so no bias is special
        for param in ref.parameters():
            param.add_(0.3 * torch.randn_like(param))
    named = {ours_name(k): v for k, v in ref.named_parameters()}
    assert set(named) == set(model.params)
    model.load_params({k: v.detach().numpy() for k, v in named.items()})

    logits, cache = model.forward(batch["src"], batch["src_lengths"], batch["tgt_in"])
    _, dce = softmax_cross_entropy(logits, batch["tgt_out"], batch["tgt_out"] != 0)
    grads = model.backward(dce + batch["R"], cache)

    tgt = torch.as_tensor(batch["tgt_out"])
    z = ref(torch.as_tensor(batch["src"]), batch["src_lengths"], torch.as_tensor(batch["tgt_in"]))
    mask = tgt != 0
    loss = nn.functional.cross_entropy(z[mask], tgt[mask]) + (torch.as_tensor(batch["R"]) * z).sum()
    loss.backward()

    def err(ours, theirs):
        theirs = theirs.detach().numpy()
        assert np.max(np.abs(theirs)) > 0
        return np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs))

    assert err(logits, z) < RTOL
    for name, param in named.items():
        assert err(grads[name], param.grad) < RTOL, name

"""Reference tests: rnnlab's forward and hand-derived backward against torch 2.13.0 autograd.

torch builds the module with its own random initialisation (seeded), and rnnlab copies those
weights through `rnnlab.from_torch`; never the other way, so that a bug in our initialisation or
in `to_torch` cannot hide a bug in the maths. Both run in float64 with the same input, initial
state, upstream gradient R on the outputs and S on the final states (random, not all-ones, so
that every output position and every state entry is weighted differently). Compared: outputs,
final states, and the gradients of the input, of the initial state and of every parameter, each
to 1e-9 relative in the norm-wise sense max|ours - torch| / max|torch|.

Variable lengths go through torch's packed sequences (``enforce_sorted=False``), which is an
independent implementation of "padded steps do not exist": torch's padded outputs are zero and
its final state is each sequence's last valid step, as ours.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import rnnlab

RTOL = 1e-9
D, H = 4, 3  # input and hidden sizes; the batch and time sizes are per case

KINDS = {
    "rnn_tanh": lambda **kw: torch.nn.RNN(nonlinearity="tanh", **kw),
    "rnn_relu": lambda **kw: torch.nn.RNN(nonlinearity="relu", **kw),
    "lstm": lambda **kw: torch.nn.LSTM(**kw),
    "gru": lambda **kw: torch.nn.GRU(**kw),
}


def rel_err(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Norm-wise relative error: the worst entry's error against the largest reference entry."""
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    scale = max(float(np.max(np.abs(theirs))), 1e-300)
    return float(np.max(np.abs(ours - theirs))) / scale


def assert_close(ours: np.ndarray, theirs: torch.Tensor | np.ndarray, what: str) -> None:
    ref = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    # A reference of all zeros would make any relative error meaningless: insist on signal.
    assert np.max(np.abs(ref)) > 0, f"{what}: reference is all zeros"
    err = rel_err(np.asarray(ours), ref)
    assert err < RTOL, f"{what}: relative error {err:.3e} >= {RTOL:.0e}"


def as_list(state) -> list:
    """An LSTM's (h, c) or another cell's h as a list of arrays/tensors."""
    return list(state) if isinstance(state, tuple) else [state]


def make_module(kind: str, num_layers: int, bidirectional: bool, batch_first: bool, seed: int):
    torch.manual_seed(seed)
    module = KINDS[kind](
        input_size=D,
        hidden_size=H,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        dropout=0.0,
        dtype=torch.float64,
    )
    module.eval()  # belt and braces: dropout is 0 anyway
    for name, p in module.named_parameters():
        # torch's default biases are U(-1/sqrt(H), 1/sqrt(H)): non-zero almost surely; verify,
        # since a zero bias would leave a wrong bias gradient path unexercised.
        if name.startswith("bias"):
            assert torch.all(p != 0), f"{name} has a zero entry"
    return module


def run_case(
    kind: str,
    num_layers: int,
    bidirectional: bool,
    batch_first: bool,
    lengths: list[int] | None,
    seed: int,
    T: int = 5,
) -> None:
    """Run ours and torch on one configuration and compare everything; ``len(lengths)`` or 3
    sequences of ``T`` steps."""
    N = 3 if lengths is None else len(lengths)
    module = make_module(kind, num_layers, bidirectional, batch_first, seed)
    layer = rnnlab.from_torch(module)
    assert layer.dtype == np.float64 and layer.batch_first is batch_first  # the module's layout
    layer.eval()

    rng = np.random.default_rng(seed)
    dirs = 2 if bidirectional else 1
    x = rng.standard_normal((N, T, D))
    n_states = 2 if kind == "lstm" else 1
    states0 = [rng.standard_normal((num_layers * dirs, N, H)) for _ in range(n_states)]
    R = rng.standard_normal((N, T, dirs * H))
    S = [rng.standard_normal((num_layers * dirs, N, H)) for _ in range(n_states)]
    with_lengths = lengths is not None
    if with_lengths:
        lengths = np.asarray(lengths)

    # ---- ours -----------------------------------------------------------------------------
    state_in = tuple(states0) if kind == "lstm" else states0[0]
    def layout(a):  # batch-first -> the module's layout, and back (a swap of the first axes)
        return a if batch_first else a.transpose(1, 0, 2)

    y, final, cache = layer.forward(layout(x), state_in, lengths=lengths)
    dstate = tuple(S) if kind == "lstm" else S[0]
    dx, dstate0, grads = layer.backward(layout(R), cache, dstate)
    y, dx = layout(y), layout(dx)
    finals, dstates0 = as_list(final), as_list(dstate0)

    # ---- torch ----------------------------------------------------------------------------
    tx = torch.tensor(x if batch_first else x.transpose(1, 0, 2), requires_grad=True)
    th0 = [torch.tensor(s, requires_grad=True) for s in states0]
    hx = tuple(th0) if kind == "lstm" else th0[0]
    if with_lengths:
        packed = pack_padded_sequence(
            tx, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False
        )
        out_packed, tfinal = module(packed, hx)
        tout, _ = pad_packed_sequence(out_packed, batch_first=batch_first, total_length=T)
    else:
        tout, tfinal = module(tx, hx)
    tfinals = as_list(tfinal)
    tR = torch.tensor(R if batch_first else R.transpose(1, 0, 2))
    loss = (tout * tR).sum() + sum(
        (f * torch.tensor(s)).sum() for f, s in zip(tfinals, S, strict=True)
    )
    loss.backward()

    # ---- compare --------------------------------------------------------------------------
    tout_bf = tout.detach().numpy()
    tdx = tx.grad.numpy()
    if not batch_first:
        tout_bf, tdx = tout_bf.transpose(1, 0, 2), tdx.transpose(1, 0, 2)
    if with_lengths:
        pad = np.arange(T)[None, :] >= lengths[:, None]
        assert np.all(tout_bf[pad] == 0) and np.all(y[pad] == 0), "padded outputs must be zero"
    assert_close(y, tout_bf, "output y")
    assert_close(dx, tdx, "input gradient dx")
    for k, (ours_f, theirs_f) in enumerate(zip(finals, tfinals, strict=True)):
        assert_close(ours_f, theirs_f, f"final state [{k}]")
    for k, (ours_d, theirs_h0) in enumerate(zip(dstates0, th0, strict=True)):
        assert_close(ours_d, theirs_h0.grad, f"initial-state gradient [{k}]")
    tparams = dict(module.named_parameters())
    assert set(grads) == set(tparams)
    for name, p in tparams.items():
        assert_close(grads[name], p.grad, f"gradient of {name}")


@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "lengths"])
@pytest.mark.parametrize("batch_first", [True, False], ids=["bf", "tm"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2, 3], ids=["L1", "L2", "L3"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_matches_torch(kind, num_layers, bidirectional, batch_first, with_lengths) -> None:
    seed = 1000 * list(KINDS).index(kind) + 100 * num_layers + 10 * bidirectional + batch_first
    # Lengths in [1, T] (torch cannot pack empty sequences), unsorted, one of them full.
    lengths = [5, 2, 4] if with_lengths else None
    run_case(kind, num_layers, bidirectional, batch_first, lengths, seed)


@pytest.mark.parametrize("kind", list(KINDS))
def test_longer_sequences_wider_batch(kind) -> None:
    """One longer case per cell, so that errors compounding over time would show; includes a
    one-step sequence, and the longest is shorter than the time axis of x."""
    run_case(kind, 2, True, False, [33, 1, 17, 38], seed=7, T=40)


@pytest.mark.parametrize("kind", list(KINDS))
def test_zero_initial_state(kind) -> None:
    """torch's default (no hx) against ours (state=None): both start from zeros."""
    module = make_module(kind, 2, True, True, seed=3)
    layer = rnnlab.from_torch(module)
    x = np.random.default_rng(3).standard_normal((2, 6, D))
    y, final, _ = layer.forward(x)
    tout, tfinal = module(torch.tensor(x))
    assert_close(y, tout, "output y")
    for k, (ours_f, theirs_f) in enumerate(zip(as_list(final), as_list(tfinal), strict=True)):
        assert_close(ours_f, theirs_f, f"final state [{k}]")

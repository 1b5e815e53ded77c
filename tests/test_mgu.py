"""The minimal gated unit: a twin in PyTorch autograd written from its equations, and the
registry's answers for it (parsing, inits, the fast path deferring to the reference)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlab import RecurrentLayer, backend
from rnnlab.cells import CELLS, MGUCell
from rnnlab.init import apply_init, default_init
from rnnlab.models import parse_cell

N, T, D, H = 3, 6, 4, 5


def torch_mgu(x, h0, w_ih, w_hh, b_ih, b_hh):
    """Zhou et al. (2016) in torch, from `MGUCell`'s equations (1)-(4); gate order f, n."""
    W_hf, W_hn, b_hf, b_hn = w_hh[:H], w_hh[H:], b_hh[:H], b_hh[H:]
    h, ys = h0, []
    for t in range(x.shape[1]):
        xp = x[:, t] @ w_ih.T + b_ih
        f = torch.sigmoid(xp[:, :H] + h @ W_hf.T + b_hf)
        n = torch.tanh(xp[:, H:] + (f * h) @ W_hn.T + b_hn)
        h = (1 - f) * h + f * n
        ys.append(h)
    return torch.stack(ys, dim=1), h


def test_mgu_matches_a_pytorch_autograd_twin() -> None:
    torch.manual_seed(0)
    bound = 1.0 / np.sqrt(H)  # PyTorch's own init range for recurrent layers
    weights = {
        "weight_ih": torch.empty(2 * H, D, dtype=torch.float64).uniform_(-bound, bound),
        "weight_hh": torch.empty(2 * H, H, dtype=torch.float64).uniform_(-bound, bound),
        "bias_ih": torch.empty(2 * H, dtype=torch.float64).uniform_(-bound, bound),
        "bias_hh": torch.empty(2 * H, dtype=torch.float64).uniform_(-bound, bound),
    }
    x = torch.randn(N, T, D, dtype=torch.float64)
    h0 = torch.randn(1, N, H, dtype=torch.float64)
    R, S = torch.randn(N, T, H, dtype=torch.float64), torch.randn(1, N, H, dtype=torch.float64)
    leaves = [x, h0, *weights.values()]
    for leaf in leaves:
        leaf.requires_grad_(True)
    y_t, h_t = torch_mgu(x, h0[0], *weights.values())
    ((R * y_t).sum() + (S[0] * h_t).sum()).backward()

    layer = RecurrentLayer(D, H, cell="mgu", dtype="float64")
    for name, value in weights.items():
        layer.params[f"{name}_l0"][...] = value.detach().numpy()
    y, h, cache = layer.forward(x.detach().numpy(), h0.detach().numpy())
    dx, dh0, grads = layer.backward(R.numpy(), cache, S.numpy())

    np.testing.assert_allclose(y, y_t.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(h[0], h_t.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dx, x.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dh0, h0.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, value in weights.items():
        np.testing.assert_allclose(grads[f"{name}_l0"], value.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_mgu_is_registered_with_its_cell_text() -> None:
    assert CELLS["mgu"] is MGUCell
    assert parse_cell("mgu") == (RecurrentLayer, {"cell": "mgu"})
    for bad in ("mgu:x", "mgux"):
        with pytest.raises(ValueError, match=r"^cell: "):
            parse_cell(bad)
    layer = RecurrentLayer(2, 3, cell="mgu")
    assert layer.kind == "mgu" and "cell='mgu'" in repr(layer)
    assert default_init("mgu") == "chrono"


def test_chrono_closes_the_mgu_gate_so_the_state_is_kept() -> None:
    layer = RecurrentLayer(2, H, cell="mgu", dtype="float64")
    apply_init(layer, "chrono", np.random.default_rng(0), t_max=50)
    f_bias = layer.params["bias_ih_l0"][:H]
    assert np.all(f_bias <= 0) and np.all(f_bias > -np.log(49) - 1e-12)  # -log u, u in [1, 49)
    assert np.all(layer.params["bias_hh_l0"][:H] == 0)
    with pytest.raises(ValueError, match=r"^init: 'forget1'"):
        apply_init(layer, "forget1", np.random.default_rng(0))


def test_the_fast_backend_runs_the_mgu_on_the_reference() -> None:
    from rnnlab.fast.support import refusal

    assert refusal(MGUCell(3)) == "no compiled kernel for it"
    layer = RecurrentLayer(2, 3, cell="mgu", dtype="float64", seed=1)
    x = np.random.default_rng(1).standard_normal((2, 4, 2))
    before = backend.current()
    try:
        runs = {}
        for name in backend.BACKENDS:
            backend.use(name)
            y, _, cache = layer.forward(x)
            runs[name] = (y, layer.backward(np.ones_like(y), cache)[2])
    finally:
        backend.use(before)
    # Only the input products outside the loop may run compiled: the same numbers to rounding.
    np.testing.assert_allclose(runs["fast"][0], runs["reference"][0], rtol=1e-12)
    for name, grad in runs["reference"][1].items():
        np.testing.assert_allclose(runs["fast"][1][name], grad, rtol=1e-12, atol=1e-14)

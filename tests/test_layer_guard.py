"""Layers check what they are given (issue 18, items 7 and 8): parameters of the wrong shape,
dtype or layout are refused before a kernel reads them; an in-place edit of x or a parameter
between forward and backward raises; empty batches and complex input are refused; and a
``batch_first=False`` torch module keeps its layout through `from_torch` and `to_torch`."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab import GRU, LSTM, RNN, backend
from rnnlab.layer_guard import ParamDict, fingerprint


@pytest.fixture(params=["reference", "fast"])
def engine(request):
    before = backend.current()
    backend.use(request.param)
    yield request.param
    backend.use(before)


def _layer(cls=LSTM, **kw):
    return cls(3, 4, num_layers=2, bidirectional=True, dtype="float64", **kw)


def _x(seed: int = 0, shape=(2, 5, 3)) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize(
    "bad, words",
    [
        (np.zeros((1, 1)), "got a float64 array of shape (1, 1)"),  # main: garbage, no error
        (np.zeros((16, 4), np.float32), "got a float32 array of shape (16, 4)"),
        (np.zeros((4, 16)).T, "got a non-contiguous float64 array of shape (16, 4)"),
        ([[0.0] * 4] * 16, "got list"),
    ],
)
def test_a_parameter_of_the_wrong_kind_is_refused_before_the_kernel(bad, words, engine) -> None:
    layer = _layer()
    layer.forward(_x())
    layer.params["weight_hh_l0"] = bad
    expected = r"^params\['weight_hh_l0'\]: expected a C-contiguous float64 array of shape"
    with pytest.raises(ValueError, match=expected) as info:
        layer.forward(_x())
    assert str(info.value).endswith(words)
    layer.params["weight_hh_l0"] = np.zeros((16, 4))  # put right again: accepted
    layer.forward(_x())


def test_a_replaced_or_emptied_parameter_dict_is_checked_too() -> None:
    layer = _layer(GRU)
    layer.params = {**layer.params, "bias_hh_l1": np.zeros(3)}
    with pytest.raises(ValueError, match=r"^params\['bias_hh_l1'\]: expected "):
        layer.forward(_x())
    del layer.params["bias_hh_l1"]
    with pytest.raises(ValueError, match=r"^params: missing \['bias_hh_l1'\], unexpected \[\]"):
        layer.forward(_x())


def test_the_parameter_dict_counts_every_change() -> None:
    d = ParamDict(a=np.zeros(1))
    versions = [d.version]
    for change in (
        lambda: d.__setitem__("b", np.zeros(1)),
        lambda: d.update(c=np.zeros(1)),
        lambda: d.pop("c"),
        lambda: d.setdefault("c", np.zeros(1)),
        lambda: d.__delitem__("c"),
        lambda: d.__ior__({"c": np.zeros(1)}),
        lambda: d.popitem(),
        lambda: d.clear(),
    ):
        change()
        versions.append(d.version)
    assert versions == sorted(set(versions))  # strictly increasing


@pytest.mark.parametrize("cls", [LSTM, GRU, RNN])
def test_editing_x_in_place_before_backward_raises(cls, engine) -> None:
    layer, x = _layer(cls), _x()
    y, _, cache = layer.forward(x)
    x[1, 2, 0] += 0.5  # main: the gradient of W_ih silently changed with it
    with pytest.raises(ValueError, match=r"^x: changed in place between forward\(\) and backward"):
        layer.backward(np.ones_like(y), cache)


@pytest.mark.parametrize("edit", ["add", "swap", "flip"])
def test_editing_a_parameter_in_place_before_backward_raises(edit, engine) -> None:
    layer = _layer()
    y, _, cache = layer.forward(_x())
    w = layer.params["weight_ih_l1_reverse"]
    if edit == "add":
        w[3, 1] += 1e-6
    elif edit == "swap":  # a sum or a sum of squares would not see these two
        w[[0, 1]] = w[[1, 0]]
    else:
        w[2, 2] = -w[2, 2]
    with pytest.raises(ValueError, match=r"^params\['weight_ih_l1_reverse'\]: changed in place"):
        layer.backward(np.ones_like(y), cache)


def test_replacing_a_parameter_before_backward_raises() -> None:
    layer = _layer(RNN)
    y, _, cache = layer.forward(_x())
    layer.params["bias_ih_l0"] = layer.params["bias_ih_l0"].copy()
    with pytest.raises(ValueError, match=r"^params\['bias_ih_l0'\]: replaced between"):
        layer.backward(np.ones_like(y), cache)


def test_no_false_alarm_for_updates_after_backward_or_a_converted_x() -> None:
    layer = _layer()
    for step in range(3):  # the training pattern: forward, backward, update in place
        y, _, cache = layer.forward(_x(step))
        _, _, grads = layer.backward(np.ones_like(y), cache)
        for name, g in grads.items():
            layer.params[name] -= 0.01 * g
    given = _x().tolist()  # converted to an array of the layer's own: no one else holds it
    y, _, cache = layer.forward(given)
    given[0][0][0] = 99.0
    layer.backward(np.ones_like(y), cache)


def test_fingerprints_see_one_entry_change() -> None:
    a = _x(shape=(64, 50, 8))
    before = fingerprint(a)
    a[10, 20, 3] = np.nextafter(a[10, 20, 3], 10) + 1e-9
    assert fingerprint(a) != before


@pytest.mark.parametrize("shape", [(0, 5, 3), (2, 0, 3)])
def test_an_empty_batch_or_sequence_is_refused_by_forward(shape, engine) -> None:
    # main: "cannot reshape array of size 0 into shape (5,0,newaxis)" from deep inside
    with pytest.raises(ValueError, match=r"^x: expected a sequence and a step at least, got "):
        _layer().forward(np.zeros(shape))


def test_complex_input_is_an_error_not_a_warning() -> None:
    layer = _layer()
    with pytest.raises(ValueError, match=r"^x: expected real numbers, got dtype complex128"):
        layer.forward(_x() + 1j)
    y, _, cache = layer.forward(_x())
    with pytest.raises(ValueError, match=r"^dy: expected real numbers"):
        layer.backward(np.ones_like(y) * 1j, cache)


# -- item 8: from_torch keeps the module's layout ------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_a_time_major_torch_module_converts_to_a_time_major_layer(kind) -> None:
    import torch

    from rnnlab.interop.torch import from_torch

    torch.manual_seed(0)
    module = getattr(torch.nn, kind)(3, 5, num_layers=2, bidirectional=True, dtype=torch.float64)
    layer = from_torch(module)  # batch_first=False, torch's default
    assert layer.batch_first is False
    x = torch.randn(7, 4, 3, dtype=torch.float64, requires_grad=True)  # (T, N, D)
    lengths = np.array([7, 3, 5, 1])
    y, _ = module(x)
    ours, _, cache = layer.forward(x.detach().numpy())
    assert ours.shape == (7, 4, 10)  # main: read as N=7, T=4; max difference 0.16
    np.testing.assert_allclose(ours, y.detach().numpy(), rtol=0, atol=1e-12)
    dy = np.random.default_rng(0).standard_normal(ours.shape)
    y.backward(torch.tensor(dy))
    dx, _, grads = layer.backward(dy, cache)
    np.testing.assert_allclose(dx, x.grad.numpy(), rtol=0, atol=1e-12)
    for name, g in grads.items():
        np.testing.assert_allclose(g, getattr(module, name).grad.numpy(), rtol=0, atol=1e-10)
    back = layer.to_torch()
    assert back.batch_first is False  # main: to_torch flipped it to True
    np.testing.assert_allclose(back(x)[0].detach().numpy(), ours, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match=r"^dy: expected shape \(7, 4, 10\) \(like y\)"):
        layer.backward(dy.transpose(1, 0, 2), layer.forward(x.detach().numpy(), None, lengths)[2])


def test_batch_first_is_a_boolean() -> None:
    layer = _layer()
    with pytest.raises(ValueError, match=r"^batch_first: expected True or False"):
        layer.batch_first = "false"
    layer.batch_first = False
    y, _, cache = layer.forward(_x(shape=(5, 2, 3)))
    assert y.shape == (5, 2, 8)
    dx, _, _ = layer.backward(np.ones_like(y), cache)
    assert dx.shape == (5, 2, 3)

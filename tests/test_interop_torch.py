"""`rnnlab.from_torch` and `layer.to_torch()`: exact round trips, dtypes, copies and errors.

The numerical agreement of the two implementations is tested in `test_reference_torch.py`; here
the conversion itself: every parameter arrives bit for bit, nothing is shared, and whatever one
side cannot express is refused with a ValueError naming the argument.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

import rnnlab
from rnnlab import PRESETS

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}

LAYERS = {
    "rnn_tanh": lambda **kw: rnnlab.RNN(nonlinearity="tanh", **kw),
    "rnn_relu": lambda **kw: rnnlab.RNN(nonlinearity="relu", **kw),
    "lstm": lambda **kw: rnnlab.LSTM(variant="vanilla", **kw),
    "lstm_np": lambda **kw: rnnlab.LSTM(variant="np", **kw),
    "gru": lambda **kw: rnnlab.GRU(reset_after=True, **kw),
}

MODULES = {
    "rnn_tanh": lambda **kw: torch.nn.RNN(nonlinearity="tanh", **kw),
    "rnn_relu": lambda **kw: torch.nn.RNN(nonlinearity="relu", **kw),
    "lstm": lambda **kw: torch.nn.LSTM(**kw),
    "gru": lambda **kw: torch.nn.GRU(**kw),
}

CONFIGS = [  # (num_layers, bidirectional, dropout)
    (1, False, 0.0),
    (2, True, 0.25),
    (3, False, 0.5),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("config", CONFIGS, ids=str)
@pytest.mark.parametrize("kind", list(LAYERS))
def test_layer_to_torch_and_back_is_exact(kind, config, dtype) -> None:
    num_layers, bidirectional, dropout = config
    layer = LAYERS[kind](
        input_size=5,
        hidden_size=4,
        num_layers=num_layers,
        bidirectional=bidirectional,
        dropout=dropout,
        dtype=dtype,
        seed=11,
    )
    module = layer.to_torch()
    assert module.batch_first is True
    assert module.dropout == dropout
    assert all(p.dtype == TORCH_DTYPES[dtype] for p in module.parameters())

    back = rnnlab.from_torch(module)
    assert type(back) is type(layer)
    assert (back.input_size, back.hidden_size, back.num_layers, back.bidirectional) == (
        5,
        4,
        num_layers,
        bidirectional,
    )
    assert back.dropout == dropout
    assert back.dtype == layer.dtype
    assert set(back.params) == set(layer.params)
    for name, value in layer.params.items():
        assert back.params[name].dtype == value.dtype, name
        np.testing.assert_array_equal(back.params[name], value, err_msg=name)
    if kind.startswith("rnn"):
        assert back.nonlinearity == layer.nonlinearity


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("config", CONFIGS, ids=str)
@pytest.mark.parametrize("kind", list(MODULES))
def test_torch_to_layer_and_back_is_exact(kind, config, batch_first, dtype) -> None:
    num_layers, bidirectional, dropout = config
    torch.manual_seed(5)
    module = MODULES[kind](
        input_size=3,
        hidden_size=6,
        num_layers=num_layers,
        bidirectional=bidirectional,
        dropout=dropout,
        batch_first=batch_first,
        dtype=TORCH_DTYPES[dtype],
    )
    layer = rnnlab.from_torch(module)
    assert layer.dtype == np.dtype(dtype)
    assert all(p.dtype == np.dtype(dtype) for p in layer.params.values())
    again = layer.to_torch()
    assert type(again) is type(module)
    assert again.batch_first is batch_first  # the module's layout, carried both ways
    assert again.dropout == module.dropout
    if kind.startswith("rnn"):
        assert again.nonlinearity == module.nonlinearity
    ours, theirs = again.state_dict(), module.state_dict()
    assert list(ours) == list(theirs)
    for name in theirs:
        assert ours[name].dtype == theirs[name].dtype, name
        assert torch.equal(ours[name], theirs[name]), name


def test_conversions_copy_rather_than_share() -> None:
    torch.manual_seed(0)
    module = torch.nn.GRU(3, 4, num_layers=2, dtype=torch.float64)
    layer = rnnlab.from_torch(module)
    before = {k: v.copy() for k, v in layer.params.items()}
    with torch.no_grad():
        module.weight_hh_l1.add_(1.0)
    for name, value in before.items():
        np.testing.assert_array_equal(layer.params[name], value, err_msg=name)
    again = layer.to_torch()
    layer.params["bias_ih_l0"][...] += 1.0
    assert torch.equal(again.bias_ih_l0, torch.from_numpy(before["bias_ih_l0"]))


def test_training_mode_is_carried_over() -> None:
    module = torch.nn.LSTM(2, 3, num_layers=2, dropout=0.5).eval()
    layer = rnnlab.from_torch(module)
    assert layer.training is False
    assert layer.train().to_torch().training is True


@pytest.mark.parametrize("batch_first", [True, False])
def test_float32_forward_agrees(batch_first) -> None:
    """float32 end to end: the converted layer computes what the module computes."""
    torch.manual_seed(2)
    module = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True, batch_first=batch_first)
    layer = rnnlab.from_torch(module)  # time-major when the module is
    x = np.random.default_rng(2).standard_normal((3, 7, 4)).astype(np.float32)
    x = x if batch_first else x.transpose(1, 0, 2).copy()
    y, (h, c), _ = layer.forward(x)
    assert y.dtype == np.float32 and h.dtype == np.float32
    with torch.no_grad():
        ty, (th, tc) = module(torch.from_numpy(x))
    ty = ty.numpy()
    np.testing.assert_allclose(y, ty, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, th.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c, tc.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("make", "argument"),
    [
        (lambda: torch.nn.Linear(3, 4), "module"),
        (lambda: torch.nn.LSTMCell(3, 4), "module"),
        (lambda: torch.nn.RNNBase("LSTM", 3, 4), "module"),
        (lambda: torch.nn.LSTM(3, 4, bias=False), "bias"),
        (lambda: torch.nn.GRU(3, 4, bias=False), "bias"),
        (lambda: torch.nn.LSTM(3, 4, proj_size=2), "proj_size"),
        (lambda: torch.nn.GRU(3, 4, dtype=torch.float16), "dtype"),
        (lambda: torch.nn.RNN(3, 4, dtype=torch.bfloat16), "dtype"),
    ],
    ids=["linear", "lstm_cell", "rnn_base", "lstm_nobias", "gru_nobias", "proj", "f16", "bf16"],
)
def test_from_torch_refuses_what_rnnlab_lacks(make, argument) -> None:
    with pytest.raises(ValueError, match=argument):
        rnnlab.from_torch(make())


@pytest.mark.parametrize("variant", [v for v in PRESETS if v not in ("vanilla", "np")])
def test_to_torch_refuses_lstm_variants(variant) -> None:
    layer = rnnlab.LSTM(3, 4, variant=variant)
    with pytest.raises(ValueError, match=rf"variant: .*{variant}"):
        layer.to_torch()


def test_to_torch_refuses_gru_reset_before() -> None:
    with pytest.raises(ValueError, match="reset_after"):
        rnnlab.GRU(3, 4, reset_after=False).to_torch()


def test_import_rnnlab_does_not_import_torch() -> None:
    code = "import rnnlab, sys; assert 'torch' not in sys.modules, 'torch was imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

"""Losses: hand-computed values, float64 finite differences, masking, extremes, bad inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnlab.losses import (
    LOSSES,
    log_softmax,
    mse,
    sigmoid,
    sigmoid_binary_cross_entropy,
    softmax,
    softmax_cross_entropy,
    softplus,
)

LN2, LN3 = math.log(2.0), math.log(3.0)


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Relative error of the whole array: max |a - b| / max(1e-8, max(|a| + |b|)).

    Normalised by the largest entry rather than entry by entry (cs231n's form): a central
    difference carries an absolute round-off of about 1e-16 * |L| / h, which an entry near
    zero would turn into a large relative error although the gradient is right.
    """
    return float(np.max(np.abs(a - b)) / max(1e-8, float(np.max(np.abs(a) + np.abs(b)))))


def make_case(name: str, rng: np.random.Generator, shape=(3, 4, 5)):
    """Random float64 output, a matching target for loss `name`, and a mask with both values."""
    output = rng.normal(scale=2.0, size=shape)
    if name == "mse":
        target = rng.normal(size=shape)
    elif name == "softmax_ce":
        target = rng.integers(0, shape[-1], size=shape[:-1])
    else:
        target = rng.integers(0, 2, size=shape).astype(np.float64)
    mask = rng.random(shape[:-1]) < 0.6
    mask.flat[0], mask.flat[-1] = True, False  # at least one of each
    return output, target, mask


# --- values by hand ---------------------------------------------------------------------------


def test_mse_hand_value_and_grad():
    out = np.array([[1.0, 2.0], [3.0, 4.0]])
    tgt = np.array([[0.0, 2.0], [1.0, 1.0]])
    value, grad = mse(out, tgt)
    # differences 1, 0, 2, 3 -> squares sum to 14 over 4 elements; grad = 2 * diff / 4
    assert value == pytest.approx(14.0 / 4.0, abs=1e-15)
    np.testing.assert_allclose(grad, [[0.5, 0.0], [1.0, 1.5]], atol=1e-15)


def test_mse_mask_counts_elements_of_counted_positions_only():
    out = np.array([[[1.0, 1.0], [5.0, -7.0]]])  # (N=1, T=2, K=2); position t=1 is padding
    tgt = np.zeros((1, 2, 2))
    value, grad = mse(out, tgt, mask=np.array([[True, False]]))
    assert value == pytest.approx(2.0 / 2.0, abs=1e-15)  # (1 + 1) / (1 position * 2 outputs)
    np.testing.assert_allclose(grad, [[[1.0, 1.0], [0.0, 0.0]]], atol=1e-15)


def test_softmax_cross_entropy_hand_value_and_grad():
    # row 0: exp = 1, 2, 3 -> p = 1/6, 2/6, 3/6, label 2 -> -log(1/2) = ln 2
    # row 1: uniform over 3, label 0 -> ln 3
    logits = np.array([[0.0, LN2, LN3], [0.0, 0.0, 0.0]])
    value, grad = softmax_cross_entropy(logits, np.array([2, 0]))
    assert value == pytest.approx((LN2 + LN3) / 2, abs=1e-15)
    expected = np.array([[1 / 6, 2 / 6, 3 / 6 - 1], [1 / 3 - 1, 1 / 3, 1 / 3]]) / 2
    np.testing.assert_allclose(grad, expected, atol=1e-15)


def test_sigmoid_bce_hand_value_and_grad_sums_labels_means_positions():
    # position 0: sig(0) = 1/2 with target 1 -> ln 2; sig(ln 3) = 3/4 with target 0 -> ln 4
    # position 1: identical, so the mean over 2 positions is still 3 ln 2 (labels are summed)
    logits = np.array([[0.0, LN3], [0.0, LN3]])
    targets = np.array([[1.0, 0.0], [1.0, 0.0]])
    value, grad = sigmoid_binary_cross_entropy(logits, targets)
    assert value == pytest.approx(3 * LN2, abs=1e-15)
    np.testing.assert_allclose(grad, [[-0.25, 0.375], [-0.25, 0.375]], atol=1e-15)


def test_helpers_by_hand():
    z = np.array([0.0, LN2, LN3])
    np.testing.assert_allclose(softmax(z), [1 / 6, 2 / 6, 3 / 6], atol=1e-15)
    np.testing.assert_allclose(log_softmax(z), np.log([1 / 6, 2 / 6, 3 / 6]), atol=1e-15)
    np.testing.assert_allclose(sigmoid([0.0, LN3, -LN3]), [0.5, 0.75, 0.25], atol=1e-15)
    np.testing.assert_allclose(softplus([0.0, LN3]), [LN2, math.log(4.0)], atol=1e-15)
    # softmax over a chosen axis: columns sum to one
    np.testing.assert_allclose(softmax(np.arange(6.0).reshape(2, 3), axis=0).sum(0), 1.0)


def test_registry_names():
    assert LOSSES == {
        "mse": mse,
        "softmax_ce": softmax_cross_entropy,
        "sigmoid_bce": sigmoid_binary_cross_entropy,
    }


# --- gradients by finite differences ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("masked", [False, True])
def test_gradient_matches_central_differences(name: str, masked: bool):
    rng = np.random.default_rng(0)
    output, target, mask = make_case(name, rng)
    mask = mask if masked else None
    loss = LOSSES[name]
    _, grad = loss(output, target, mask)
    h = 1e-6

    # one random direction R: dL(x + s R)/ds at s = 0 must equal sum(grad * R)
    r = rng.normal(size=output.shape)
    plus, minus = loss(output + h * r, target, mask)[0], loss(output - h * r, target, mask)[0]
    numeric = (plus - minus) / (2 * h)
    assert rel_error(np.array(numeric), np.array(np.sum(grad * r))) < 1e-7

    # and every coordinate on its own
    numeric_grad = np.zeros_like(output)
    for i in np.ndindex(output.shape):
        step = np.zeros_like(output)
        step[i] = h
        plus, minus = loss(output + step, target, mask)[0], loss(output - step, target, mask)[0]
        numeric_grad[i] = (plus - minus) / (2 * h)
    assert rel_error(numeric_grad, grad) < 1e-7, f"{name}: ours\n{grad}\nnumeric\n{numeric_grad}"


# --- masking ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_mask_equals_loss_on_counted_positions_only(name: str):
    rng = np.random.default_rng(1)
    output, target, mask = make_case(name, rng)
    # garbage at the padded positions must not matter: huge outputs, label -1, target 7
    output = np.where(mask[..., None], output, 1e6)
    target = target.copy()
    target[~mask] = -1 if name == "softmax_ce" else 7
    loss = LOSSES[name]

    value, grad = loss(output, target, mask)
    sub_value, sub_grad = loss(output[mask], target[mask])  # (n counted, K), no mask

    assert value == pytest.approx(sub_value, rel=1e-14)
    np.testing.assert_allclose(grad[mask], sub_grad, rtol=1e-14)
    assert np.all(grad[~mask] == 0.0)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_nothing_counted_gives_zero(name: str):
    output, target, mask = make_case(name, np.random.default_rng(2))
    value, grad = LOSSES[name](output, target, np.zeros_like(mask))
    assert value == 0.0
    assert grad.shape == output.shape and not np.any(grad)


def test_integer_mask_is_accepted_like_bool():
    output, target, mask = make_case("mse", np.random.default_rng(3))
    a = mse(output, target, mask)
    b = mse(output, target, mask.astype(np.int64))
    assert a[0] == b[0] and np.array_equal(a[1], b[1])


# --- extremes -----------------------------------------------------------------------------------


def test_softmax_cross_entropy_at_plus_minus_1000():
    logits = np.array([[1000.0, -1000.0, 0.0], [1000.0, -1000.0, 0.0]])
    with np.errstate(all="raise"):  # any overflow or invalid op fails the test
        value, grad = softmax_cross_entropy(logits, np.array([1, 0]))
    # row 0: logsumexp = 1000, so -log p = 1000 - (-1000) = 2000; row 1: correct, loss 0
    assert value == pytest.approx(2000.0 / 2)
    np.testing.assert_allclose(grad, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-300)


def test_sigmoid_bce_at_plus_minus_1000():
    logits = np.array([[1000.0, -1000.0], [1000.0, -1000.0]])
    targets = np.array([[0.0, 1.0], [1.0, 0.0]])
    with np.errstate(all="raise"):
        value, grad = sigmoid_binary_cross_entropy(logits, targets)
    # row 0 is confidently wrong on both labels: softplus(1000) = 1000 each; row 1 is right: 0
    assert value == pytest.approx(2000.0 / 2)
    np.testing.assert_allclose(grad, [[0.5, -0.5], [0.0, 0.0]], atol=1e-300)


def test_helpers_at_plus_minus_1000():
    z = np.array([-1000.0, 0.0, 1000.0])
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(sigmoid(z), [0.0, 0.5, 1.0])
        np.testing.assert_array_equal(softplus(z), [0.0, LN2, 1000.0])
        np.testing.assert_array_equal(softmax(z), [0.0, 0.0, 1.0])
        np.testing.assert_allclose(log_softmax(z), [-2000.0, -1000.0, 0.0])


def test_float32_stays_float32():
    out = np.ones((2, 3), dtype=np.float32)
    for name, target in [("mse", out), ("softmax_ce", np.array([0, 2])), ("sigmoid_bce", out)]:
        value, grad = LOSSES[name](out, target)
        assert isinstance(value, float) and grad.dtype == np.float32, name


# --- bad inputs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: mse(np.zeros((2, 3)), np.zeros((3, 2))), r"^target: expected shape \(2, 3\)"),
        (lambda: mse(np.zeros(3), np.zeros(3), np.ones(3, bool)), r"^mask: expected shape \(\)"),
        (lambda: mse(np.zeros((2, 3)), np.zeros((2, 3)), np.full(2, 2)), r"^mask: expected a bool"),
        (lambda: mse(np.zeros(()), np.zeros(())), r"^output: expected shape \(\.\.\., K\)"),
        (lambda: mse(np.array(["a"]), np.zeros(1)), r"^output: expected a real numeric array"),
        (
            lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])),
            r"^labels: expected integers in \[0, 3\)",
        ),
        (
            lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])),
            r"^labels: expected an integer array",
        ),
        (
            lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([[0, 1]])),
            r"^labels: expected shape \(2,\)",
        ),
        (
            lambda: sigmoid_binary_cross_entropy(np.zeros((2, 3)), np.full((2, 3), 1.5)),
            r"^targets: expected values in \[0, 1\]",
        ),
        (
            lambda: sigmoid_binary_cross_entropy(np.zeros((2, 3)), np.zeros((2, 1))),
            r"^targets: expected shape \(2, 3\)",
        ),
    ],
)
def test_bad_inputs_name_the_argument(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


# --- against torch (float64 autograd) -----------------------------------------------------------


@pytest.mark.torch
def test_losses_match_torch():
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(4)
    z = rng.normal(size=(6, 5))
    for name, target in [
        ("mse", rng.normal(size=(6, 5))),
        ("softmax_ce", rng.integers(0, 5, size=6)),
        ("sigmoid_bce", rng.integers(0, 2, size=(6, 5)).astype(np.float64)),
    ]:
        zt = torch.tensor(z, requires_grad=True)
        tt = torch.tensor(target)
        if name == "mse":
            ref = F.mse_loss(zt, tt)
        elif name == "softmax_ce":
            ref = F.cross_entropy(zt, tt)
        else:  # torch averages over labels too; ours sums them (see the docstring): factor K
            ref = F.binary_cross_entropy_with_logits(zt, tt) * z.shape[-1]
        ref.backward()
        value, grad = LOSSES[name](z, target)
        assert value == pytest.approx(ref.item(), rel=1e-13), name
        np.testing.assert_allclose(grad, zt.grad.numpy(), rtol=1e-12, atol=1e-16, err_msg=name)

"""Losses that return their value and their gradient with respect to the model's output.

Every loss has the signature ``loss(output, target, mask=None) -> (value, grad)``:

- ``value`` is a Python float, the mean over the *counted* elements or positions;
- ``grad`` is d value / d output, an array with the shape (and float dtype) of ``output``.

Shapes: ``output`` is ``(..., K)``; the leading dims ``...`` are *positions* (e.g. ``(N, T)`` for
N sequences of T steps, ``(N,)`` for one readout per sequence) and the last axis holds the K
outputs of one position (regression targets, class logits, or independent labels).

``mask`` is a bool array of the leading dims. A position where it is False counts for nothing:
it is left out of the mean and its gradient is exactly zero, whatever ``output`` and ``target``
hold there (padding after a sequence's end may contain anything, e.g. the label -1).
If no position is counted the loss is 0.0 and the gradient is zero.

All three losses are computed without overflow for logits of any finite size (tested at +/-1000):
the log-sum-exp and softplus are written in their shifted forms.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .activations import sigmoid as _sigmoid

Array = npt.NDArray[np.floating]
Loss = Callable[..., tuple[float, Array]]

__all__ = [
    "LOSSES",
    "log_softmax",
    "mse",
    "sigmoid",
    "sigmoid_binary_cross_entropy",
    "softmax",
    "softmax_cross_entropy",
    "softplus",
]


# --- stable helpers -------------------------------------------------------------------------

# Each helper wraps its exp in np.errstate(under="ignore"): exp of a very negative number underflows
# to 0.0, which is the right answer here, and must not raise when a caller (e.g. a test suite) has
# set np.seterr(all="raise").


def log_softmax(logits: npt.ArrayLike, axis: int = -1) -> Array:
    """log softmax(z)_c = z_c - logsumexp(z), with logsumexp(z) = m + log sum_c exp(z_c - m),
    m = max_c z_c. Subtracting m keeps every exponent <= 0, so nothing overflows."""
    z = _as_float(logits, "logits")
    shifted = z - np.max(z, axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(logits: npt.ArrayLike, axis: int = -1) -> Array:
    """softmax(z)_c = exp(z_c - m) / sum_k exp(z_k - m), m = max_k z_k (same value, no overflow)."""
    z = _as_float(logits, "logits")
    with np.errstate(under="ignore"):
        e = np.exp(z - np.max(z, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)


def sigmoid(x: npt.ArrayLike) -> Array:
    """sig(x) = 1 / (1 + exp(-x)) of the checked input (`rnnlab.activations.sigmoid`)."""
    return _sigmoid(_as_float(x, "x"))


def softplus(x: npt.ArrayLike) -> Array:
    """softplus(x) = log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)); derivative sig(x)."""
    z = _as_float(x, "x")
    out = np.abs(z)  # in place from here: evaluation batches reach 10^7 elements
    np.negative(out, out=out)
    with np.errstate(under="ignore"):
        np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(z, 0.0)
    return out


# --- losses ---------------------------------------------------------------------------------


def mse(
    output: npt.ArrayLike, target: npt.ArrayLike, mask: npt.ArrayLike | None = None
) -> tuple[float, Array]:
    """Mean squared error over the counted elements.

    With y = output, t = target (both ``(..., K)``), m the mask of the positions, and
    n = K * (number of counted positions)::

      (1) L     = (1/n) * sum_{counted p, k} (y[p,k] - t[p,k])**2
      (1')dL/dy = (2/n) * (y - t) at counted positions, 0 elsewhere

    Every one of the K outputs of a position is an element of the mean, as in
    ``torch.nn.MSELoss(reduction="mean")``.
    """
    y = _as_float(output, "output")
    _require_rank(y, "output")
    t = _as_float(target, "target")
    _require_shape(t, y.shape, "target", "the shape of output")
    counted, positions = _counted_positions(mask, y.shape[:-1])
    n = positions * y.shape[-1]
    if n == 0:
        return 0.0, np.zeros_like(y)
    diff = np.where(counted[..., None], y - t, 0.0)  # zero (not merely small) at padding
    value = float(np.sum(diff * diff)) / n  # (1)
    return value, (2.0 / n) * diff  # (1')


def softmax_cross_entropy(
    logits: npt.ArrayLike, labels: npt.ArrayLike, mask: npt.ArrayLike | None = None
) -> tuple[float, Array]:
    """Cross-entropy of a softmax over the last axis against integer class labels.

    With z = logits ``(..., C)``, labels y ``(...)`` in [0, C), and n counted positions::

      (1) L     = (1/n) * sum_{counted p} ( logsumexp(z[p]) - z[p, y[p]] )
      (1')dL/dz = (1/n) * ( softmax(z[p]) - onehot(y[p]) ) at counted p, 0 elsewhere

    Labels are checked only at counted positions, so padding may carry any integer (e.g. -1).
    """
    z = _as_float(logits, "logits")
    _require_rank(z, "logits")
    y = np.asarray(labels)
    if y.dtype.kind not in "iu":
        raise ValueError(f"labels: expected an integer array, got dtype {y.dtype}")
    _require_shape(y, z.shape[:-1], "labels", "the leading dims of logits")
    counted, n = _counted_positions(mask, z.shape[:-1])
    n_classes = z.shape[-1]
    bad = counted & ((y < 0) | (y >= n_classes))
    if np.any(bad):
        raise ValueError(
            f"labels: expected integers in [0, {n_classes}) at counted positions, "
            f"got {y[bad].min()}..{y[bad].max()}"
        )
    if n == 0:
        return 0.0, np.zeros_like(z)
    safe = np.where(counted, y, 0)[..., None]  # any valid index; the row is masked out anyway
    logp = log_softmax(z)
    nll = -np.take_along_axis(logp, safe, axis=-1)[..., 0]
    value = float(np.sum(np.where(counted, nll, 0.0))) / n  # (1)
    with np.errstate(under="ignore"):
        grad = np.exp(logp)  # softmax from the log, already computed stably
    np.put_along_axis(grad, safe, np.take_along_axis(grad, safe, axis=-1) - 1.0, axis=-1)
    return value, np.where(counted[..., None], grad, 0.0) / n  # (1')


def sigmoid_binary_cross_entropy(
    logits: npt.ArrayLike, targets: npt.ArrayLike, mask: npt.ArrayLike | None = None
) -> tuple[float, Array]:
    """Binary cross-entropy of independent sigmoids (multi-label), summed over labels and
    averaged over counted positions.

    With z = logits and t = targets in [0, 1] (both ``(..., K)``), n counted positions, and
    -[t log sig(z) + (1-t) log(1 - sig(z))] = softplus(z) - t * z::

      (1) L     = (1/n) * sum_{counted p} sum_k ( softplus(z[p,k]) - t[p,k] * z[p,k] )
      (1')dL/dz = (1/n) * ( sig(z) - t ) at counted p, 0 elsewhere

    Why sum over labels: the K labels of a position are one multi-label prediction, so its loss
    is the negative log-likelihood of the whole label vector, on the same per-position scale as
    ``softmax_cross_entropy``. This is K times ``torch.nn.BCEWithLogitsLoss(reduction="mean")``,
    which averages over the K labels too; with K = 1 the two agree.
    """
    z = _as_float(logits, "logits")
    _require_rank(z, "logits")
    t = _as_float(targets, "targets")
    _require_shape(t, z.shape, "targets", "the shape of logits")
    counted, n = _counted_positions(mask, z.shape[:-1])
    keep = counted[..., None]
    if np.any(keep & ((t < 0) | (t > 1))):
        raise ValueError("targets: expected values in [0, 1] at counted positions")
    if n == 0:
        return 0.0, np.zeros_like(z)
    per_label = softplus(z) - t * z  # no log(sig) that could hit log(0)
    value = float(np.sum(np.where(keep, per_label, 0.0))) / n  # (1)
    return value, np.where(keep, sigmoid(z) - t, 0.0) / n  # (1')


LOSSES: dict[str, Loss] = {
    "mse": mse,
    "softmax_ce": softmax_cross_entropy,
    "sigmoid_bce": sigmoid_binary_cross_entropy,
}


# --- input checks ---------------------------------------------------------------------------


def _as_float(x: npt.ArrayLike, name: str) -> Array:
    """The array as floats: float dtypes are kept (so float32 models stay float32)."""
    a = np.asarray(x)
    if a.dtype.kind == "f":
        return a
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    raise ValueError(f"{name}: expected a real numeric array, got dtype {a.dtype}")


def _require_rank(a: Array, name: str) -> None:
    if a.ndim < 1 or a.shape[-1] == 0:
        raise ValueError(f"{name}: expected shape (..., K) with K >= 1, got {a.shape}")


def _require_shape(a: np.ndarray, shape: tuple[int, ...], name: str, what: str) -> None:
    if a.shape != shape:
        raise ValueError(f"{name}: expected shape {shape} ({what}), got {a.shape}")


def _counted_positions(
    mask: npt.ArrayLike | None, shape: tuple[int, ...]
) -> tuple[npt.NDArray[np.bool_], int]:
    """The mask as bools of the leading dims, and how many positions it counts."""
    if mask is None:
        return np.ones(shape, dtype=bool), int(np.prod(shape, dtype=np.int64))
    m = np.asarray(mask)
    _require_shape(m, shape, "mask", "the leading dims of the output")
    # 0/1 integers are accepted as well; anything else is more likely a bug than a mask.
    if m.dtype != bool and not np.all((m == 0) | (m == 1)):
        raise ValueError(f"mask: expected a bool array (or 0/1 values), got dtype {m.dtype}")
    m = m.astype(bool)
    return m, int(np.count_nonzero(m))

"""What a music model must beat, on the same split and metric (nats per predicted frame):

* ``bernoulli``: each key on independently with its training frequency, Laplace-smoothed
  ``p_k = (on_k + 1) / (frames + 2)`` so a key never heard in training costs a finite amount;
* ``logistic_ar2``: 88 logistic regressions (L2, C = 1, scikit-learn's objective), key k
  of frame t from the 176 keys of frames t-1 and t-2 (zeros before the first frame); a key
  that is always off in training falls back to its Bernoulli probability.

Frames predicted: every frame but each chorale's first, as for the RNN.
"""

from __future__ import annotations

import numpy as np

from ..losses import sigmoid, softplus
from .piano_roll import frame_nll

Array = np.ndarray


def lagged(rolls: list[Array], order: int) -> tuple[Array, Array]:
    """Inputs (frames, order * 88): frames t-1 .. t-order; targets (frames, 88): frame t;
    over t = 1 .. T-1 of every roll."""
    xs, ys = [], []
    for roll in rolls:
        padded = np.concatenate([np.zeros((order - 1, roll.shape[1])), roll])
        T = len(roll)
        lags = [padded[order - k : order - k + T - 1] for k in range(1, order + 1)]
        xs.append(np.concatenate(lags, axis=1))
        ys.append(roll[1:])
    return np.concatenate(xs), np.concatenate(ys)


def bernoulli_logits(train: list[Array]) -> Array:
    _, y = lagged(train, 1)
    p = (y.sum(axis=0) + 1.0) / (len(y) + 2.0)
    return np.log(p) - np.log1p(-p)  # (88,)


def fit_logistic(x: Array, y: Array, c: float = 1.0) -> tuple[Array, Array]:
    """K independent L2-regularised logistic regressions on shared inputs, in one L-BFGS run.

    Minimises, for every column k of y (n, K) with x (n, F), scikit-learn's objective::

        (1) 0.5 |w_k|^2 + c * sum_i softplus(z_ik) - y_ik z_ik,   z = x @ W + b
        (1') dW = W + c * x.T @ (sigmoid(z) - y),   db = c * sum_i (sigmoid(z) - y)

    (the intercept b unpenalised). The sum over k separates, so the joint minimum is each
    regression's own; fitting them together costs one matrix product per iteration instead
    of K solver runs (scikit-learn took minutes for the 88 keys). Returns W (F, K), b (K,).
    """
    from scipy.optimize import minimize

    F, K = x.shape[1], y.shape[1]

    def objective(theta: Array) -> tuple[float, Array]:
        W, b = theta[: F * K].reshape(F, K), theta[F * K :]
        z = x @ W + b
        value = 0.5 * float(np.sum(W * W)) + c * float(np.sum(softplus(z) - y * z))  # (1)
        dz = c * (sigmoid(z) - y)
        return value, np.concatenate([(W + x.T @ dz).ravel(), dz.sum(axis=0)])  # (1')

    start = np.zeros(F * K + K)
    fit = minimize(objective, start, jac=True, method="L-BFGS-B",
                   options={"maxiter": 2000, "gtol": 1e-6})  # fmt: skip
    return fit.x[: F * K].reshape(F, K), fit.x[F * K :]


def logistic_ar_logits(train: list[Array], test: list[Array], order: int = 2) -> Array:
    """The logits of the logistic AR(order) for every predicted frame of ``test``."""
    x, y = lagged(train, order)
    x_test, _ = lagged(test, order)
    logits = np.tile(bernoulli_logits(train), (len(x_test), 1))
    varies = (y.sum(axis=0) > 0) & (y.sum(axis=0) < len(y))
    W, b = fit_logistic(x, y[:, varies])
    logits[:, varies] = x_test @ W + b
    return logits


def music_baselines(train: list[Array], test: list[Array]) -> dict[str, float]:
    """Test NLL (nats per predicted frame) of each baseline, by name."""
    _, y_test = lagged(test, 1)
    bern = np.broadcast_to(bernoulli_logits(train), y_test.shape)
    return {
        "bernoulli": frame_nll(bern, y_test),
        "logistic_ar2": frame_nll(logistic_ar_logits(train, test, 2), y_test),
    }

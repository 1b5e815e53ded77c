"""SGD, Adam and RMSprop with PyTorch's update rules (torch.optim, non-foreach form).

Notation per parameter p with gradient g at update t = 1, 2, ...; lr is the schedule's value,
wd the weight decay, and every operation is elementwise. Lines tagged ``# (k)`` are equation k.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._checks import fraction, known_options, non_negative
from .base import Optimizer
from .schedules import Schedule

__all__ = ["OPTIMIZERS", "SGD", "Adam", "RMSprop", "make_optimizer"]


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum, as torch.optim.SGD::

      (1) d = g + wd * p
      (2) b = d                                  at t = 1 (the buffer starts at the gradient)
          b = mu * b + (1 - dampening) * d       at t > 1
      (3) d = d + mu * b  if nesterov,  else  d = b          (only when mu > 0)
      (4) p = p - lr * d

    With mu = 0 the buffer is not kept and this is plain gradient descent.
    """

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float | Schedule,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        self.momentum = fraction("momentum", momentum)  # mu >= 1: b grows without bound
        self.dampening = non_negative("dampening", dampening)
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("nesterov: requires momentum > 0 and dampening = 0")
        super().__init__(params, lr, weight_decay)

    def _buffers(self) -> tuple[str, ...]:
        return ("momentum_buffer",) if self.momentum else ()

    def _update(self, name: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        d = g + self.weight_decay * p if self.weight_decay else g  # (1)
        if self.momentum:
            b = self.state["momentum_buffer"][name]
            if self.t == 0:
                b[...] = d  # (2) no dampening on the first step, as torch
            else:
                b *= self.momentum  # (2)
                b += (1 - self.dampening) * d
            d = d + self.momentum * b if self.nesterov else b  # (3)
        p -= lr * d  # (4)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) as torch.optim.Adam, or AdamW with ``decoupled=True``::

      (1) g = g + wd * p                          (L2, torch.optim.Adam)
       or p = p * (1 - lr * wd)                   (decoupled, torch.optim.AdamW)
      (2) m = b1 * m + (1 - b1) * g
      (3) v = b2 * v + (1 - b2) * g**2
      (4) p = p - (lr / (1 - b1**t)) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)

    (4) is torch's arrangement of the bias corrections m/(1-b1^t) and v/(1-b2^t): eps is added
    to the corrected sqrt(v), as in the paper. No amsgrad.
    """

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float | Schedule,
        weight_decay: float = 0.0,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        decoupled: bool = False,
    ) -> None:
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"betas: expected a pair (beta1, beta2), got {betas!r}")
        self.betas = (fraction("betas[0]", betas[0]), fraction("betas[1]", betas[1]))
        self.eps = non_negative("eps", eps)
        self.decoupled = bool(decoupled)
        super().__init__(params, lr, weight_decay)

    def _buffers(self) -> tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq")

    def _update(self, name: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        (b1, b2), t = self.betas, self.t + 1  # t counts this update too
        if self.weight_decay and self.decoupled:
            p *= 1 - lr * self.weight_decay  # (1) AdamW
        elif self.weight_decay:
            g = g + self.weight_decay * p  # (1) Adam
        m, v = self.state["exp_avg"][name], self.state["exp_avg_sq"][name]
        m *= b1  # (2)
        m += (1 - b1) * g
        v *= b2  # (3)
        v += (1 - b2) * (g * g)
        denom = np.sqrt(v) / math.sqrt(1 - b2**t) + self.eps
        p -= (lr / (1 - b1**t)) * (m / denom)  # (4)


class RMSprop(Optimizer):
    """RMSprop (Tieleman & Hinton 2012) as torch.optim.RMSprop::

      (1) g = g + wd * p
      (2) s = alpha * s + (1 - alpha) * g**2
      (3) a = sqrt(s) + eps,  or if centered:  c = alpha * c + (1 - alpha) * g;
                                               a = sqrt(s - c**2) + eps
      (4) b = mu * b + g / a;  p = p - lr * b     if mu > 0
          p = p - lr * g / a                      otherwise

    Buffers start at zero (unlike SGD's momentum buffer), as in torch.
    """

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float | Schedule,
        weight_decay: float = 0.0,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        self.alpha = fraction("alpha", alpha)
        self.eps = non_negative("eps", eps)
        self.momentum = fraction("momentum", momentum)  # mu >= 1: b grows without bound
        self.centered = bool(centered)
        super().__init__(params, lr, weight_decay)

    def _buffers(self) -> tuple[str, ...]:
        return (
            ("square_avg",)
            + (("momentum_buffer",) if self.momentum else ())
            + (("grad_avg",) if self.centered else ())
        )

    def _update(self, name: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p  # (1)
        s = self.state["square_avg"][name]
        s *= self.alpha  # (2)
        s += (1 - self.alpha) * (g * g)
        if self.centered:
            c = self.state["grad_avg"][name]
            c *= self.alpha  # (3)
            c += (1 - self.alpha) * g
            a = np.sqrt(s - c * c) + self.eps
        else:
            a = np.sqrt(s) + self.eps  # (3)
        if self.momentum:
            b = self.state["momentum_buffer"][name]
            b *= self.momentum  # (4)
            b += g / a
            p -= lr * b
        else:
            p -= lr * (g / a)  # (4)


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}


def make_optimizer(
    name: str, params: Mapping[str, np.ndarray], lr: float | Schedule, **kw: Any
) -> Optimizer:
    """The optimizer called `name` ("sgd", "adam", "rmsprop") over `params`.

    Example: ``make_optimizer("adam", model_params, 0.005, weight_decay=1e-4)``.
    Unknown names or options, and out-of-range values, raise ValueError naming the argument.
    """
    if name not in OPTIMIZERS:
        raise ValueError(
            f"name: unknown optimizer {name!r}; expected one of {', '.join(OPTIMIZERS)}"
        )
    known_options(f"the {name!r} optimizer", OPTIMIZERS[name], kw)
    return OPTIMIZERS[name](params, lr, **kw)

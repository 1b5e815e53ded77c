"""Gradient clipping, in place on a dict name -> array of gradients (torch.nn.utils semantics)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ._checks import float_arrays, positive

__all__ = ["clip_grad_norm", "clip_grad_value"]


def clip_grad_norm(grads: Mapping[str, np.ndarray], max_norm: float) -> float:
    """Scale all gradients together so that their global L2 norm is at most about `max_norm`::

      (1) n = sqrt( sum_k ||g_k||**2 )             over every array k, flattened
      (2) g_k = g_k * max_norm / (n + 1e-6)        for every k, only if that factor is < 1

    Returns n, the norm *before* clipping (what torch.nn.utils.clip_grad_norm_ returns). The
    1e-6 is torch's: it keeps a zero gradient finite. One common factor keeps the direction of
    the whole gradient, which is the point of clipping by norm (Pascanu et al. 2013).
    A non-finite n is returned as it is and the gradients are left alone (torch would turn them
    into NaN), so that the caller can see it and skip the step.
    """
    max_norm = positive("max_norm", max_norm)
    grads = float_arrays("grads", grads)
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))  # (1)
    scale = max_norm / (norm + 1e-6)
    if math.isfinite(norm) and scale < 1:
        for g in grads.values():
            g *= scale  # (2)
    return norm


def clip_grad_value(grads: Mapping[str, np.ndarray], clip_value: float) -> None:
    """Clip every gradient element into [-clip_value, clip_value], in place."""
    clip_value = positive("clip_value", clip_value)
    for g in float_arrays("grads", grads).values():
        np.clip(g, -clip_value, clip_value, out=g)

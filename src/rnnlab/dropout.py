"""Inverted dropout's mask, the one every model draws (the layers between stacked layers, the
encoder-decoder also between its decoder's layers and before its readout)."""

from __future__ import annotations

from typing import Any

import numpy as np


def dropout_mask(
    shape: tuple[int, ...], rate: float, rng: np.random.Generator, dtype: Any
) -> np.ndarray:
    """Each entry 0 with probability ``rate``, else 1 / (1 - rate): the expected output is the
    input, so evaluation (no mask) needs no rescaling."""
    keep = (rng.random(shape) >= rate).astype(dtype)
    return keep / (1.0 - rate)

"""Conversion between the public state layout (PyTorch's) and the per-layer tuples of the loop.

Public: for the RNN and GRU an array ``h`` of shape (layers*directions, N, H); for the LSTM the
tuple ``(h, c)`` of two such arrays (``(h, c, q)`` with full gate recurrence, q being (.., N, S*H)).
Inside, a list with one tuple of (N, size) arrays per layer and direction, index
``layer * directions + direction``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .cells.base import Array, State
from .validation import all_finite, as_float_array, check_shape

if TYPE_CHECKING:
    from .layers import PublicState, RecurrentLayer


def from_public_state(
    layer: RecurrentLayer, state: PublicState | None, batch: int, name: str = "state"
) -> list[State]:
    """Split a public state into per-(layer, direction) tuples; zeros when ``state`` is None."""
    names, sizes = layer.cell.state_names, layer.cell.state_sizes()
    count = layer.num_layers * layer.directions
    if state is None:  # one zeros tuple for every layer and direction: the loops only read it
        return [tuple(np.zeros((batch, size), layer.dtype) for size in sizes)] * count
    if len(names) == 1:
        if isinstance(state, tuple | list):
            raise ValueError(f"{name}: expected one array h for a {layer.kind.upper()}")
        state = (state,)
    elif not isinstance(state, tuple | list) or len(state) != len(names):
        expected = f"a tuple of {len(names)} arrays ({', '.join(names)})"
        raise ValueError(f"{name}: expected {expected}")
    parts = []
    for part, part_name, size in zip(state, names, sizes, strict=True):
        label = name if len(names) == 1 else f"{name}[{part_name}]"
        arr = as_float_array(part, label, layer.dtype, 3)
        check_shape(arr, (count, batch, size), label)
        parts.append(arr)
    return [tuple(part[k] for part in parts) for k in range(count)]


def to_public_state(layer: RecurrentLayer, states: list[State]) -> PublicState:
    """Stack per-(layer, direction) tuples into the public layout."""
    if len(states) == 1:  # one layer and direction: a copy with a new axis, 1 us against 8
        parts = tuple(part[None].copy() for part in states[0])
    else:
        parts = tuple(np.stack([s[k] for s in states]) for k in range(len(states[0])))
    return parts[0] if len(parts) == 1 else parts


def detach_state(state: PublicState) -> PublicState:
    """A copy of a state, for carrying it into the next chunk of truncated BPTT."""
    if isinstance(state, tuple):
        return tuple(np.array(s, copy=True) for s in state)
    return np.array(state, copy=True)


def state_is_finite(state: PublicState) -> bool:
    """Whether every entry of a public state is finite (a blown-up state is not)."""
    return all(all_finite(part) for part in (state if isinstance(state, tuple) else (state,)))


__all__ = ["Array", "detach_state", "from_public_state", "state_is_finite", "to_public_state"]

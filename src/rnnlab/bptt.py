"""The one time loop: unroll a cell forward over a sequence, and backpropagate through time.

Every cell, variant and direction runs through these two functions; cells never loop. Arrays are
time-major here, (T, N, ...). The input projection for all steps (``xp``) comes in precomputed
and the weight gradients are formed after the loop, so the loop itself holds only the work that
must be sequential.

Variable lengths are a mask: at a padded step the state passes through unchanged, the output is
zero, and in the backward pass the gradient passes through unchanged while the step receives
none. Running the loop in reverse with the same mask starts each sequence at its last valid step.
"""

from __future__ import annotations

import numpy as np

from .cells.base import Array, Cell, Params, State, StepCache


def _time_order(T: int, reverse: bool) -> range:
    return range(T - 1, -1, -1) if reverse else range(T)


def unroll(
    cell: Cell,
    p: Params,
    xp: Array,
    state: State,
    mask: Array | None = None,
    reverse: bool = False,
) -> tuple[Array, State, StepCache]:
    """Run ``cell`` over all steps of ``xp`` (T, N, G*H) from ``state``.

    Returns the outputs ``hs`` (T, N, H), the final state and the per-step caches stacked over
    time as (T, N, ...) arrays: gate activations, cell states, whatever the cell stored.
    ``mask`` (T, N, 1) marks valid steps.
    """
    T = xp.shape[0]
    hs = np.zeros((T, *state[0].shape), dtype=xp.dtype)
    caches: StepCache = {}
    for t in _time_order(T, reverse):
        new_state, step_cache = cell.step(p, xp[t], state)
        if mask is not None:  # padded rows keep their state
            new_state = tuple(
                np.where(mask[t], new, old) for new, old in zip(new_state, state, strict=True)
            )
            hs[t] = new_state[0] * mask[t]
        else:
            hs[t] = new_state[0]
        for name, value in step_cache.items():
            if name not in caches:
                caches[name] = np.empty((T, *value.shape), dtype=value.dtype)
            caches[name][t] = value
        state = new_state
    return hs, state, caches


def backprop(
    cell: Cell,
    p: Params,
    caches: StepCache,
    dhs: Array,
    dstate: State,
    mask: Array | None = None,
    reverse: bool = False,
    trace: list[Array] | None = None,
) -> tuple[Array, Array, State]:
    """Backpropagate through time over the steps `unroll` ran, in the opposite order.

    ``dhs`` (T, N, H) is the gradient of the outputs, ``dstate`` that of the final state.
    Returns ``dxp`` (T, N, G*H), the gradient of the input projection; ``dhp``, that of the
    recurrent projection (the cell forms its weight gradients from it outside the loop); and the
    gradient of the initial state. If ``trace`` is a list, it receives one (T, N, size) array per
    state entry: the gradient of the loss with respect to the state after each step, the error
    signal whose decay over time the diagnostics measure.
    """
    T = dhs.shape[0]
    dxp = np.zeros((T, *dhs.shape[1:-1], p["weight_hh"].shape[0]), dtype=dhs.dtype)
    dhp = np.zeros_like(dxp)
    for t in reversed(_time_order(T, reverse)):
        step_cache = {name: value[t] for name, value in caches.items()}
        ds = (dstate[0] + dhs[t], *dstate[1:])
        if trace is not None:
            if not trace:
                trace.extend(np.zeros((T, *d.shape), dtype=d.dtype) for d in ds)
            for buffer, d in zip(trace, ds, strict=True):
                buffer[t] = d
        dxp_t, dhp_t, dprev = cell.step_backward(p, step_cache, ds)
        if mask is not None:  # padded rows: the gradient passes through, the step gets none
            dprev = tuple(
                np.where(mask[t], d, d_skip) for d, d_skip in zip(dprev, dstate, strict=True)
            )
            dxp_t, dhp_t = dxp_t * mask[t], dhp_t * mask[t]
        dxp[t], dhp[t] = dxp_t, dhp_t
        dstate = dprev
    return dxp, dhp, dstate

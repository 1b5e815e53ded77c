"""One layer direction on the fast path: its `forward` and its `backward`, one call each.

`rnnlab.backend.fast_path` hands this module to the layer for the cells the kernels know
(`rnnlab.fast.support`). `forward` is the input projection and the time loop, `backward` the
loop backwards and the input's and parameters' gradients: the same arguments and numbers (to
rounding) as the reference steps in `rnnlab.layer_products`. Each cell's entry (`ENTRIES`)
prepares its kernel's arrays and runs it on batch slices.

For every cell whose weight gradients are the plain ones (`in_one_call`), the products outside
the loop run in the same call as the kernel's loop (`rnnlab.fast.products.around_loop`); for the
others they are separate steps on the same tiles (`rnnlab.fast.products.outside_loop`).
"""

from __future__ import annotations

from ..cells import GRUCell, LSTMCell, RNNCell
from ..cells.base import Array, Cell, Params, State, StepCache, row_sum
from . import gru, lstm, rnn
from .products import around_loop, outside_loop

ENTRIES = {LSTMCell: lstm, GRUCell: gru, RNNCell: rnn}


def plain_grads(cell: Cell) -> bool:
    """Whether the cell's only recurrent weights are W_hh and b_hh, read with the plain previous
    state (the RNN, the GRU with the reset after the product, the LSTM without peepholes and
    gate recurrence): its weight gradients are those of `recurrent_grads`."""
    if type(cell) is LSTMCell:
        return not (cell.spec.peepholes or cell.spec.gate_recurrence)
    return type(cell) is RNNCell or (type(cell) is GRUCell and cell.reset_after)


in_one_call = plain_grads  # the cells whose products `around_loop` makes in the kernel's call


def recurrent_grads(caches: StepCache, dhp: Array) -> Params:
    """`rnnlab.cells.base.recurrent_grads` (dW_hh = da.T @ h_prev, db_hh = sum da): the product
    by `outside_loop.gram`, as W_ih's, the sum by `row_sum`."""
    return {"weight_hh": outside_loop.gram(dhp, caches["h_prev"]), "bias_hh": row_sum(dhp)}


def weight_grads(cell: Cell, p: Params, caches: StepCache, dxp: Array, dhp: Array) -> Params:
    """``cell.weight_grads``; for `plain_grads` cells `recurrent_grads`: the same numbers with a
    faster bias sum (and for the GRU one product where its cell makes two)."""
    if plain_grads(cell):
        return recurrent_grads(caches, dhp)
    return cell.weight_grads(p, caches, dxp, dhp)


def forward(
    cell: Cell, p: Params, inp: Array, state: State, mask: Array | None, reverse: bool, keep: bool
) -> tuple[Array, State, StepCache]:
    """The input projection of ``inp`` (T, N, D) (a batch-first array's view, maybe) and the time
    loop over it: (outputs (T, N, H), final state, caches). ``keep=False``: no backward will
    follow (the LSTM then skips its caches and returns ``{}``)."""
    entry, reverse, bias_ih = ENTRIES[type(cell)], bool(reverse), p["bias_ih"]
    if not in_one_call(cell):
        xp = outside_loop.project(inp, p["weight_ih"].T)
        return entry.unroll(cell, p, xp, state, mask, reverse, keep, bias_ih)
    return entry.unroll(cell, p, None, state, mask, reverse, keep, bias_ih, inp)


def backward(
    cell: Cell, p: Params, caches: StepCache, dhs: Array, dstate: State, mask: Array | None,
    reverse: bool, inp: Array, trace: list[Array] | None,
) -> tuple[Params, Array, State]:  # fmt: skip
    """The loop backwards from ``dhs`` (T, N, H) and ``dstate``: (the parameters' gradients under
    the cell's local names, the gradient of ``inp`` (T, N, D), that of the initial state).
    ``trace`` as `rnnlab.bptt.backprop`'s."""
    entry, reverse = ENTRIES[type(cell)], bool(reverse)
    shared = type(cell) is not GRUCell  # the LSTM's and the RNN's dxp is their dhp
    grads = dx = None
    if trace is None and in_one_call(cell):
        prods = around_loop.gradients(inp, p["weight_ih"], caches["h_prev"], dhs.dtype, shared)
        dxp, dhp, d0 = entry.backprop(cell, p, caches, dhs, dstate, mask, reverse, None, prods)
        grads = prods.grads
        dx = None if prods.dx is None else prods.dx.transpose(1, 0, 2)
    else:
        dxp, dhp, d0 = entry.backprop(cell, p, caches, dhs, dstate, mask, reverse, trace)
    if grads is None:  # what the kernel's call did not make
        grads = {"weight_ih": outside_loop.gram(dxp, inp)}
        grads.update(weight_grads(cell, p, caches, dxp, dhp))
        grads["bias_ih"] = grads["bias_hh"].copy() if shared else row_sum(dxp)
    if dx is None:
        dx = outside_loop.backproject(dxp, p["weight_ih"])
    return grads, dx, d0

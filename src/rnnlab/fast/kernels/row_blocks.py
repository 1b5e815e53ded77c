"""Flat views and element-wise loops over the kernels' contiguous blocks.

A block is a row, or rows n0:n1 of a (T, N, H) array or an (N, H) buffer: contiguous memory.
Walking it as one flat loop vectorises across rows. Flattening with ``.reshape(-1)`` looked
free but is not: numba calls a C helper (``numba_attempt_nocopy_reshape``) for each reshape of
a sliced array, 9 to 28 call sites in a kernel's loop body, every step (about 7 % of an LSTM
step at batch 1, measured). `flat` builds the 1-D view directly from the block's pointer and
size.
"""

from __future__ import annotations

from numba import njit, types
from numba.core import cgutils
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array


@intrinsic
def flat(typingctx, block):
    """The 1-D view of a C-contiguous ``block`` (not checked: the kernels' blocks are)."""
    result = types.Array(block.dtype, 1, "C")
    sig = result(block)

    def codegen(context, builder, signature, args):
        src = make_array(signature.args[0])(context, builder, args[0])
        size = cgutils.unpack_tuple(builder, src.shape, block.ndim)
        n = size[0]
        for extent in size[1:]:
            n = builder.mul(n, extent)
        dst = make_array(result)(context, builder)
        populate_array(dst, data=src.data, shape=[n], strides=[src.itemsize],
                       itemsize=src.itemsize, meminfo=src.meminfo)  # fmt: skip
        return impl_ret_borrowed(context, builder, result, dst._getvalue())

    return sig, codegen


@njit(inline="always")
def copy(src, dst):
    """dst[...] = src for two contiguous blocks of the same size, as one flat loop."""
    s, d = flat(src), flat(dst)
    for k in range(s.shape[0]):
        d[k] = s[k]


@njit(inline="always")
def add(x, y, out):
    """out[...] = x + y for three contiguous blocks of the same size, as one flat loop."""
    xf, yf, of = flat(x), flat(y), flat(out)
    for k in range(of.shape[0]):
        of[k] = xf[k] + yf[k]


@njit(inline="always")
def join_output_grad(dh, dhs, dhs_nt, t, n0, out):
    """out = dh + the output's gradient of step t for rows n0:n0 + len(out): ``dhs`` is (T, N, H),
    or with ``dhs_nt`` (N, T, H) (the caller's batch-first dy, read in place)."""
    if dhs_nt:
        for r in range(out.shape[0]):
            add(dh[r], dhs[n0 + r, t], out[r])
    else:
        add(dh, dhs[t, n0 : n0 + out.shape[0]], out)

"""The kernels' per-step matrix product with the weight packed once per sequence.

``product(wp, x, out)`` computes ``out = x @ w`` for a (rows, K) ``x`` and the (K, M) weight
``w`` that `pack` laid out as M / P panels of (K, P): P = two vectors of columns (32 float32,
16 float64). A tile of up to 8 rows of ``x`` times one panel keeps its 8 x 2 vector accumulators
in registers through the loop over k; each k loads the panel's two vectors once and adds one
broadcast of each row's ``x[r, k]`` times them, by fused multiply-add. Panels are the outer
loop, so each part of ``w`` is read from memory once per step and then from L1 for every tile.

Why not BLAS: `cblas_?gemm` repacks ``w`` into its own panels on every call (13 % of the LSTM's
forward loop at hidden 128 under ``perf``), and per step ``w`` is the large operand. Measured
on the Zen 4 host, 1 thread, float32, 100 products in a compiled loop (GF/s, this / NumPy's
OpenBLAS in its better orientation): (32 x 128) @ (128 x 512) 114 / 93, (32 x 512) @ (512 x
2048) 115 / 85, (32 x 2048) @ (2048 x 512) 108 / 79; the 512^3 sgemm probe runs at 90-100.

The fused multiply-add is ``llvm.fma``, IEEE 754's fusedMultiplyAdd (one rounding, as BLAS
kernels use it), not a fast-math licence: the sum still runs in order over k. On a CPU without
FMA units LLVM calls libm's ``fma``, slower but the same numbers.
"""

from __future__ import annotations

from functools import lru_cache

import numba
import numpy as np
from llvmlite import ir
from numba import carray, cfunc, njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from .blas import array_structs, gemm

VECTORS = 2  # vectors of columns per panel


def panel_width(dtype: np.dtype) -> int:
    """Columns per panel: two 512-bit vectors of ``dtype`` (LLVM splits them on narrower
    hardware); ``dtype`` a NumPy dtype (an array's ``.dtype``)."""
    return VECTORS * 64 // dtype.itemsize


def packable(columns: int, dtype: np.dtype) -> bool:
    """Whether a product with ``columns`` output columns can run packed (whole panels only)."""
    return columns % panel_width(dtype) == 0


def pack(w: np.ndarray) -> np.ndarray:
    """The (K, M) weight as (M / P, K, P) panels, one copy (``w`` may be a transposed view);
    ``packable(M)`` must hold."""
    K, M = w.shape
    P = panel_width(w.dtype)
    return np.ascontiguousarray(w.reshape(K, M // P, P).transpose(1, 0, 2))


def none(dtype: np.dtype) -> np.ndarray:
    """The stand-in for "no packed weight" (the kernels then call BLAS)."""
    return np.empty((0, 0, 0), dtype)


def with_packed(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """What `matmul` takes for the (K, M) weight ``w``, C-contiguous or a transposed view:
    (an empty stand-in, w packed, `address`), or (w C-contiguous, `none`, 0) when its columns
    do not fill whole panels. Packing reads ``w`` in place: a contiguous copy of the transposed
    W_hh first took 3.2 of 4.5 ms at hidden 512, and only BLAS would read it."""
    if w.size and packable(w.shape[1], w.dtype):
        return np.empty((0, 0), w.dtype), pack(w), address(w.dtype)
    return np.ascontiguousarray(w), none(w.dtype), 0


class _TileIR:
    """Builds the LLVM IR of one tile of ``rows`` rows (see `_make_tile`) for a float ``dtype``:
    512-bit vectors of L lanes, `VECTORS` of them per panel row."""

    def __init__(self, context, builder, dtype, rows: int) -> None:
        self.b, self.rows, self.bits = builder, rows, dtype.bitwidth
        self.L = 512 // self.bits
        self.vty = ir.VectorType(context.get_value_type(dtype), self.L)
        self.i32, self.i64 = ir.IntType(32), ir.IntType(64)
        name = f"llvm.fma.v{self.L}f{self.bits}"
        self.fma = builder.module.globals.get(name) or ir.Function(
            builder.module, ir.FunctionType(self.vty, [self.vty] * 3), name
        )
        self.zero = ir.Constant(self.vty, [0.0] * self.L)

    def const(self, v: int) -> ir.Constant:
        return ir.Constant(self.i64, v)

    def vector_at(self, ptr, index):
        return self.b.bitcast(self.b.gep(ptr, [index]), self.vty.as_pointer())

    def products(self, w_ptr, x_ptr, w0, wk, x0, xr, xk, K) -> list:
        """The loop over k: for each row r and vector v, acc += x[r, k] * w's vector v at k (one
        fused multiply-add); returns the accumulators after it (zeros when K is 0)."""
        b, L, n = self.b, self.L, self.rows * VECTORS
        entry = b.block
        body, done = b.append_basic_block("k"), b.append_basic_block("k_done")
        b.cbranch(b.icmp_signed(">", K, self.const(0)), body, done)
        b.position_at_end(body)
        k = b.phi(self.i64)
        k.add_incoming(self.const(0), entry)
        accs = [b.phi(self.vty) for _ in range(n)]
        for acc in accs:
            acc.add_incoming(self.zero, entry)
        spread = ir.Constant(ir.VectorType(self.i32, L), [0] * L)
        base = b.add(w0, b.mul(k, wk))
        ws = [
            b.load(self.vector_at(w_ptr, b.add(base, self.const(v * L))), align=self.bits // 8)
            for v in range(VECTORS)
        ]
        x_k, undefined = b.add(x0, b.mul(k, xk)), ir.Constant(self.vty, ir.Undefined)
        new = []
        for r in range(self.rows):
            s = b.load(b.gep(x_ptr, [b.add(x_k, b.mul(xr, self.const(r)))]))
            s = b.shuffle_vector(b.insert_element(undefined, s, ir.Constant(self.i32, 0)),
                                 undefined, spread)  # fmt: skip
            new += [b.call(self.fma, [s, w, accs[r * VECTORS + v]]) for v, w in enumerate(ws)]
        k_next, end = b.add(k, self.const(1)), b.block
        k.add_incoming(k_next, end)
        for acc, value in zip(accs, new, strict=True):
            acc.add_incoming(value, end)
        b.cbranch(b.icmp_signed("<", k_next, K), body, done)
        b.position_at_end(done)
        totals = [b.phi(self.vty) for _ in range(n)]  # phi nodes first: LLVM wants them on top
        for total, value in zip(totals, new, strict=True):
            total.add_incoming(self.zero, entry)
            total.add_incoming(value, end)
        return totals

    def store(self, totals: list, out_ptr, o0, orow, beta) -> None:
        """Row r's vectors to ``out[o0 + r*orow :]``, added to what is there when ``beta`` != 0."""
        b, align = self.b, self.bits // 8
        add = b.icmp_signed("!=", beta, self.const(0))
        for r in range(self.rows):
            row = b.add(o0, b.mul(orow, self.const(r)))
            for v in range(VECTORS):
                dst = self.vector_at(out_ptr, b.add(row, self.const(v * self.L)))
                old = b.select(add, b.load(dst, align=align), self.zero)
                b.store(b.fadd(totals[r * VECTORS + v], old), dst, align=align)


def _make_tile(rows: int):
    """An intrinsic ``tile(w, x, out, at)``: ``rows`` x one panel of ``out = x @ w`` over K.

    ``at`` = (w0, wk, x0, xr, xk, o0, orow, K, beta): element offsets and strides into the
    three arrays' data, so one tile serves packed and plain weights, and transposed or strided
    ``x`` and ``out``: the panel's two vectors at k are ``w[w0 + k*wk :][:P]``; ``x[r, k]`` is
    ``x[x0 + r*xr + k*xk]``; row r's result goes to ``out[o0 + r*orow :][:P]``, added to what
    is there when ``beta`` is not 0."""

    @intrinsic
    def tile(typingctx, w, x, out, at):
        sig = types.void(w, x, out, at)

        def codegen(context, builder, signature, args):
            gen = _TileIR(context, builder, signature.args[0].dtype, rows)
            views = array_structs(context, builder, signature.args[:3], args[:3])
            w_ptr, x_ptr, out_ptr = (view.data for view in views)
            w0, wk, x0, xr, xk, o0, orow, K, beta = cgutils.unpack_tuple(builder, args[3], 9)
            totals = gen.products(w_ptr, x_ptr, w0, wk, x0, xr, xk, K)
            gen.store(totals, out_ptr, o0, orow, beta)
            return context.get_dummy_value()

        return sig, codegen

    return tile


_tile8, _tile4, _tile2, _tile1 = (_make_tile(rows) for rows in (8, 4, 2, 1))


@njit(inline="always")
def panel(w, x, out, w0, wk, x0, xr, xk, o0, orow, K, beta, rows):
    """``rows`` rows of one panel (see `_make_tile` for the offsets and strides), in tiles of
    8, 4, 2 and 1 rows."""
    r = 0
    while r < rows:
        at = (w0, wk, x0 + r * xr, xr, xk, o0 + r * orow, orow, K, beta)
        if r + 8 <= rows:
            _tile8(w, x, out, at)
            r += 8
        elif r + 4 <= rows:
            _tile4(w, x, out, at)
            r += 4
        elif r + 2 <= rows:
            _tile2(w, x, out, at)
            r += 2
        else:
            _tile1(w, x, out, at)
            r += 1


@njit(cache=True, error_model="numpy", nogil=True)
def product(wp, x, out):
    """out = x @ w, ``wp = pack(w)``; C-contiguous ``x`` (rows, K) and ``out`` (rows, M).

    The kernels call it by address (`matmul`), `rnnlab.fast.products.tall` directly."""
    K, M, P = np.int64(wp.shape[1]), np.int64(out.shape[1]), np.int64(wp.shape[2])
    for b in range(wp.shape[0]):
        panel(wp, x, out, b * K * P, P, np.int64(0), K, np.int64(1), b * P, M, K, 0, x.shape[0])


def _product_f32(wp, blocks, K, x, rows, out, M):  # the C-callable form of `product`
    product(carray(wp, (blocks, K, 32)), carray(x, (rows, K)), carray(out, (rows, M)))


def _product_f64(wp, blocks, K, x, rows, out, M):
    product(carray(wp, (blocks, K, 16)), carray(x, (rows, K)), carray(out, (rows, M)))


@lru_cache(maxsize=2)
def address(dtype: np.dtype) -> int:
    """Address of `product` compiled as a C function for ``dtype`` (compiled on first use).

    The kernels call it through this address, passed in at run time, rather than as a numba
    function: a called numba function is linked into, and optimised again with, every kernel
    that calls it (about 0.5 s of compile time for each of the six), a C call is not."""
    numba_type = numba.from_dtype(dtype)
    ptr, i64 = types.CPointer(numba_type), types.int64
    impl = _product_f32 if numba_type == types.float32 else _product_f64
    compiled = cfunc(types.void(ptr, i64, i64, ptr, i64, ptr, i64), cache=True)(impl)
    return compiled.address


@intrinsic
def _call(typingctx, fn, wp, x, out):
    """Call the C `product` at address ``fn`` on the arrays' data."""
    sig = types.void(fn, wp, x, out)

    def codegen(context, builder, signature, args):
        fn_, *arrays = args
        views = array_structs(context, builder, signature.args[1:], arrays)
        fty = context.get_value_type(signature.args[1].dtype).as_pointer()
        i64 = ir.IntType(64)
        fnty = ir.FunctionType(ir.VoidType(), [fty, i64, i64, fty, i64, fty, i64])
        wp_shape = cgutils.unpack_tuple(builder, views[0].shape, 3)
        x_rows = cgutils.unpack_tuple(builder, views[1].shape, 2)[0]
        out_cols = cgutils.unpack_tuple(builder, views[2].shape, 2)[1]
        call_args = [views[0].data, wp_shape[0], wp_shape[1], views[1].data, x_rows,
                     views[2].data, out_cols]  # fmt: skip
        builder.call(builder.inttoptr(fn_, fnty.as_pointer()), call_args)
        return context.get_dummy_value()

    return sig, codegen


@njit(inline="always")
def matmul(ws, blas, x, out):
    """out = x @ ws[0]: `product` (at address ws[2]) if ws[1] holds ws[0] packed, else one BLAS
    call (`rnnlab.fast.products.blas.gemm`)."""
    if ws[1].shape[0] > 0:
        _call(ws[2], ws[1], x, out)
    else:
        gemm(blas, x, ws[0], out)

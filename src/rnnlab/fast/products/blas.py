"""The kernels' per-step product through NumPy's own OpenBLAS, when it can be found: the
fallback of `rnnlab.fast.products.tiles.matmul` for widths that do not fill whole panels.

numba's ``np.dot`` calls scipy's OpenBLAS (0.3.30 here) through ``scipy.linalg.cython_blas``.
NumPy ships another OpenBLAS (scipy-openblas64, 0.3.31 here) that runs the recurrent products'
shapes markedly faster on the Zen 3 host where this was measured: (32 x H) @ (H x 4H) in the
orientation the LSTM kernel then used, 1 thread, 90 GF/s against 66-70 GF/s from
scipy's at H = 512, and 92 against 72 at H = 128. `gemm` calls that library's ``cblas_?gemm``
through its address, passed in at run time (an address baked into the code would defeat numba's
disk cache); with address 0 (no such library: another NumPy build) it falls back to ``np.dot``.
"""

from __future__ import annotations

import ctypes
import os
from functools import lru_cache

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

_ROW_MAJOR, _NO_TRANS = 101, 111  # CBLAS enum values
_SYMBOLS = {  # ILP64 scipy-openblas builds (NumPy's wheels): 64-bit integer arguments
    np.dtype(np.float32): "scipy_cblas_sgemm64_",
    np.dtype(np.float64): "scipy_cblas_dgemm64_",
}


@lru_cache(maxsize=4)
def gemm_address(dtype: np.dtype) -> int:
    """Address of NumPy's ILP64 ``cblas_?gemm`` for ``dtype``, or 0 if it is not loaded."""
    if os.environ.get("RNNLAB_NUMPY_BLAS", "1") == "0":
        return 0
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas64" in line.lower()})
    except OSError:
        return 0
    for path in paths:
        fn = getattr(ctypes.CDLL(path), _SYMBOLS.get(np.dtype(dtype), ""), None)
        if fn is not None:
            return ctypes.cast(fn, ctypes.c_void_p).value or 0
    return 0


def array_structs(context, builder, array_types, values) -> list:
    """The LLVM structs of an intrinsic's array arguments (``.data``, ``.shape``, ...)."""
    return [
        context.make_array(ty)(context, builder, value)
        for ty, value in zip(array_types, values, strict=True)
    ]


@intrinsic
def _cblas_gemm(typingctx, address, m, n, k, a, b, out):
    """cblas_?gemm(RowMajor, NoTrans, NoTrans, m, n, k, 1, a, k, b, n, 0, out, n)."""
    sig = types.void(address, m, n, k, a, b, out)

    def codegen(context, builder, signature, args):
        addr, m_, n_, k_, a_, b_, out_ = args
        fty = context.get_value_type(signature.args[4].dtype)
        i32, i64 = ir.IntType(32), ir.IntType(64)
        fnty = ir.FunctionType(
            ir.VoidType(),
            [i32, i32, i32, i64, i64, i64, fty, fty.as_pointer(), i64, fty.as_pointer(), i64,
             fty, fty.as_pointer(), i64],
        )  # fmt: skip
        ptrs = [
            view.data
            for view in array_structs(context, builder, signature.args[4:], (a_, b_, out_))
        ]
        fn = builder.inttoptr(addr, fnty.as_pointer())
        one, zero = ir.Constant(fty, 1.0), ir.Constant(fty, 0.0)
        order, no_trans = ir.Constant(i32, _ROW_MAJOR), ir.Constant(i32, _NO_TRANS)
        builder.call(
            fn,
            [order, no_trans, no_trans, m_, n_, k_, one, ptrs[0], k_, ptrs[1], n_, zero,
             ptrs[2], n_],
        )  # fmt: skip
        return context.get_dummy_value()

    return sig, codegen


@njit(inline="always")
def gemm(address, a, b, out):
    """out = a @ b for C-contiguous 2-D arrays of one dtype (``address`` from `gemm_address`)."""
    if address == 0:
        np.dot(a, b, out)
    else:
        _cblas_gemm(address, np.int64(a.shape[0]), np.int64(b.shape[1]), np.int64(a.shape[1]),
                    a, b, out)  # fmt: skip

"""`rnnlab.fast.products.tiles`: the register-tiled product equals NumPy's for every tile
remainder."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from numba import njit

from rnnlab.fast.products import tall, tiles


@njit(cache=False)
def _product(wp, x, out):
    tiles.product(wp, x, out)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_product_equals_numpy_for_every_remainder(dtype) -> None:
    rng = np.random.default_rng(7)
    P = tiles.panel_width(np.dtype(dtype))
    for rows in (1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33):  # tiles of 8, 4, 2 and 1 rows
        for K in (1, 5, 32):
            for M in (P, 3 * P):
                x = rng.standard_normal((rows, K)).astype(dtype)
                w = rng.standard_normal((K, M)).astype(dtype)
                out = np.full((rows, M), np.nan, dtype)
                _product(tiles.pack(w), x, out)
                exact = x.astype(np.longdouble) @ w.astype(np.longdouble)
                err = float(np.max(np.abs(out - exact)) / np.max(np.abs(exact)))
                assert err < 10 * K * np.finfo(dtype).eps, (rows, K, M, err)


def test_pack_lays_panels_out_as_documented() -> None:
    w = np.arange(3 * 64, dtype=np.float32).reshape(3, 64)
    wp = tiles.pack(w)
    assert wp.shape == (2, 3, 32) and wp.flags.c_contiguous
    assert np.array_equal(wp[1, 2], w[2, 32:64])  # panel b, row k = w[k, b*P:(b+1)*P]
    f32, f64 = np.dtype(np.float32), np.dtype(np.float64)
    assert tiles.packable(64, f32) and not tiles.packable(48, f32)
    assert tiles.packable(48, f64) and tiles.panel_width(f64) == 16


def test_empty_inner_dimension_gives_zeros() -> None:
    out = np.full((3, 32), np.nan, np.float32)
    _product(tiles.pack(np.zeros((0, 32), np.float32)), np.zeros((3, 0), np.float32), out)
    assert np.array_equal(out, np.zeros((3, 32), np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gram_equals_numpy(dtype, monkeypatch) -> None:
    """a.T @ b with ``a`` read transposed in place: G in every tile remainder, K across blocks."""
    monkeypatch.setattr(tall, "num_threads", lambda: 1)
    rng = np.random.default_rng(11)
    P = tiles.panel_width(np.dtype(dtype))
    block = tall.K_BLOCK
    for K in (0, 1, 7, block, block + 1, 2 * block + 3):
        for G in (1, 3, 8, 13, 33):
            for D in (P, 2 * P):
                a = rng.standard_normal((K, G)).astype(dtype)
                b = rng.standard_normal((K, D)).astype(dtype)
                out = tall.gram(a, b)
                exact = a.astype(np.longdouble).T @ b.astype(np.longdouble)
                scale = max(float(np.max(np.abs(exact), initial=0.0)), 1.0)
                err = float(np.max(np.abs(out - exact), initial=0.0)) / scale
                assert out.shape == (G, D) and out.dtype == dtype
                assert err < 10 * max(K, 1) * np.finfo(dtype).eps, (K, G, D, err)


def _exact(a: np.ndarray) -> np.ndarray:
    return a.astype(np.longdouble)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layout_products_read_and_write_batch_first_views(dtype, monkeypatch) -> None:
    """`outside_loop.project`, `backproject` and `gram` on time-major views of batch-first arrays
    (read and written in place) and on C-contiguous arrays equal the exact products."""
    from rnnlab.fast.products import outside_loop

    monkeypatch.setattr(tall, "num_threads", lambda: 1)  # gram's packed path runs on one
    rng = np.random.default_rng(5)
    P = tiles.panel_width(np.dtype(dtype))
    bound = 20 * np.finfo(dtype).eps
    for N, T, K in ((1, 7, P), (3, 5, 2 * P), (5, 300, P), (40, 3, P)):  # blocks of sequences
        G = 2 * P
        x = rng.standard_normal((N, T, K)).astype(dtype)
        for inp in (x.transpose(1, 0, 2), np.ascontiguousarray(x.transpose(1, 0, 2))):
            w = rng.standard_normal((K, G)).astype(dtype)
            xp = outside_loop.project(inp, w)
            assert xp.shape == (T, N, G) and xp.flags.c_contiguous
            exact = _exact(inp) @ _exact(w)
            assert np.max(np.abs(xp - exact)) <= bound * K * np.max(np.abs(exact))
            a = rng.standard_normal((T, N, G)).astype(dtype)
            dx = outside_loop.backproject(a, w.T.copy())
            exact = _exact(a) @ _exact(w.T)
            assert dx.shape == (T, N, K)
            assert np.max(np.abs(dx - exact)) <= bound * G * np.max(np.abs(exact))
            dw = outside_loop.gram(a, inp)
            exact = _exact(a).reshape(-1, G).T @ _exact(inp).reshape(-1, K)
            assert dw.shape == (G, K)
            assert np.max(np.abs(dw - exact)) <= bound * T * N * np.max(np.abs(exact))

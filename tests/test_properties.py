"""Property-based tests of the layers (issue 18): hypothesis draws the cell, its variant, the
stack, the directions, the shapes, the lengths (all equal, mixed, or one very long among short
ones), the dtype and the initial state, and checks that

* the hand-derived gradients equal central finite differences (float64, small sizes, through
  `rnnlab.gradcheck`'s own machinery);
* the fast path gives the reference's numbers;
* a finite input never gives a non-finite output, even with very large inputs;
* every invalid argument is refused with a ValueError that starts with the argument's name.

The number of examples comes from the hypothesis profile that conftest loads ("ci" unless
HYPOTHESIS_PROFILE says otherwise).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnlab import backend
from rnnlab.gradcheck import (
    CELL_VARIANTS,
    GradcheckCase,
    _compare,
    _Problem,
    analytic_gradients,
    build_layer,
    random_state,
)
from rnnlab.layers import layer_for

CELL_TEXTS = sorted(f"{c}:{v}" if v else c for c, vs in CELL_VARIANTS.items() for v in vs)


@st.composite
def cases(draw: st.DrawFn) -> GradcheckCase:
    cell, _, variant = draw(st.sampled_from(CELL_TEXTS)).partition(":")
    return GradcheckCase(
        cell, variant, draw(st.integers(1, 2)), draw(st.booleans()), truncated=draw(st.booleans())
    )


@st.composite
def lengths_for(draw: st.DrawFn, batch: int, steps: int) -> np.ndarray | None:
    """None, all equal to T, one sequence of T among length-1 ones, or any mix."""
    kind = draw(st.sampled_from(["none", "equal", "one_long", "mixed"]))
    if kind == "none":
        return None
    if kind == "equal":
        return np.full(batch, steps)
    if kind == "one_long":
        lengths = np.ones(batch, dtype=np.int64)
        lengths[draw(st.integers(0, batch - 1))] = steps
        return lengths
    return np.array(draw(st.lists(st.integers(0, steps), min_size=batch, max_size=batch)))


@given(cases(), st.integers(1, 3), st.integers(1, 5), st.integers(1, 3), st.data())
def test_gradients_equal_central_differences(case, batch, steps, hidden, data) -> None:
    seed = data.draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    layer = build_layer(case, 2, hidden, seed)
    x = rng.uniform(-1, 1, size=(batch, steps, 2))
    lengths = data.draw(lengths_for(batch, steps))
    state0 = random_state(layer, batch, rng)
    if data.draw(st.booleans()):  # the zero state, as forward's default, given explicitly
        state0 = tuple(0 * s for s in state0) if isinstance(state0, tuple) else 0 * state0
    y, final, _ = layer.forward(x, state0, lengths)
    parts = final if isinstance(final, tuple) else (final,)
    S = tuple(rng.standard_normal(part.shape) for part in parts)
    window = 2 if case.truncated else steps
    problem = _Problem(layer, x, lengths, state0, rng.standard_normal(y.shape), S, window, seed)
    grads, starts = analytic_gradients(problem)
    errors = _compare(problem, grads, starts, max_entries=8, eps=1e-6, rng=rng)
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-6, (case.name, worst, errors[worst])


def _run(name: str, layer, x, state, lengths, dy):
    backend.use(name)
    y, final, cache = layer.forward(x, state, lengths)
    dx, dstate, grads = layer.backward(dy, cache)
    states = [*(final if isinstance(final, tuple) else (final,))]
    states += [*(dstate if isinstance(dstate, tuple) else (dstate,))]
    return [y, dx, *states, *grads.values()]


@given(cases(), st.sampled_from(["float32", "float64"]), st.integers(1, 6), st.data())
def test_the_fast_path_equals_the_reference(case, dtype, batch, data) -> None:
    long = data.draw(st.booleans())  # one very long sequence among short ones
    steps = data.draw(st.integers(40, 80) if long else st.integers(1, 8))
    cls, options = layer_for(case.text)
    layer = cls(3, data.draw(st.integers(1, 8)), case.num_layers, case.bidirectional,
                dtype=dtype, seed=data.draw(st.integers(0, 99)), **options)  # fmt: skip
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    x = rng.standard_normal((batch, steps, 3)).astype(dtype)
    lengths = data.draw(lengths_for(batch, steps))
    state = random_state(layer, batch, rng) if data.draw(st.booleans()) else None
    state = state if state is None or dtype == "float64" else _cast(state, dtype)
    dy = rng.standard_normal((batch, steps, layer.directions * layer.hidden_size)).astype(dtype)
    before = backend.current()
    try:
        fast = _run("fast", layer, x, state, lengths, dy)
        ref = _run("reference", layer, x, state, lengths, dy)
    finally:
        backend.use(before)
    tol = 2e-4 if dtype == "float32" else 1e-10
    for a, b in zip(fast, ref, strict=True):
        scale = max(float(np.max(np.abs(b), initial=0.0)), 1.0)
        assert a.dtype == b.dtype and float(np.max(np.abs(a - b), initial=0.0)) <= tol * scale


def _cast(state, dtype):
    return tuple(s.astype(dtype) for s in state) if isinstance(state, tuple) else state.astype(
        dtype
    )


@given(cases(), st.sampled_from(["float32", "float64"]), st.data())
def test_a_finite_input_gives_a_finite_output(case, dtype, data) -> None:
    cls, options = layer_for(case.text)
    layer = cls(2, data.draw(st.integers(1, 6)), case.num_layers, case.bidirectional,
                dtype=dtype, seed=data.draw(st.integers(0, 99)), **options)  # fmt: skip
    # Saturating cells must survive huge pre-activations; an unbounded relu may grow through
    # time, so it gets inputs only as large as a float32 run can carry over its steps.
    top = 1e3 if case.variant == "relu" else (1e30 if dtype == "float32" else 1e300)
    scale = data.draw(st.sampled_from([1.0, 1e3, top]))
    batch, steps = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 60))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    x = (scale * rng.uniform(-1, 1, (batch, steps, 2))).astype(dtype)
    y, final, _ = layer.forward(x, None, data.draw(lengths_for(batch, steps)))
    parts = final if isinstance(final, tuple) else (final,)
    assert np.isfinite(y).all() and all(np.isfinite(p).all() for p in parts), case.name


# -- invalid draws: (the argument, a call that passes a bad value for it) ----------------------

LAYER_ARGS = {
    "input_size": [0, -1, 2.5, "3", True, None],
    "hidden_size": [0, -2, 1.5, "4", False],
    "num_layers": [0, -1, 2.0, "2", None],
    "bidirectional": ["no", 1, 0, None, "true"],
    "dropout": [-0.1, 1.0, 2, "0", True, None],
    "dtype": ["float16", "int32", None, 5, "complex128"],
    "seed": [-1, "a", 1.5, None, [1.5]],
}


@given(st.sampled_from(CELL_TEXTS), st.sampled_from(sorted(LAYER_ARGS)), st.data())
def test_an_invalid_layer_argument_is_refused_by_name(text, name, data) -> None:
    cls, options = layer_for(text)
    kwargs = {"input_size": 2, "hidden_size": 3, **options}
    kwargs[name] = data.draw(st.sampled_from(LAYER_ARGS[name]))
    with pytest.raises(ValueError, match=rf"^{name}: "):
        cls(**kwargs)


def _bad_forward_args(layer, rng: np.random.Generator) -> dict[str, list]:
    N, T, D = 2, 4, layer.input_size
    x = rng.standard_normal((N, T, D))
    count, H = layer.num_layers * layer.directions, layer.hidden_size
    nan_x = x.copy()
    nan_x[1, 2, 0] = np.nan
    return {
        "x": [x[0], x[..., :1] if D > 1 else np.zeros((N, T, 2)), nan_x, x + 1j,
              np.zeros((0, T, D)), np.zeros((N, 0, D)), [["a"]], np.full((N, T, D), np.inf)],
        "lengths": [np.array([T]), np.array([T + 1, 1]), np.array([-1, 2]), np.array([1.5, 2]),
                    np.array([[1, 2]]), ["a", "b"]],
        "state": [np.zeros((count + 1, N, H)), np.full((count, N, H), np.nan),
                  np.zeros((count, N + 1, H)), (np.zeros((count, N, H)),) * 5],
    }  # fmt: skip


@given(st.sampled_from(CELL_TEXTS), st.sampled_from(["x", "lengths", "state"]), st.data())
def test_an_invalid_forward_argument_is_refused_by_name(text, name, data) -> None:
    cls, options = layer_for(text)
    layer = cls(2, 3, data.draw(st.integers(1, 2)), data.draw(st.booleans()), **options)
    rng = np.random.default_rng(0)
    args = {"x": rng.standard_normal((2, 4, 2)), "state": None, "lengths": None}
    args[name] = data.draw(st.sampled_from(_bad_forward_args(layer, rng)[name]))
    with pytest.raises(ValueError, match=rf"^{name}(\[\w+\])?: "):
        layer.forward(args["x"], args["state"], args["lengths"])


@given(st.sampled_from(CELL_TEXTS), st.data())
def test_an_invalid_output_gradient_is_refused_by_name(text, data) -> None:
    cls, options = layer_for(text)
    layer = cls(2, 3, bidirectional=data.draw(st.booleans()), **options)
    y, _, cache = layer.forward(np.ones((2, 4, 2)))
    bad = data.draw(st.sampled_from([y[0], y[:, :2], np.full_like(y, np.nan), y + 1j,
                                     np.ones((2, 4, y.shape[2] + 1))]))  # fmt: skip
    with pytest.raises(ValueError, match=r"^dy: "):
        layer.backward(bad, cache)

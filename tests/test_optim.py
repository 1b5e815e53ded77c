"""Optimizers: hand-computed steps from the published rules, exact resume, a clear error for each
bad setting (clipping's and schedules' too), and (marked ``torch``) whole trajectories against
torch.optim in float64. Clipping and schedules themselves: `test_clipping_and_schedules`."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

from rnnlab.optim import (
    SGD,
    Adam,
    CosineLR,
    Optimizer,
    RMSprop,
    StepLR,
    clip_grad_norm,
    clip_grad_value,
    make_optimizer,
    make_schedule,
)


def run(opt: Optimizer, grads: list[float]) -> list[float]:
    """Feed scalar gradients to an optimizer of the one parameter "p"; its value after each."""
    values = []
    for g in grads:
        opt.step({"p": np.array([g])})
        values.append(float(opt.params["p"][0]))
    return values


def one(value: float = 1.0) -> dict[str, np.ndarray]:
    return {"p": np.array([value])}


# --- hand-computed steps ------------------------------------------------------------------------
# Each expected number is written from the published rule, with the intermediate values spelled
# out, starting from p = 1 with gradients g1 = 1, g2 = 2 (not derived from p).


def test_sgd_plain_step_updates_in_place():
    params = {"w": np.array([1.0, -2.0])}
    array = params["w"]
    SGD(params, lr=0.1).step({"w": np.array([0.5, 0.25])})
    assert params["w"] is array  # the model's own array, changed in place
    np.testing.assert_allclose(array, [1.0 - 0.05, -2.0 - 0.025], rtol=0, atol=1e-15)


def test_sgd_momentum_with_weight_decay():
    # t=1: d = 1 + 0.1*1 = 1.1;  b = 1.1;  p = 1 - 0.1*1.1 = 0.89
    # t=2: d = 2 + 0.1*0.89 = 2.089;  b = 0.9*1.1 + 2.089 = 3.079;  p = 0.89 - 0.3079 = 0.5821
    opt = SGD(one(), lr=0.1, momentum=0.9, weight_decay=0.1)
    assert run(opt, [1.0, 2.0]) == pytest.approx([0.89, 0.5821], abs=1e-15)
    assert opt.t == 2


def test_sgd_nesterov():
    # t=1: b = 1;  d = 1 + 0.9*1 = 1.9;  p = 1 - 0.19 = 0.81
    # t=2: b = 0.9*1 + 2 = 2.9;  d = 2 + 0.9*2.9 = 4.61;  p = 0.81 - 0.461 = 0.349
    opt = SGD(one(), lr=0.1, momentum=0.9, nesterov=True)
    assert run(opt, [1.0, 2.0]) == pytest.approx([0.81, 0.349], abs=1e-15)


def test_sgd_dampening_skips_first_step():
    # t=1: b = g1 = 1 (no dampening yet);  p = 0.9
    # t=2: b = 0.9*1 + (1 - 0.5)*2 = 1.9;  p = 0.9 - 0.19 = 0.71
    opt = SGD(one(), lr=0.1, momentum=0.9, dampening=0.5)
    assert run(opt, [1.0, 2.0]) == pytest.approx([0.9, 0.71], abs=1e-15)


def test_adam_two_steps():
    # t=1: m = 0.1, v = 0.001;  m^ = 0.1/(1-0.9) = 1;  v^ = 0.001/(1-0.999) = 1
    #      p = 1 - 0.1 * 1/(1 + 1e-8)
    # t=2: m = 0.09 + 0.2 = 0.29;  v = 0.000999 + 0.004 = 0.004999
    #      m^ = 0.29/0.19;  v^ = 0.004999/0.001999;  p = p1 - 0.1 * m^/(sqrt(v^) + 1e-8)
    p1 = 1 - 0.1 * 1 / (1 + 1e-8)
    p2 = p1 - 0.1 * (0.29 / 0.19) / (math.sqrt(0.004999 / 0.001999) + 1e-8)
    assert p2 == pytest.approx(0.80348, abs=1e-5)  # 1.526316 / 1.581376 = 0.965182
    assert run(Adam(one(), lr=0.1), [1.0, 2.0]) == pytest.approx([p1, p2], rel=1e-13)


def test_adam_l2_weight_decay_enters_the_moments():
    # g = 1 + 0.5*1 = 1.5;  m^ = 1.5, v^ = 2.25;  p = 1 - 0.1 * 1.5/(1.5 + 1e-8)
    opt = Adam(one(), lr=0.1, weight_decay=0.5)
    assert run(opt, [1.0]) == pytest.approx([1 - 0.1 * 1.5 / (1.5 + 1e-8)], rel=1e-14)


def test_adamw_decay_is_decoupled():
    # p = 1 * (1 - 0.1*0.5) = 0.95, then the plain Adam step on g = 1: 0.95 - 0.1/(1 + 1e-8)
    opt = Adam(one(), lr=0.1, weight_decay=0.5, decoupled=True)
    assert run(opt, [1.0]) == pytest.approx([0.95 - 0.1 / (1 + 1e-8)], rel=1e-14)


def test_rmsprop_two_steps():
    # t=1: s = 0.01*1 = 0.01;  p = 1 - 0.01 * 1/(0.1 + 1e-8)
    # t=2: s = 0.99*0.01 + 0.01*4 = 0.0499;  p = p1 - 0.01 * 2/(sqrt(0.0499) + 1e-8)
    p1 = 1 - 0.01 / (0.1 + 1e-8)
    p2 = p1 - 0.01 * 2 / (math.sqrt(0.0499) + 1e-8)
    assert run(RMSprop(one(), lr=0.01), [1.0, 2.0]) == pytest.approx([p1, p2], rel=1e-14)


def test_rmsprop_momentum_and_centered():
    # t=1: s = 0.01, c = 0.01*1 = 0.01;  a1 = sqrt(0.01 - 0.0001) + 1e-8;  b = 1/a1
    # t=2: s = 0.0499, c = 0.99*0.01 + 0.01*2 = 0.0299;  a2 = sqrt(0.0499 - 0.0299**2) + 1e-8
    #      b = 0.5/a1 + 2/a2
    a1 = math.sqrt(0.0099) + 1e-8
    a2 = math.sqrt(0.0499 - 0.0299**2) + 1e-8
    p1 = 1 - 0.01 / a1
    p2 = p1 - 0.01 * (0.5 / a1 + 2 / a2)
    opt = RMSprop(one(), lr=0.01, momentum=0.5, centered=True)
    assert run(opt, [1.0, 2.0]) == pytest.approx([p1, p2], rel=1e-13)


def test_schedule_sets_the_rate_of_each_step():
    # StepLR(0.1, 1, 0.5): the first update uses 0.1, the second 0.05
    opt = SGD(one(), lr=StepLR(0.1, step_size=1, gamma=0.5))
    assert opt.lr == 0.1
    assert run(opt, [1.0, 1.0]) == pytest.approx([0.9, 0.85], abs=1e-15)
    assert opt.lr == 0.025


def test_grads_are_not_modified():
    g = {"p": np.array([1.0, -3.0])}
    opt = Adam({"p": np.array([0.5, 0.5])}, lr=0.1, weight_decay=0.1)
    opt.step(g)
    np.testing.assert_array_equal(g["p"], [1.0, -3.0])


# --- exact resume -------------------------------------------------------------------------------

CONFIGS = [
    ("sgd", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("adam", {"weight_decay": 0.01}),
    ("adam", {"weight_decay": 0.01, "decoupled": True}),
    ("rmsprop", {"momentum": 0.5, "centered": True, "weight_decay": 0.01}),
]


def fresh_params() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    return {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}


def random_grads(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}


@pytest.mark.parametrize(("name", "kw"), CONFIGS)
def test_state_dict_round_trip_resumes_bit_for_bit(name: str, kw: dict):
    schedule = CosineLR(0.05, total_steps=6)
    rng = np.random.default_rng(0)
    grads = [random_grads(rng) for _ in range(6)]

    uninterrupted = make_optimizer(name, fresh_params(), schedule, **kw)
    for g in grads:
        uninterrupted.step(g)

    first = make_optimizer(name, fresh_params(), schedule, **kw)
    for g in grads[:3]:
        first.step(g)
    buffer = io.BytesIO()  # through np.savez/np.load, as a checkpoint would go
    np.savez(buffer, **first.state_dict())
    saved_params = {k: v.copy() for k, v in first.params.items()}
    for g in grads[3:]:
        first.step(g)  # must not disturb what was saved
    buffer.seek(0)
    state = dict(np.load(buffer))

    resumed = make_optimizer(name, saved_params, schedule, **kw)
    resumed.load_state_dict(state)
    assert resumed.t == 3
    for g in grads[3:]:
        resumed.step(g)

    assert resumed.t == uninterrupted.t == 6
    for key in uninterrupted.params:
        assert np.array_equal(resumed.params[key], uninterrupted.params[key]), key
    assert resumed.state_dict().keys() == uninterrupted.state_dict().keys()
    for key, value in uninterrupted.state_dict().items():
        assert np.array_equal(resumed.state_dict()[key], value), key


def test_load_state_dict_rejects_mismatches_and_changes_nothing():
    opt = Adam(fresh_params(), lr=0.1)
    opt.step(random_grads(np.random.default_rng(0)))
    good = opt.state_dict()
    before = {k: v.copy() for k, v in opt.state["exp_avg"].items()}

    target = Adam(fresh_params(), lr=0.1)
    bad_shape = good | {"exp_avg/b": np.zeros(5), "exp_avg/W": np.ones((3, 4))}
    missing = {k: v for k, v in good.items() if k != "exp_avg_sq/W"}
    cases = [
        (bad_shape, r"^state\['exp_avg/b'\]: expected shape \(4,\)"),
        (missing, r"^state: missing keys \['exp_avg_sq/W'\]"),
        (good | {"t": -1}, r"^state\['t'\]"),
    ]
    for state, pattern in cases:
        with pytest.raises(ValueError, match=pattern):
            target.load_state_dict(state)
        assert target.t == 0 and not np.any(target.state["exp_avg"]["W"])
    with pytest.raises(ValueError, match=r"^state: saved by optimizer 'Adam', not 'RMSprop'"):
        RMSprop(fresh_params(), lr=0.1).load_state_dict(good)
    for k, v in before.items():  # the source optimizer's buffers were copied, not shared
        assert np.array_equal(opt.state["exp_avg"][k], v)


# --- bad settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: make_optimizer("adagrad", fresh_params(), 0.1), r"^name: unknown optimizer"),
        (lambda: make_optimizer("sgd", fresh_params(), 0.0), r"^lr: expected a number > 0"),
        (lambda: make_optimizer("adam", fresh_params(), -1), r"^lr: expected a number > 0"),
        (lambda: make_optimizer("adam", fresh_params(), "fast"), r"^lr: expected a number"),
        (lambda: make_optimizer("sgd", fresh_params(), 0.1, betas=(0.9, 0.9)), r"^betas: not an"),
        (lambda: make_optimizer("sgd", fresh_params(), 0.1, momentum=-0.1), r"^momentum: "),
        (lambda: make_optimizer("sgd", fresh_params(), 0.1, nesterov=True), r"^nesterov: requires"),
        (lambda: make_optimizer("adam", fresh_params(), 0.1, betas=(0.9, 1.0)), r"^betas\[1\]: "),
        (lambda: make_optimizer("rmsprop", fresh_params(), 0.1, alpha=1.5), r"^alpha: "),
        (lambda: make_optimizer("adam", fresh_params(), 0.1, weight_decay=-1), r"^weight_decay"),
        (lambda: make_optimizer("adam", {"W": np.zeros(3, int)}, 0.1), r"^params\['W'\]: "),
        (lambda: SGD(fresh_params(), lr=0.1).step({"W": np.zeros((3, 4))}), r"^grads: missing"),
        (
            lambda: SGD(fresh_params(), lr=0.1).step({"W": np.zeros((4, 3)), "b": np.zeros(4)}),
            r"^grads\['W'\]: expected shape \(3, 4\)",
        ),
        (lambda: clip_grad_norm({"a": np.ones(2)}, 0.0), r"^max_norm: "),
        (lambda: clip_grad_value({"a": np.ones(2)}, -1.0), r"^clip_value: "),
        (lambda: make_schedule("linear", 0.1), r"^name: unknown schedule"),
        (lambda: make_schedule("step", 0.1, step_size=0), r"^step_size: "),
        (lambda: make_schedule("step", 0.1, steps=3), r"^steps: not an option"),
        (lambda: make_schedule("cosine", 0.1, total_steps=5, min_lr=0.2), r"^min_lr: "),
    ],
)
def test_bad_settings_name_the_argument(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


# --- against torch.optim (float64, 5 steps) -----------------------------------------------------

TORCH_CASES = [
    ("sgd", {"momentum": 0.9, "weight_decay": 0.01}, "SGD"),
    ("sgd", {"momentum": 0.9, "nesterov": True}, "SGD"),
    ("sgd", {"momentum": 0.9, "dampening": 0.3}, "SGD"),
    ("adam", {"weight_decay": 0.01, "betas": (0.8, 0.99)}, "Adam"),
    ("adam", {"weight_decay": 0.01, "decoupled": True}, "AdamW"),
    ("rmsprop", {"weight_decay": 0.01}, "RMSprop"),
    ("rmsprop", {"momentum": 0.5, "centered": True, "alpha": 0.9}, "RMSprop"),
]


def torch_kwargs(kw: dict) -> dict:
    return {k: v for k, v in kw.items() if k != "decoupled"}


@pytest.mark.torch
@pytest.mark.parametrize(("name", "kw", "torch_name"), TORCH_CASES)
@pytest.mark.parametrize("schedule", ["constant", "step", "cosine"])
def test_trajectory_matches_torch(name: str, kw: dict, torch_name: str, schedule: str):
    import torch

    lr, sched_kw = 0.05, {"step": {"step_size": 2, "gamma": 0.5}, "cosine": {"total_steps": 6}}
    ours = make_optimizer(
        name, fresh_params(), make_schedule(schedule, lr, **sched_kw.get(schedule, {})), **kw
    )
    theirs_params = {k: torch.tensor(v) for k, v in fresh_params().items()}
    theirs = getattr(torch.optim, torch_name)(
        list(theirs_params.values()), lr=lr, **torch_kwargs(kw)
    )
    scheduler = {
        "constant": lambda: torch.optim.lr_scheduler.LambdaLR(theirs, lambda t: 1.0),
        "step": lambda: torch.optim.lr_scheduler.StepLR(theirs, step_size=2, gamma=0.5),
        "cosine": lambda: torch.optim.lr_scheduler.CosineAnnealingLR(theirs, T_max=6),
    }[schedule]()

    target = np.random.default_rng(1).normal(size=16)
    for _step in range(5):
        # a gradient that depends on the current parameters, so any difference compounds
        flat = np.concatenate([ours.params["W"].ravel(), ours.params["b"]])
        g = np.tanh(flat - target) + 0.3 * flat
        grads = {"W": g[:12].reshape(3, 4), "b": g[12:]}
        ours.step(grads)
        for key, p in theirs_params.items():
            p.grad = torch.tensor(grads[key])
        theirs.step()
        scheduler.step()
        for key, p in theirs_params.items():
            np.testing.assert_allclose(
                ours.params[key], p.numpy(), rtol=1e-12, atol=1e-14, err_msg=f"{key} ours vs torch"
            )

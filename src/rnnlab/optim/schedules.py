"""Learning-rate schedules: pure functions of the step count, so resuming needs only the step.

A schedule is any callable ``step -> lr``. The optimizer asks it for ``schedule(t)`` where t is
the number of updates already made, so the first update uses ``schedule(0)``. This is what
PyTorch gives when ``scheduler.step()`` is called once after every ``optimizer.step()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._checks import known_options, non_negative, positive, positive_int

Schedule = Callable[[int], float]

__all__ = [
    "SCHEDULES",
    "Constant",
    "CosineLR",
    "Schedule",
    "StepLR",
    "as_schedule",
    "make_schedule",
]


@dataclass(frozen=True)
class Constant:
    """lr(t) = lr."""

    lr: float

    def __post_init__(self) -> None:
        positive("lr", self.lr)

    def __call__(self, step: int) -> float:
        return self.lr


@dataclass(frozen=True)
class StepLR:
    """lr(t) = lr * gamma ** floor(t / step_size)   (torch.optim.lr_scheduler.StepLR)."""

    lr: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        positive("lr", self.lr)
        positive_int("step_size", self.step_size)
        positive("gamma", self.gamma)

    def __call__(self, step: int) -> float:
        return self.lr * self.gamma ** (step // self.step_size)


@dataclass(frozen=True)
class CosineLR:
    """lr(t) = min_lr + (lr - min_lr) * (1 + cos(pi * min(t, T) / T)) / 2,  T = total_steps.

    The closed form of torch.optim.lr_scheduler.CosineAnnealingLR(T_max=T, eta_min=min_lr) for
    t <= T. Past T it stays at min_lr, where torch's cosine would climb again: a run that is
    extended beyond its planned length should not get its learning rate back.
    """

    lr: float
    total_steps: int
    min_lr: float = 0.0

    def __post_init__(self) -> None:
        positive("lr", self.lr)
        positive_int("total_steps", self.total_steps)
        if non_negative("min_lr", self.min_lr) > self.lr:
            raise ValueError(f"min_lr: expected a number <= lr = {self.lr}, got {self.min_lr}")

    def __call__(self, step: int) -> float:
        progress = min(step, self.total_steps) / self.total_steps
        return self.min_lr + (self.lr - self.min_lr) * (1 + math.cos(math.pi * progress)) / 2


SCHEDULES: dict[str, Callable[..., Schedule]] = {
    "constant": Constant,
    "step": StepLR,
    "cosine": CosineLR,
}


def make_schedule(name: str, lr: float, **kw: Any) -> Schedule:
    """The schedule called `name` ("constant", "step", "cosine") starting at `lr`.

    Example: ``make_schedule("step", 0.01, step_size=1000, gamma=0.5)``.
    """
    if name not in SCHEDULES:
        raise ValueError(f"name: unknown schedule {name!r}; expected one of {', '.join(SCHEDULES)}")
    known_options(f"the {name!r} schedule", SCHEDULES[name], kw)
    return SCHEDULES[name](lr, **kw)


def as_schedule(lr: float | Schedule) -> Schedule:
    """A number becomes Constant(lr); a callable is used as it is once its first value is > 0."""
    if callable(lr):
        positive("lr", lr(0))  # catches a schedule that starts at zero or returns garbage
        return lr
    return Constant(positive("lr", lr))

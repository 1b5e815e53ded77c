"""Optimizers over dicts of NumPy arrays (updated in place), gradient clipping and LR schedules.

    opt = make_optimizer("adam", params, make_schedule("cosine", 0.005, total_steps=6000))
    for ...:
        loss, grads = ...
        clip_grad_norm(grads, 1.0)
        opt.step(grads)

Update rules follow torch.optim (checked against it in tests/test_optim.py).
"""

from .base import Optimizer
from .clip import clip_grad_norm, clip_grad_value
from .rules import OPTIMIZERS, SGD, Adam, RMSprop, make_optimizer
from .schedules import SCHEDULES, Constant, CosineLR, Schedule, StepLR, as_schedule, make_schedule

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "SGD",
    "Adam",
    "Constant",
    "CosineLR",
    "Optimizer",
    "RMSprop",
    "Schedule",
    "StepLR",
    "as_schedule",
    "clip_grad_norm",
    "clip_grad_value",
    "make_optimizer",
    "make_schedule",
]

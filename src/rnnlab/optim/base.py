"""The optimizer contract: parameters in a dict, updated in place, state that resumes exactly."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._checks import float_arrays, non_negative
from .schedules import Schedule, as_schedule

__all__ = ["Optimizer"]


class Optimizer(abc.ABC):
    """Base class: holds the parameters, the schedule, the step count and per-parameter buffers.

    Parameters
    ----------
    params : dict name -> float array
        The model's own arrays; ``step`` changes them in place, so the model sees the update
        without copying anything back.
    lr : float or Schedule
        A constant learning rate, or a callable ``t -> lr`` evaluated at the number of updates
        already made (``t = 0`` for the first update).
    weight_decay : float
        Coefficient of the L2 penalty ``(wd / 2) * ||p||**2``, i.e. ``wd * p`` added to the
        gradient before the update rule (PyTorch's ``weight_decay``).

    Attributes
    ----------
    t : int
        Number of updates made so far.
    state : dict buffer -> (dict name -> array)
        The running quantities of the update rule (momentum, moments), one array per parameter.
    """

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float | Schedule,
        weight_decay: float = 0.0,
    ) -> None:
        self.params = float_arrays("params", params)
        self.schedule = as_schedule(lr)
        self.weight_decay = non_negative("weight_decay", weight_decay)
        self.t = 0
        self.state: dict[str, dict[str, np.ndarray]] = {
            buffer: {name: np.zeros_like(p) for name, p in self.params.items()}
            for buffer in self._buffers()
        }

    @abc.abstractmethod
    def _buffers(self) -> tuple[str, ...]:
        """Names of the per-parameter state arrays this rule keeps (PyTorch's state keys)."""

    @abc.abstractmethod
    def _update(self, name: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        """Apply one update to parameter `p` in place, given its gradient `g` (not modified)."""

    @property
    def lr(self) -> float:
        """The learning rate the next ``step`` will use."""
        return float(self.schedule(self.t))

    def step(self, grads: Mapping[str, np.ndarray]) -> None:
        """Update every parameter in place from its gradient, then count the step.

        ``grads`` must hold exactly the parameters' names, with their shapes; it is not modified.
        """
        self._check_grads(grads)
        lr = self.lr
        for name, p in self.params.items():
            self._update(name, p, np.asarray(grads[name]), lr)
        self.t += 1

    def state_dict(self) -> dict[str, Any]:
        """Everything that changes while training, as a flat dict of copies:

        ``{"type": "Adam", "t": 3, "exp_avg/W": array, "exp_avg_sq/W": array, ...}``

        Flat, with string keys, so that ``np.savez(f, **opt.state_dict())`` stores it and
        ``load_state_dict(dict(np.load(f)))`` restores it (0-d arrays are read back as scalars).
        The hyperparameters are not included: they come from the run's configuration.
        """
        state: dict[str, Any] = {"type": type(self).__name__, "t": self.t}
        for buffer, arrays in self.state.items():
            for name, a in arrays.items():
                state[f"{buffer}/{name}"] = a.copy()
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore ``state_dict()``'s output so that the next steps are bit-for-bit the same.

        Everything is checked before anything is changed: on ValueError the optimizer is intact.
        """
        kind = str(np.asarray(state.get("type", "")))
        if kind != type(self).__name__:
            raise ValueError(f"state: saved by optimizer {kind!r}, not {type(self).__name__!r}")
        expected = {"type", "t"} | {
            f"{buffer}/{name}" for buffer, arrays in self.state.items() for name in arrays
        }
        if set(state) != expected:
            missing, extra = sorted(expected - set(state)), sorted(set(state) - expected)
            raise ValueError(f"state: missing keys {missing}, unexpected keys {extra}")
        t = np.asarray(state["t"])
        if t.shape != () or t.dtype.kind not in "iu" or t < 0:
            raise ValueError(f"state['t']: expected an integer >= 0, got {state['t']!r}")
        for buffer, arrays in self.state.items():
            for name, a in arrays.items():
                saved = np.asarray(state[f"{buffer}/{name}"])
                if saved.shape != a.shape:
                    raise ValueError(
                        f"state[{buffer + '/' + name!r}]: expected shape {a.shape}, "
                        f"got {saved.shape}"
                    )
        for buffer, arrays in self.state.items():
            for name, a in arrays.items():
                np.copyto(a, state[f"{buffer}/{name}"])
        self.t = int(t)

    def _check_grads(self, grads: Mapping[str, np.ndarray]) -> None:
        if set(grads) != set(self.params):
            missing, extra = (
                sorted(set(self.params) - set(grads)),
                sorted(set(grads) - set(self.params)),
            )
            raise ValueError(f"grads: missing {missing}, unexpected {extra}")
        for name, p in self.params.items():
            shape = np.shape(grads[name])
            if shape != p.shape:
                raise ValueError(f"grads[{name!r}]: expected shape {p.shape}, got {shape}")

"""`TrainConfig`: every setting of one training run, checked when it is made.

The config is the identity of a run: it is written to ``config.json``, compared on ``--resume``
and stored by sweeps. Two runs with equal configs give the same numbers bit for bit.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..init import check_init, default_init
from ..models import build_layer, parse_cell
from ..optim import OPTIMIZERS, make_optimizer, make_schedule
from ..tasks import Task, make_task

CLIP_MODES = ("norm", "value")
REGULARIZERS = ("pascanu",)
# Settings that do not change any number of the run, so --resume may change them (a time budget
# decides where a run stops, not what any update computes).
NOT_IDENTITY = ("checkpoint_every", "minutes")


def _positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")


def _positive_float(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{name}: expected a positive number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")


def _is(value: object, kind: object) -> bool:
    """Whether ``value`` has the declared type ``kind`` (a field's annotation). bool is not an
    int here, and a TOML string such as "false" is not a bool: ``bool("false")`` is True."""
    if isinstance(kind, types.UnionType):
        return any(_is(value, k) for k in typing.get_args(kind))
    if kind is type(None):
        return value is None
    if kind is bool:
        return isinstance(value, bool | np.bool_)
    if kind is int:
        return isinstance(value, int | np.integer) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool
        )
    if typing.get_origin(kind) is dict:
        return isinstance(value, dict) and all(isinstance(k, str) for k in value)
    return isinstance(value, kind)  # type: ignore[arg-type]


_WORDS = {bool: "true or false", int: "an integer", float: "a number", str: "a string",
          type(None): "none"}  # fmt: skip


def _describe(kind: object) -> str:
    if isinstance(kind, types.UnionType):
        return ", or ".join(_describe(k) for k in typing.get_args(kind))
    if typing.get_origin(kind) is dict:
        return "a table of options"
    return _WORDS.get(kind, str(kind))  # type: ignore[call-overload]


@dataclass(frozen=True)
class TrainConfig:
    """One run. ``task``/``length``/``task_options`` go to `rnnlab.tasks.make_task`; ``cell`` to
    `rnnlab.models.parse_cell`; ``init`` None means `rnnlab.init.default_init` (chrono for LSTM
    and GRU with T_max = the task's longest sequence, PyTorch's for the RNN).

    ``clip`` None switches clipping off; ``clip_mode`` "norm" clips the global norm, "value"
    each entry. ``schedule`` is a `rnnlab.optim` schedule name; unless ``schedule_options``
    says otherwise, cosine runs over ``steps`` and step divides by 10 every ``steps // 3``.
    ``tbptt`` None is full BPTT. ``early_stop`` stops at the first evaluation where the task's
    criterion holds. ``input_to_output`` gives the readout direct connections from the input
    (`rnnlab.models.make_model`); None means the task's own architecture (True for longlag).

    A run learns either a synthetic ``task`` (with its ``length``) or a real dataset ``data``
    (a name of `rnnlab.data.DATASETS` or a path, with ``data_options``), never both.
    ``minutes`` is a time budget: the first update after that many minutes of training is
    followed by an evaluation, and the run stops there (``"stopped": "minutes"``).
    ``diverge_after`` skipped updates in a row, or more than ``diverge_share`` of all updates
    skipped, end the run as diverged (`rnnlab.training.loop` states the policy).
    """

    task: str | None = None
    length: int | None = None
    task_options: dict[str, Any] = field(default_factory=dict)
    data: str | None = None
    data_options: dict[str, Any] = field(default_factory=dict)
    minutes: float | None = None
    cell: str = "lstm"
    init: str | None = None
    hidden: int = 16
    num_layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0
    steps: int = 3000
    batch: int = 32
    lr: float = 0.005
    optimizer: str = "adam"
    optimizer_options: dict[str, Any] = field(default_factory=dict)
    weight_decay: float = 0.0
    schedule: str = "constant"
    schedule_options: dict[str, Any] = field(default_factory=dict)
    clip: float | None = 1.0
    clip_mode: str = "norm"
    seed: int = 0
    eval_every: int = 100
    checkpoint_every: int = 500
    tbptt: int | None = None
    early_stop: bool = True
    dtype: str = "float64"
    input_to_output: bool | None = None
    regularizer: str | None = None
    reg_weight: float = 1.0
    diverge_after: int = 50
    diverge_share: float = 0.5

    def __post_init__(self) -> None:
        for name in ("task_options", "data_options", "optimizer_options", "schedule_options"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, {})
        for name, kind in typing.get_type_hints(TrainConfig).items():
            value = getattr(self, name)
            if not _is(value, kind):
                raise ValueError(f"{name}: expected {_describe(kind)}, got {value!r}")
            if isinstance(value, np.generic):  # NumPy scalars as Python's: config.json is JSON
                object.__setattr__(self, name, value.item())
        input_size, t_max = self._problem_shape()
        for name in (
            "hidden", "num_layers", "steps", "batch", "eval_every", "checkpoint_every",
            "diverge_after",
        ):  # fmt: skip
            _positive_int(name, getattr(self, name))
        if self.tbptt is not None:
            _positive_int("tbptt", self.tbptt)
        _positive_float("lr", self.lr)
        _positive_float("diverge_share", self.diverge_share)
        if self.diverge_share > 1:
            raise ValueError(f"diverge_share: expected a share in (0, 1], got {self.diverge_share}")
        if self.clip is not None:
            _positive_float("clip", self.clip)
        if self.minutes is not None:
            _positive_float("minutes", self.minutes)
        if self.clip_mode not in CLIP_MODES:
            raise ValueError(f"clip_mode: expected one of {', '.join(CLIP_MODES)}")
        if self.seed < 0:
            raise ValueError(f"seed: expected an integer >= 0, got {self.seed!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"optimizer: expected one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}"
            )
        # Build the pieces once on dummies: their own checks name the bad option.
        make_optimizer(
            self.optimizer,
            {"w": np.zeros(1)},
            self.make_schedule(),
            weight_decay=self.weight_decay,
            **self.optimizer_options,
        )
        parse_cell(self.cell)
        layer = build_layer(
            self.cell, input_size, 1, self.num_layers, self.bidirectional, self.dropout,
            self.dtype,
        )  # fmt: skip
        if self.init is not None:
            check_init(layer, self.init, t_max)
        if self.tbptt is not None and self.bidirectional:
            raise ValueError("tbptt: truncated BPTT needs a unidirectional layer")
        self._check_regularizer(layer)

    def _check_regularizer(self, layer: Any) -> None:
        """PMB13's Omega (`rnnlab.models.pascanu`): full BPTT and a cell it applies to."""
        from ..models.pascanu import supports

        _positive_float("reg_weight", self.reg_weight)
        if self.regularizer is None:
            return
        if self.regularizer not in REGULARIZERS:
            raise ValueError(
                f"regularizer: expected one of {', '.join(REGULARIZERS)}, got {self.regularizer!r}"
            )
        if self.tbptt is not None:
            raise ValueError("regularizer: Pascanu's Omega is computed over full BPTT (no --tbptt)")
        if not supports(layer):
            raise ValueError(
                f"regularizer: Pascanu's Omega needs h(t-1) to reach h(t) only through W_hh; "
                f"cell {self.cell!r} multiplies it first"
            )

    def _problem_shape(self) -> tuple[int, int]:
        """(input size, longest sequence) for checking the layer and init; checks task/data."""
        if (self.task is None) == (self.data is None):
            raise ValueError("task/data: give exactly one of --task NAME and --data NAME|PATH")
        if self.data is not None:
            if not isinstance(self.data, str) or not self.data:
                raise ValueError(f"data: expected a dataset name or a path, got {self.data!r}")
            if self.task_options or self.length is not None:
                raise ValueError("data: a dataset run takes no length or task options")
            if self.regularizer is not None:
                raise ValueError("regularizer: only a --task run takes one")
            return 1, self.tbptt or 1
        if self.length is None or self.length < 1:  # its type is checked already
            raise ValueError(f"length: expected a positive integer, got {self.length!r}")
        if self.data_options:
            raise ValueError(
                "data_options: only a --data run takes dataset options "
                f"(here: {', '.join(sorted(self.data_options))})"
            )
        task = self.make_task()
        return task.input_size, task.max_length

    # -- derived pieces ------------------------------------------------------------------------

    def make_task(self) -> Task:
        if self.task is None or self.length is None:
            raise ValueError("task: this run learns a dataset (--data), not a task")
        return make_task(self.task, self.length, **self.task_options)

    @property
    def kind(self) -> str:
        return self.cell.partition(":")[0]

    @property
    def resolved_input_to_output(self) -> bool:
        if self.input_to_output is None:
            return self.data is None and self.make_task().input_to_output
        return self.input_to_output

    @property
    def resolved_init(self) -> str:
        return self.init if self.init is not None else default_init(self.kind)

    def make_schedule(self):  # -> rnnlab.optim.Schedule
        options = dict(self.schedule_options)
        if self.schedule == "cosine":
            options.setdefault("total_steps", self.steps)
        if self.schedule == "step":  # default: divide by 10 after each third of the run
            options.setdefault("step_size", max(1, self.steps // 3))
        try:
            return make_schedule(self.schedule, self.lr, **options)
        except TypeError as exc:  # a missing or mistyped option
            raise ValueError(f"schedule_options: {exc}") from None

    # -- (de)serialisation ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data; `from_dict` inverts it."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """A config from `to_dict` output (or a TOML table); unknown keys are an error."""
        if not isinstance(data, dict):
            raise ValueError(f"config: expected a table of settings, got {type(data).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"config: unknown setting(s) {', '.join(unknown)}")
        if "data" not in data:
            missing = sorted({"task", "length"} - set(data))
            if missing:
                raise ValueError(f"config: missing setting(s) {', '.join(missing)}")
        return cls(**data)

    def differences(self, other: TrainConfig) -> list[str]:
        """The settings (that change numbers) in which ``other`` differs, as 'name: a != b'."""
        mine, theirs = self.to_dict(), other.to_dict()
        return [
            f"{k}: {theirs[k]!r} there, {mine[k]!r} here"
            for k in mine
            if k not in NOT_IDENTITY and mine[k] != theirs[k]
        ]

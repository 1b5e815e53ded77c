"""Name -> task class, and `make_task`, the one door the CLI and the training loop use."""

from __future__ import annotations

import dataclasses

from rnnlab.tasks.adding import Adding
from rnnlab.tasks.base import Task, check_int
from rnnlab.tasks.copy import Copy
from rnnlab.tasks.longlag import LongLag
from rnnlab.tasks.longlag_random import LongLagRandom
from rnnlab.tasks.multiplication import Multiplication
from rnnlab.tasks.reber import Reber
from rnnlab.tasks.signal_in_noise import SignalInNoise
from rnnlab.tasks.temporal_order import TemporalOrder
from rnnlab.tasks.trigger_recall import TriggerRecall

TASKS: dict[str, type[Task]] = {
    cls.name: cls
    for cls in (
        LongLag,
        LongLagRandom,
        TriggerRecall,
        SignalInNoise,
        Adding,
        Multiplication,
        TemporalOrder,
        Copy,
        Reber,
    )
}


def _options(cls: type[Task]) -> list[str]:
    """The keyword options a task accepts: its dataclass fields except the length field."""
    return [f.name for f in dataclasses.fields(cls) if f.name != cls.length_field]  # type: ignore[arg-type]


def make_task(name: str, length: int, **options: object) -> Task:
    """Build a task by name; `length` fills its lag parameter.

    longlag: p; adding, multiplication, temporal_order: T (the minimal sequence length);
    copy: the delay T; reber: max_steps, a cap on the input length (strings average 11 steps
    and longer ones are redrawn, so a cap of 30 or more changes under 0.1% of strings).
    Raises ValueError naming the bad argument and what was expected.
    """
    if name not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}, got {name!r}")
    cls = TASKS[name]
    check_int("length", length, 1)
    allowed = _options(cls)
    for key in options:
        if key not in allowed:
            raise ValueError(
                f"option {key!r} is not known to task {name!r}; expected one of {allowed}"
            )
    return cls(**{cls.length_field: length}, **options)  # type: ignore[arg-type]


def list_tasks() -> list[dict[str, str]]:
    """One row per task: name, parameters, criterion, source (for `rnnlab tasks`)."""
    return [
        {
            "name": cls.name,
            "parameters": cls.parameters,
            "criterion": cls.criterion,
            "source": cls.source,
        }
        for cls in TASKS.values()
    ]

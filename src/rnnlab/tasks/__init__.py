"""The long-time-lag tasks of the LSTM literature, each with its published success criterion.

See `../shared/research/tasks.md` for the definitions; every task's docstring names its paper
and gives a small worked example.
"""

from rnnlab.tasks.adding import Adding
from rnnlab.tasks.base import Batch, Task
from rnnlab.tasks.copy import Copy
from rnnlab.tasks.longlag import LongLag
from rnnlab.tasks.multiplication import Multiplication
from rnnlab.tasks.reber import Reber
from rnnlab.tasks.registry import TASKS, list_tasks, make_task
from rnnlab.tasks.temporal_order import TemporalOrder

__all__ = [
    "TASKS",
    "Adding",
    "Batch",
    "Copy",
    "LongLag",
    "Multiplication",
    "Reber",
    "Task",
    "TemporalOrder",
    "list_tasks",
    "make_task",
]

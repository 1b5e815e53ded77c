"""Sweeps over tasks, lags, cells and seeds: plan, run on an executor, store, report.

`rnnlab compare` and `rnnlab why` are thin shells over these modules:

* `spec` parses ``cell[:variant][@init]``;
* `plan` turns `SweepSettings` into `Job`s (and sizes cells for ``--match-params``);
* `executors` opens a local process pool or a Dask client;
* `sweep` runs the jobs and writes each finished run to the `store` (SQLite);
* `summary`, `figures` and `report` turn the rows into index.html and README.md.

matplotlib (figures) and distributed (Dask) are imported only by the code that needs them.
"""

from .plan import Job, SweepSettings, plan_sweep
from .spec import CellSpec, parse_cell, parse_cells
from .store import Store
from .sweep import SweepOutcome, run_job, run_sweep

__all__ = [
    "CellSpec",
    "Job",
    "Store",
    "SweepOutcome",
    "SweepSettings",
    "parse_cell",
    "parse_cells",
    "plan_sweep",
    "run_job",
    "run_sweep",
]

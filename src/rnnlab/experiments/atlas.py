"""The atlas: every cell and variant against every long-lag task up to lag 1,000.

One sweep, one recipe, the papers' criteria: HS97's tasks (2a, 2b, 2c, 3a, adding,
multiplication, temporal order 6a/6b) and the copy task, against the tanh RNN plain, with
Pascanu et al.'s clipping and regulariser (``rnn+omega``), the IRNN and an orthogonally
initialised tanh RNN, every LSTM preset (Greff et al.'s ablations and HS97's cells) at chrono and
forget-gate-1 initialisation, the GRU and every other registered cell. Parameter-matched to the
LSTM at ``hidden``. Rows go to the same SQLite ``runs`` table as `rnnlab compare`; a sweep can
be split over machines (`shard`) and the files merged by `rnnlab report`.

Budget rule: a run gets ``max(STEPS, STEPS_PER_LAG * L)`` updates of batch 32 at lag L (2,000 up
to lag 100, 20,000 at lag 1,000): HS97 needed about 27,000 sequences per 100 steps of lag on
the adding problem with on-line updates, and our LSTM solves adding at lag 200 in about 1,000
batch updates (docs/reproduction.md); a longer lag gets proportionally more.
"""

from __future__ import annotations

from ..cells import CELLS, PRESETS
from .plan import Job, SweepSettings
from .spec import parse_cells

ATLAS_LENGTHS: dict[str, tuple[int, ...]] = {
    "adding": (10, 25, 50, 100, 200, 500, 1000),
    "temporal_order": (10, 25, 50, 100, 200, 500),  # HS97 6a
    "temporal_order:bits=3": (10, 25, 50, 100, 200, 500),  # HS97 6b
    "multiplication": (10, 25, 50, 100, 200, 500),
    "longlag": (10, 25, 50, 100),  # HS97 2a
    "longlag_random": (10, 25, 50, 100),  # HS97 2b
    "trigger_recall": (50, 100, 200, 500, 1000),  # HS97 2c, q
    "signal_in_noise": (100, 1000),  # HS97 3a, T
    "copy": (10, 50, 100, 200, 500),
}
RNN_REMEDIES = ("rnn", "rnn+omega", "rnn:relu@identity", "rnn@orthogonal")
STEPS = 2000
STEPS_PER_LAG = 20
SEEDS = 5
HIDDEN = 16
# Core-hours of one seed of each task (its lags x the atlas's cells) if every run used its whole
# budget, from `rnnlab atlas --plan --measure --seeds 1 --shard K/2`, the two shards at once on
# the two cores, one thread each (12 min). HS97 2c dominates: its input is one-hot over q + 4
# symbols, 1,004 wide at q = 1,000, so a run there costs ~13x one of adding at the same lag.
MEASURED_ON = "a 2-core AMD EPYC (Zen 4), 2026-12-03"
MEASURED_CELLS = 27
MEASURED_HOURS_PER_SEED = {
    "adding": 19.7,
    "temporal_order": 4.3,
    "temporal_order:bits=3": 4.7,
    "multiplication": 4.1,
    "longlag": 0.9,
    "longlag_random": 0.8,
    "trigger_recall": 196.4,
    "signal_in_noise": 12.9,
    "copy": 5.9,
}


def _applies(cell: str, init: str) -> bool:
    """Whether ``init`` sets anything in ``cell`` (forget1 needs a forget gate)."""
    from ..init import check_init
    from ..models import build_layer

    try:
        check_init(build_layer(cell, 1, 1), init, 100)
    except ValueError:
        return False
    return True


def atlas_cells() -> list[str]:
    """The RNN remedies, every LSTM preset at chrono and (where it has a forget gate) forget1,
    then every other registered cell at its default initialisation."""
    lstm = [
        f"lstm:{name}@{init}"
        for name in PRESETS
        for init in ("chrono", "forget1")
        if _applies(f"lstm:{name}", init)
    ]
    others = [kind for kind in CELLS if kind not in ("rnn", "lstm")]
    return [*RNN_REMEDIES, *lstm, *others]


def atlas_settings(seeds: int = SEEDS, tasks: list[str] | None = None) -> SweepSettings:
    chosen = list(ATLAS_LENGTHS) if tasks is None else tasks
    unknown = [t for t in chosen if t not in ATLAS_LENGTHS]
    if unknown:
        raise ValueError(
            f"--tasks: {unknown} not in the atlas; expected some of {list(ATLAS_LENGTHS)}"
        )
    if seeds < 1:
        raise ValueError(f"--seeds: expected a positive integer, got {seeds}")
    return SweepSettings(
        tasks=tuple(chosen),
        lengths={t: ATLAS_LENGTHS[t] for t in chosen},
        cells=tuple(parse_cells(atlas_cells())),
        seeds=tuple(range(seeds)),
        hidden=HIDDEN,
        steps=STEPS,
        steps_per_lag=STEPS_PER_LAG,
        match_params=True,
        gradflow=None,
        diagnose_all=True,  # the report shows each cell's gradient flow at its longest lag
    )


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"2/5"`` -> (2, 5): this machine runs the second of five shards."""
    if text is None:
        return None
    k, sep, n = text.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise ValueError(f"--shard: expected K/N with 1 <= K <= N, got {text!r}")
    return int(k), int(n)


def shard(jobs: list[Job], k: int, n: int) -> list[Job]:
    """Every n-th job from the k-th (1-based) of the planned order (longest lags first), so
    each shard gets a like share of long and short runs; the n shards partition the plan."""
    return jobs[k - 1 :: n]


def upper_bound_core_hours(settings: SweepSettings) -> float:
    """Core-hours if every run used its whole budget (solved runs stop early, so less): the
    figures measured on MEASURED_ON, scaled by the seeds (and cells) of ``settings``."""
    per_seed = sum(MEASURED_HOURS_PER_SEED[task] for task in settings.tasks)
    return per_seed * len(settings.seeds) * len(settings.cells) / MEASURED_CELLS


def size_line(settings: SweepSettings) -> str:
    runs = sum(len(v) for v in settings.lengths.values()) * len(settings.cells)
    runs *= len(settings.seeds)
    hours = upper_bound_core_hours(settings)
    return (
        f"{runs:,} runs ({len(settings.cells)} cells x {len(settings.seeds)} seeds); at most "
        f"{hours:,.0f} core-hours if every run used its whole budget (measured on "
        f"{MEASURED_ON}; --plan --measure times this machine), about {hours / 2:,.0f} hours on "
        "2 cores"
    )

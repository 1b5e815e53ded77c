"""One run end to end: build, train, write the run directory; and read one back.

A run directory holds ``config.json`` (the `TrainConfig`), ``metrics.csv`` (one row per
evaluation), ``checkpoint-*.npz`` (the newest two), the problem's own files (a text model's
``vocabulary.json`` and ``split.json``), and once finished ``params.npz`` (the trained
parameters; not written for a run that diverged with non-finite parameters) and
``result.json``. The same format for a synthetic ``task`` and a real ``data``
run: what differs between them is the `Problem` (`rnnlab.training.problem`).

Seeding: ``SeedSequence(seed).spawn(3)`` gives three independent streams, for the
initialisation, the training batches (and dropout) and the test sequences.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..files import check_writable_dir, make_dir, parse_file, read_arrays, run_lock
from ..models import SequenceModel
from ..optim import Optimizer, make_optimizer
from ..validation import all_finite
from .checkpoint import (
    atomic_write,
    atomic_write_text,
    checkpoint_config,
    list_checkpoints,
    load_checkpoint,
    npz_bytes,
    save_checkpoint,
)
from .config import TrainConfig
from .loop import Row, TrainState, fit, summary
from .problem import Problem, make_problem

RUN_FILES = ("config.json", "metrics.csv", "result.json", "params.npz")


def streams(seed: int) -> tuple[np.random.Generator, ...]:
    """(init, train, test) generators of one seed."""
    return tuple(np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))


def build_model(
    config: TrainConfig, rng: np.random.Generator, problem: Problem | None = None
) -> SequenceModel:
    """The model of ``config`` at initialisation (its init scheme applied), drawn from ``rng``."""
    return (problem or make_problem(config)).build_model(config, rng)


def make_run_optimizer(config: TrainConfig, model: SequenceModel) -> Optimizer:
    return make_optimizer(
        config.optimizer,
        model.params,
        config.make_schedule(),
        weight_decay=config.weight_decay,
        **config.optimizer_options,
    )


def start_run(config: TrainConfig, problem: Problem) -> tuple[SequenceModel, Optimizer, TrainState]:
    """A run at update 0: its model drawn from the seed's init stream, its optimizer, and its
    state holding the train and test streams."""
    init_rng, train_rng, test_rng = streams(config.seed)
    model = problem.build_model(config, init_rng)
    return model, make_run_optimizer(config, model), TrainState(0, train_rng, test_rng)


def metrics_csv(history: list[Row]) -> str:
    """The evaluation rows as CSV; floats as their shortest exact repr."""
    if not history:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(history[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {k: repr(v) if isinstance(v, float) else v for k, v in r.items()} for r in history
    )
    return buffer.getvalue()


def _read_json(path: Path) -> Any:
    """A JSON file of a run directory, or ValueError naming it and what is wrong."""
    return parse_file(path, "out", "JSON", json.loads, json.JSONDecodeError)


def read_config(out_dir: Path) -> TrainConfig:
    path = Path(out_dir) / "config.json"
    data = _read_json(path)
    try:
        return TrainConfig.from_dict(data)
    except ValueError as exc:
        raise ValueError(f"out: {path}: {exc}") from None


def saved_config(out_dir: Path) -> TrainConfig | None:
    """The config of the run in ``out_dir``: its config.json, or if that is lost the copy in its
    newest checkpoint; None if the directory holds neither."""
    out = Path(out_dir)
    if (out / "config.json").exists():
        return read_config(out)
    checkpoints = list_checkpoints(out) if out.is_dir() else []
    return checkpoint_config(checkpoints[-1][1]) if checkpoints else None


# result.json fields a caller reads: the types they must have, and those types in words.
_NUMBER = (int, float)
_RESULT_FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "solved": ((bool,), "true or false"),
    "steps_run": ((int,), "an integer"),
    "params": ((int,), "an integer"),
    "wall_time": (_NUMBER, "a number"),
    "metric": ((*_NUMBER, type(None)), "a number or null"),
    "steps_to_solve": ((int, type(None)), "an integer or null"),
}


def _is(value: Any, types: tuple[type, ...]) -> bool:
    # JSON true/false are Python bools, which are ints: only "solved" may be one.
    return isinstance(value, types) and (bool in types or not isinstance(value, bool))


def read_result(path: Path) -> dict[str, Any]:
    """A finished run's result.json, checked: ValueError naming the file and the bad field."""
    data = _read_json(path)
    if not isinstance(data, dict):
        raise ValueError(f"out: {path}: expected a JSON object, got {type(data).__name__}")
    for key, (types, words) in _RESULT_FIELDS.items():
        if key not in data:
            raise ValueError(f"out: {path}: field {key!r} is missing")
        if not _is(data[key], types):
            raise ValueError(f"out: {path}: field {key!r} is {data[key]!r}, expected {words}")
    return data


def _prepare(out: Path, config: TrainConfig, resume: bool) -> dict[str, Any] | None:
    """Check the run directory before anything is written. Returns a finished run's result."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"out: {out} exists and is not a directory")
    taken = out.is_dir() and (
        any((out / name).exists() for name in RUN_FILES) or bool(list_checkpoints(out))
    )
    if not taken:
        return None
    if not resume:
        raise ValueError(
            f"out: {out} already holds a run; pass --resume to continue it "
            "or choose another directory"
        )
    saved = saved_config(out)
    diffs = [] if saved is None else config.differences(saved)
    if diffs:
        raise ValueError(f"resume: {out} holds a different configuration ({'; '.join(diffs)})")
    result = out / "result.json"
    return read_result(result) if result.exists() else None


def _writers(
    out: Path, config: TrainConfig, model: SequenceModel, optimizer: Optimizer
) -> tuple[Callable[[Row], None], Callable[[TrainState, float], None]]:
    """`fit`'s callbacks that append an evaluation's row to metrics.csv and write a checkpoint,
    in the run directory ``out``."""

    def on_eval(row: Row) -> None:
        text = metrics_csv([row])
        with open(out / "metrics.csv", "a", encoding="utf-8") as f:
            f.write(text if f.tell() == 0 else text.split("\n", 1)[1])  # header once

    def on_checkpoint(s: TrainState, elapsed: float) -> None:
        save_checkpoint(out, config, model, optimizer, s, elapsed)

    return on_eval, on_checkpoint


def train_run(
    config: TrainConfig,
    out_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = False,
) -> dict[str, Any]:
    """Train ``config``; returns the content of ``result.json``.

    With ``out_dir`` the run directory is written (see the module docstring); an existing run
    there is an error unless ``resume``, which continues it from its newest checkpoint (or
    returns its result if it had finished). Without ``out_dir`` nothing is written.

    The run holds an exclusive lock on ``out_dir`` (`rnnlab.files.run_lock`) from before its
    checks until its last write: a second run on the same directory is refused.
    """
    problem = make_problem(config)  # a bad data or task option fails before any file exists
    if out_dir is None:
        return _train(config, problem, None, resume, progress)
    out = check_writable_dir(out_dir, "out")
    created = not out.exists()
    make_dir(out, "out")
    try:
        with run_lock(out):
            return _train(config, problem, out, resume, progress)
    except BaseException:
        if created and not any(out.iterdir()):  # refused before writing: leave no trace
            out.rmdir()
        raise


def _train(
    config: TrainConfig, problem: Problem, out: Path | None, resume: bool, progress: bool
) -> dict[str, Any]:
    model, optimizer, state = start_run(config, problem)
    if out is not None:
        finished = _prepare(out, config, resume)
        if finished is not None:
            return finished
        checkpoints = list_checkpoints(out) if out.is_dir() else []
        if checkpoints:  # everything is read and checked before any file changes
            state = load_checkpoint(checkpoints[-1][1], config, model, optimizer)
        atomic_write_text(out / "config.json", json.dumps(config.to_dict(), indent=2) + "\n")
        atomic_write_text(out / "metrics.csv", metrics_csv(state.history))
        for name, text in problem.run_files().items():
            atomic_write_text(out / name, text)

    writers = None if out is None else _writers(out, config, model, optimizer)
    on_eval, on_checkpoint = (None, None) if writers is None else writers
    fit(
        config, model, problem, optimizer, state,
        on_eval=on_eval, on_checkpoint=on_checkpoint, progress=progress,
    )  # fmt: skip
    result = {
        **summary(state, config, problem),
        "params": model.num_params,
        "seed": config.seed,
        **({"task": config.task, "length": config.length} if config.data is None else {}),
        "cell": config.cell,
        "init": config.resolved_init,
        "version": __version__,
    }
    if out is not None:
        atomic_write_text(out / "metrics.csv", metrics_csv(state.history))
        if all(all_finite(p) for p in model.params.values()):  # not so after some divergences
            atomic_write(out / "params.npz", npz_bytes(model.params))
        atomic_write_text(out / "result.json", json.dumps(result, indent=2) + "\n")
    return result


def load_run(out_dir: str | Path) -> tuple[TrainConfig, SequenceModel]:
    """The config and the trained model of a finished run directory."""
    out = Path(out_dir)
    config = read_config(out)
    model = build_model(config, streams(config.seed)[0])
    path = out / "params.npz"
    if not path.exists():
        raise ValueError(
            f"out: {out} has no params.npz (the run has not finished, or it diverged with "
            "non-finite parameters: see its result.json)"
        )
    model.load_params(read_arrays(path, "out"))
    return config, model

"""Atomic file writes and checkpoints that resume a run to exactly the same numbers.

A checkpoint ``checkpoint-0000500.npz`` holds, after update 500: every parameter
(``param/<name>``), the optimizer's `state_dict` (``opt/<key>``), what the problem carries
between updates (``carried/<key>``, e.g. a text model's state) and one JSON string ``meta``
with the step, both generators' bit-generator states, the evaluation history, the running
sums since the last evaluation and the run's config. Floats go through JSON as their shortest
round-trip repr and arrays through ``.npz`` unchanged, so nothing is rounded.

Every file is written to a temporary name in the same directory, flushed, fsynced and then
renamed over the target (``os.replace`` is atomic on POSIX), so a crash leaves either the old
file or the new one, never half of one. A checkpoint that cannot be written (disk full, file
size limit) stops the run with one line; the previous checkpoints are deleted only after the new
one is whole, so the run resumes from the last one that was.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..models import SequenceModel
from ..optim import Optimizer
from ..validation import all_finite
from .config import TrainConfig
from .loop import TrainState

FORMAT = 1
KEEP = 2  # checkpoints kept on disk: the newest two
_NAME = re.compile(r"^checkpoint-(\d+)\.npz$")


def _umask() -> int:
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    The file gets the permissions ``open`` would give it (0666 less the umask), not the 0600
    of the temporary file it starts as.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write(path, text.encode("utf-8"))


def npz_bytes(arrays: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def checkpoint_path(out_dir: Path, step: int) -> Path:
    return Path(out_dir) / f"checkpoint-{step:07d}.npz"


def list_checkpoints(out_dir: Path) -> list[tuple[int, Path]]:
    """(step, path) of every checkpoint in ``out_dir``, oldest first."""
    found = []
    for path in Path(out_dir).iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append((int(match[1]), path))
    return sorted(found)


def _rng_state(rng: np.random.Generator) -> dict[str, Any]:
    return rng.bit_generator.state


def save_checkpoint(
    out_dir: Path,
    config: TrainConfig,
    model: SequenceModel,
    optimizer: Optimizer,
    state: TrainState,
    elapsed: float,
) -> Path:
    """Write the checkpoint of ``state.step`` and delete all but the newest `KEEP`."""
    meta = {
        "format": FORMAT,
        "version": __version__,
        "config": config.to_dict(),
        "step": state.step,
        "train_rng": _rng_state(state.train_rng),
        "test_rng": _rng_state(state.test_rng),
        "history": state.history,
        "loss_sum": state.loss_sum,
        "norm_sum": state.norm_sum,
        "count": state.count,
        "skipped": state.skipped,
        "skipped_in_row": state.skipped_in_row,
        "window_skipped": state.window_skipped,
        "steps_to_solve": state.steps_to_solve,
        "elapsed": elapsed,
        "out_of_time": state.out_of_time,
    }
    arrays: dict[str, Any] = {f"param/{k}": v for k, v in model.params.items()}
    opt_state = optimizer.state_dict()
    arrays.update({f"opt/{k}": np.asarray(v) for k, v in opt_state.items()})
    arrays.update({f"carried/{k}": v for k, v in state.carried.items()})
    for key, value in arrays.items():  # the loop ends a run before this (a diverged run)
        if value.dtype.kind == "f" and not all_finite(value):
            raise ValueError(f"checkpoint: {key} is not finite; a checkpoint never holds NaN/inf")
    arrays["meta"] = np.array(json.dumps(meta))
    path = checkpoint_path(out_dir, state.step)
    try:
        atomic_write(path, npz_bytes(arrays))
    except OSError as exc:
        kept = list_checkpoints(out_dir)
        previous = f"{kept[-1][1]} is kept" if kept else "no earlier checkpoint exists"
        raise ValueError(
            f"checkpoint: cannot write {path} ({exc.strerror or exc}); {previous}: free space "
            "and rerun with --resume"
        ) from None
    for _, old in list_checkpoints(out_dir)[:-KEEP]:
        old.unlink(missing_ok=True)
    return path


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """A checkpoint's meta and arrays; raises anything reading a broken file raises."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays.pop("meta")))
    if meta.get("format") != FORMAT:
        raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT}")
    return meta, arrays


def _unreadable(path: Path, exc: Exception) -> ValueError:
    return ValueError(
        f"checkpoint: cannot read {path} ({type(exc).__name__}: {exc}); "
        "delete it to resume from an earlier checkpoint"
    )


def checkpoint_config(path: Path) -> TrainConfig:
    """The config a checkpoint was written with (what resumes a run whose config.json is lost)."""
    try:
        return TrainConfig.from_dict(_read(path)[0]["config"])
    except Exception as exc:
        raise _unreadable(path, exc) from None


def _generator(saved: dict[str, Any]) -> np.random.Generator:
    bit_generator = getattr(np.random, saved["bit_generator"])()
    bit_generator.state = saved
    return np.random.Generator(bit_generator)


def load_checkpoint(
    path: Path, config: TrainConfig, model: SequenceModel, optimizer: Optimizer
) -> TrainState:
    """Restore ``model`` and ``optimizer`` in place from ``path``; returns the loop state.

    Raises ValueError naming the file if it cannot be read or belongs to another config;
    the model and optimizer are changed only once everything has been read and checked.
    """
    try:
        meta, arrays = _read(path)
        saved = TrainConfig.from_dict(meta["config"])
        params = {k[6:]: v for k, v in arrays.items() if k.startswith("param/")}
        opt_state = {k[4:]: v for k, v in arrays.items() if k.startswith("opt/")}
        state = TrainState(
            step=int(meta["step"]),
            train_rng=_generator(meta["train_rng"]),
            test_rng=_generator(meta["test_rng"]),
            history=list(meta["history"]),
            loss_sum=float(meta["loss_sum"]),
            norm_sum=float(meta["norm_sum"]),
            count=int(meta["count"]),
            skipped=int(meta["skipped"]),
            skipped_in_row=int(meta.get("skipped_in_row", 0)),  # absent before issue 18
            window_skipped=int(meta.get("window_skipped", 0)),
            steps_to_solve=meta["steps_to_solve"],
            elapsed=float(meta["elapsed"]),
            out_of_time=bool(meta.get("out_of_time", False)),
            carried={k[8:]: v for k, v in arrays.items() if k.startswith("carried/")},
        )
    except Exception as exc:  # truncated zip, bad JSON, missing key: all "corrupt"
        raise _unreadable(path, exc) from None
    diffs = config.differences(saved)
    if diffs:
        raise ValueError(f"checkpoint: {path} belongs to another configuration ({diffs[0]})")
    backup = {k: v.copy() for k, v in model.params.items()}
    try:
        model.load_params(params)
        optimizer.load_state_dict(opt_state)
    except ValueError as exc:
        model.load_params(backup)
        raise ValueError(f"checkpoint: {path} does not fit this model ({exc})") from None
    return state

"""Gradient-flow diagnostics of a whole model: at initialisation, or of a trained run directory.

`rnnlab.gradflow` measures a recurrent layer given the gradient of its output; here that
gradient comes from the model's own readout and task loss on one fixed batch of the task
(`GRADFLOW_SEED`), so every cell, at init and trained, is measured on the same sequences.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..gradflow import diagnose_layer
from .plan import GRADFLOW_BATCH, GRADFLOW_SEED


def _config(config: Any) -> Any:
    from ..training import TrainConfig

    return config if isinstance(config, TrainConfig) else TrainConfig(**config)


def cell_label(config: Any) -> str:
    """``cell[@init]`` as a sweep's --cells would write it (init only when one was given)."""
    return config.cell if config.init is None else f"{config.cell}@{config.init}"


def diagnose_model(model: Any, config: Any) -> dict[str, Any]:
    """Diagnostics of ``model`` (an `rnnlab.models.SequenceModel`) on ``config``'s task."""
    task = config.make_task()
    batch = task.sample(np.random.default_rng(GRADFLOW_SEED), GRADFLOW_BATCH)
    layer = model.layer
    was_training = layer.training
    layer.eval()
    try:
        output, cache = model.forward(batch.x, batch.lengths)
        _, dout = model.loss(output, batch)
        dh = dout @ model.readout["weight"]  # dL/d(what the readout read)
        if cache.last is None:  # many-to-many: the readout read every step
            dy = dh
        else:
            dy = np.zeros_like(cache.y)
            dy[np.arange(len(cache.last)), cache.last] = dh
    finally:
        layer.train(was_training)
    diag = diagnose_layer(
        layer, batch.x, batch.lengths, dy, np.random.default_rng(GRADFLOW_SEED + 1)
    )
    return {
        **diag,
        "cell": cell_label(config),
        "init": config.resolved_init,
        "task": config.task,
        "length": config.length,
        "seed": config.seed,
    }


def diagnose_config(config: Any) -> dict[str, Any]:
    """Diagnostics of the model ``config`` trains, at initialisation (its very first weights)."""
    from ..training import build_model, streams

    config = _config(config)
    return diagnose_model(build_model(config, streams(config.seed)[0]), config)


def diagnose_trained(run_dir: str | Path) -> dict[str, Any]:
    """Diagnostics of the trained model in a finished run directory."""
    from ..training import load_run

    config, model = load_run(run_dir)
    return {**diagnose_model(model, config), "steps": config.steps}

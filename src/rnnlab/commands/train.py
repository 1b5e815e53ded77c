"""``rnnlab train``: one run, from flags and/or a TOML file, into a run directory."""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..data import dataset_class
from ..files import parse_file
from ..init import INITS
from ..models import cell_choices
from ..optim import OPTIMIZERS, SCHEDULES
from ..training import TrainConfig, train_run
from ..training.run import saved_config
from ._args import add_command, path
from ._data_flags import add_data_flags, data_options

NAME = "train"
ORDER = 10
HELP = "train one model on a task or a dataset; writes config.json, metrics.csv, result.json"
DESCRIPTION = """\
Train a recurrent model on a long-time-lag task (--task) with on-line batches, periodic \
evaluation on fresh test sequences and early stopping at the task's criterion; or on a real \
dataset (--data NAME|PATH, see `rnnlab data`), starting from the dataset's own defaults.
LSTM and GRU start from chrono init (T_max = the task's longest sequence), the RNN from PyTorch's.

Example: rnnlab train --task adding --length 100 --cell lstm --hidden 16 --steps 6000 --batch 32 \
--lr 0.005 --seed 0 --out runs/x
         rnnlab train --data shakespeare --cell lstm --minutes 10 --out runs/s
Resume:  rnnlab train --out runs/x --resume"""

# flag dest -> TrainConfig field (flags whose names differ from the field)
_FIELDS = {
    "task": "task",
    "length": "length",
    "cell": "cell",
    "init": "init",
    "hidden": "hidden",
    "layers": "num_layers",
    "bidirectional": "bidirectional",
    "dropout": "dropout",
    "steps": "steps",
    "batch": "batch",
    "lr": "lr",
    "optimizer": "optimizer",
    "weight_decay": "weight_decay",
    "schedule": "schedule",
    "clip": "clip",
    "clip_mode": "clip_mode",
    "seed": "seed",
    "eval_every": "eval_every",
    "checkpoint_every": "checkpoint_every",
    "tbptt": "tbptt",
    "early_stop": "early_stop",
    "dtype": "dtype",
    "input_to_output": "input_to_output",
    "data": "data",
    "minutes": "minutes",
    "regularizer": "regularizer",
    "reg_weight": "reg_weight",
}
_TASK_OPTIONS = ("variant", "bits", "test_size")


def _clip(text: str) -> float | None:
    if text.lower() in ("none", "off"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive number or none, got {text!r}"
        ) from None
    if not value > 0:  # 0 would mean "off" in some tools and "zero every gradient" in others
        raise argparse.ArgumentTypeError(
            f"expected a positive number (use 'none' to switch clipping off), got {text!r}"
        )
    return value


def _option(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    for convert in (int, float):
        try:
            return key, convert(value)
        except ValueError:
            pass
    return key, value


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = add_command(sub, NAME, HELP, DESCRIPTION)
    _add_arguments(p.add_argument)
    return p


def _add_arguments(a: Callable[..., Any]) -> None:
    """Every flag of ``rnnlab train``, in the order its help lists them."""
    a("--config", type=path, help="TOML file with the same settings (flags override it)")
    a("--task", help="task name (see `rnnlab tasks`)")
    a("--data", help="dataset name (see `rnnlab data`) or a path to a UTF-8 text file")
    a("--minutes", type=float, help="time budget: after M minutes, evaluate once more and stop")
    a("--length", type=int, help="the task's length or lag (T, p, delay)")
    a("--cell", help=f"cell[:variant], one of {cell_choices()} (default lstm)")
    a("--init", help=f"initialisation: {', '.join(INITS)}")
    a("--hidden", type=int, help="hidden units (default 16)")
    a("--layers", type=int, help="stacked layers (default 1)")
    a("--bidirectional", action="store_const", const=True, help="two directions")
    a("--no-bidirectional", dest="bidirectional", action="store_const", const=False,
      help="one direction (a tagger's default is two)")  # fmt: skip
    a("--dropout", type=float,
      help="dropout between stacked layers (seq2seq: also before the readout)")  # fmt: skip
    a("--steps", type=int, help="updates at most (default 3000)")
    a("--batch", type=int, help="sequences per update (default 32)")
    a("--lr", type=float, help="learning rate (default 0.005)")
    a("--optimizer", choices=sorted(OPTIMIZERS), help="default adam")
    a("--momentum", type=float, help="momentum (sgd, rmsprop)")
    a("--weight-decay", type=float, help="L2 weight decay (default 0)")
    a("--schedule", choices=sorted(SCHEDULES), help="learning-rate schedule (default constant)")
    a("--clip", type=_clip, help="clipping threshold > 0, 'none' for off (default 1.0)")
    a("--clip-mode", choices=("norm", "value"), help="global norm (default) or per value")
    a("--seed", type=int, help="seed of everything random (default 0)")
    a("--eval-every", type=int, help="evaluate every N updates (default 100)")
    a("--checkpoint-every", type=int, help="checkpoint every N updates (default 500)")
    a("--tbptt", type=int, help="truncated BPTT window in steps (default: full BPTT)")
    a(
        "--regularizer",
        choices=("pascanu",),
        help="add Pascanu et al. 2013's Omega (keeps the error's norm through time) to the loss",
    )
    a("--reg-weight", type=float, help="Omega's weight (PMB13's alpha; default 1)")
    a("--no-early-stop", dest="early_stop", action="store_const", const=False)
    a("--dtype", choices=("float64", "float32"), help="default float64")
    a(
        "--input-to-output",
        dest="input_to_output",
        action="store_const",
        const=True,
        help="readout also reads the input directly (default: as the task's paper; on for longlag)",
    )
    a("--no-input-to-output", dest="input_to_output", action="store_const", const=False)
    a("--variant", help="task option, e.g. adding --variant pascanu")
    a("--bits", type=int, help="task option of temporal_order (2 or 3)")
    a("--test-size", type=int, help="task option: test sequences per evaluation")
    a("--option", type=_option, action="append", default=[], metavar="KEY=VALUE",
      help="any other task option, or dataset option with --data (repeatable)")  # fmt: skip
    add_data_flags(a)
    a("--out", type=path, help="run directory (without it nothing is written)")
    a("--resume", action="store_true", help="continue the run in --out from its checkpoint")
    a("--quiet", action="store_true", help="no progress bar")


def _load_toml(path: Path) -> dict[str, Any]:
    return parse_file(path, "config", "TOML", tomllib.loads, tomllib.TOMLDecodeError)


def settings(args: argparse.Namespace) -> TrainConfig:
    """Saved config (with --resume) or the dataset's defaults < TOML file < flags."""
    data: dict[str, Any] = {}
    toml = {} if args.config is None else _load_toml(args.config)
    saved = saved_config(args.out) if args.resume and args.out is not None else None
    if saved is not None:  # config.json, or if it was lost the newest checkpoint's copy
        data = saved.to_dict()
    toml_options = toml.get("data_options") if isinstance(toml.get("data_options"), dict) else {}
    dataset_options = data_options(args)  # the flags given; merged into the saved ones below
    if not data:  # a new dataset run starts from the dataset's defaults
        name = args.data if args.data is not None else toml.get("data")
        if isinstance(name, str) and name:
            data = dict(dataset_class(name, {**toml_options, **dataset_options}).defaults)
    data.update(toml)
    for dest, name in _FIELDS.items():
        value = getattr(args, dest)
        if value is not None:
            data[name] = value
    options = {k: getattr(args, k) for k in _TASK_OPTIONS if getattr(args, k) is not None}
    # --option KEY=VALUE is a dataset option in a dataset run, else a task option
    (dataset_options if data.get("data") else options).update(dict(args.option))
    _merge(data, "data_options", dataset_options)
    _merge(data, "task_options", options)
    if args.momentum is not None:
        _merge(data, "optimizer_options", {"momentum": args.momentum})
    return TrainConfig.from_dict(data)


def _merge(data: dict[str, Any], name: str, flags: dict[str, Any]) -> None:
    """Add the options given as flags to the table ``data[name]``. A value there that is not a
    table is left alone for `TrainConfig` to refuse with its one line."""
    base = data.get(name)
    if flags and (base is None or isinstance(base, dict)):
        data[name] = {**(base or {}), **flags}


def run(args: argparse.Namespace) -> int:
    if args.resume and args.out is None:
        raise ValueError("resume: needs --out, the run directory to continue")
    config = settings(args)
    result = train_run(config, out_dir=args.out, resume=args.resume, progress=not args.quiet)
    where = "" if args.out is None else f" -> {args.out}"
    if config.data is not None:
        info, baselines = result["metric_info"], result["baselines"]
        against = ", ".join(f"{k} {v:.4g}" for k, v in baselines.items())
        print(
            f"{config.data} {config.cell} H={config.hidden}x{config.num_layers}: "
            f"{info['name']} {result['metric']:.4g} {info['unit']} (baselines: {against}); "
            f"{result['steps_run']} steps, stopped by {result['stopped']}; "
            f"{result['params']} params; {result['wall_time']:.1f} s{where}"
        )
        return _diverged(args, result)
    if result.get("diverged"):  # result.json written before issue 18 has no such key
        outcome = f"diverged at step {result['diverged_at']}"
    elif result["solved"]:
        outcome = f"solved at step {result['steps_to_solve']}"
    else:
        outcome = f"not solved after {result['steps_run']} steps"
    print(
        f"{config.task} length={config.length} {config.cell} ({result['init']} init): "
        f"{outcome}; test metric {result['metric']:.4g}; {result['params']} params; "
        f"{result['wall_time']:.1f} s{where}"
    )
    return _diverged(args, result)


def _diverged(args: argparse.Namespace, result: dict[str, Any]) -> int:
    """Exit code 1 and one line on stderr for a diverged run (a finished, recorded run, but
    not one to build on: see docs/training.md); 0 otherwise."""
    if not result.get("diverged"):
        return 0
    recorded = "" if args.out is None else f"; recorded in {args.out / 'result.json'}"
    print(
        f"rnnlab {NAME}: diverged at step {result['diverged_at']}: "
        f"{result['diverged_reason']}{recorded}",
        file=sys.stderr,
    )
    return 1

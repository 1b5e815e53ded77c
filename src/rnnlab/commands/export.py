"""``rnnlab export``: a finished run's model as an ONNX file (stack + readout)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._args import add_command

NAME = "export"
ORDER = 60
HELP = "write a trained run's model as ONNX (checked with onnx.checker)"
DESCRIPTION = """\
Writes the model of a finished `rnnlab train` run (its recurrent stack and linear readout, \
dropout dropped) as an ONNX file, opset 14: inputs x (N, T, D) and lengths (N,) int64 (a text \
model trained with --embed: ids (N, T) int64 in place of x), outputs out (the raw readout), h_n \
(and c_n). Needs the onnx extra (pip install -e ".[onnx]").
Example: rnnlab export --run runs/adding100-lstm --onnx adding.onnx"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = add_command(sub, NAME, HELP, DESCRIPTION)
    parser.add_argument("--run", required=True, help="a finished run directory")
    parser.add_argument("--onnx", required=True, help="the ONNX file to write (not overwritten)")
    parser.add_argument("--force", action="store_true", help="overwrite --onnx if it exists")
    return parser


def run(args: argparse.Namespace) -> int:
    from ..interop.onnx import model_to_onnx
    from ..training.run import load_run

    target = Path(args.onnx)
    if target.is_dir():
        raise ValueError(f"--onnx: {target} is a directory; expected a file path")
    if target.exists() and not args.force:
        raise ValueError(f"--onnx: {target} exists; pass --force to overwrite it")
    if not target.parent.is_dir():
        raise ValueError(f"--onnx: directory {target.parent} does not exist")
    if not Path(args.run).is_dir():
        raise ValueError(f"--run: {args.run} is not a run directory")
    _, model = load_run(args.run)
    model_to_onnx(model, target, lengths=True)
    print(f"export: {target} ({target.stat().st_size:,} bytes, {model.num_params:,} parameters)")
    return 0

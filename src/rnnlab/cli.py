"""The ``rnnlab`` command line: a thin shell over the library.

Each subcommand lives in its own module under `rnnlab.commands` with ``NAME``, ``ORDER``,
``register(subparsers)`` and ``run(args) -> int``; this module finds them, parses, and turns a
library ``ValueError`` into one line on stderr and exit status 2.

Every parser (the subcommands' too) takes no abbreviations (``--cell`` is not ``--cells``) and
reports a bad flag in one line naming the subcommand. SIGTERM is handled like Ctrl-C: the
command stops the way it does on KeyboardInterrupt and exits with 143 (128 + 15).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import signal
import sys
import threading
from types import FrameType, ModuleType
from typing import Any, NoReturn

from . import __version__, commands


def _command_modules() -> list[ModuleType]:
    modules = [
        importlib.import_module(f"{commands.__name__}.{info.name}")
        for info in pkgutil.iter_modules(commands.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.NAME))


class Parser(argparse.ArgumentParser):
    """An argument parser without prefix matching whose errors are one line.

    ``add_subparsers`` makes the subcommands' parsers of this class too, so a new command
    inherits both.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (options: {self.prog} --help)\n")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the main thread is, so it unwinds like Ctrl-C."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="rnnlab",
        description="Why an LSTM learns what a plain RNN cannot: train, compare, measure.",
    )
    parser.add_argument("--version", action="version", version=f"rnnlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(sub).set_defaults(_run=module.run)
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse ``argv``; an unknown flag is reported by its subcommand's parser, not the top's."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        owner = subparsers.choices.get(getattr(args, "command", None) or "", parser)
        owner.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    if not hasattr(args, "_run"):
        parser.print_help()
        return 2
    handles = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if handles else None
    try:
        return int(args._run(args))
    except ValueError as exc:
        print(f"rnnlab {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file the checks could not foresee (disk full, removed, ...)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"rnnlab {args.command}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        detail = f": {exc}" if str(exc) else ""
        how = "terminated" if isinstance(exc, Terminated) else "interrupted"
        print(f"rnnlab {args.command}: {how}{detail}", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    finally:
        if handles:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())

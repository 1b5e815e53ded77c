"""What the subcommands share (a leading underscore: not a subcommand itself): their parser's
set-up and argument types."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_command(
    sub: argparse._SubParsersAction, name: str, help: str, description: str
) -> argparse.ArgumentParser:
    """Add the parser of subcommand ``name``: ``help`` is its line in ``rnnlab --help``;
    ``description`` heads ``rnnlab NAME --help`` with its line breaks as written (a source line
    ending in a backslash continues the paragraph), so each example stands on its own line."""
    return sub.add_parser(
        name,
        help=help,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def path(text: str) -> Path:
    """A file or directory argument: an empty string is refused (``Path("")`` would be ``.``)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a path, got an empty string")
    return Path(text)

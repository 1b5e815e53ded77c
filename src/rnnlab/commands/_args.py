"""Argument types the subcommands share (a leading underscore: not a subcommand itself)."""

from __future__ import annotations

import argparse
from pathlib import Path


def path(text: str) -> Path:
    """A file or directory argument: an empty string is refused (``Path("")`` would be ``.``)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a path, got an empty string")
    return Path(text)

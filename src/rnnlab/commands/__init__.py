"""One module per ``rnnlab`` subcommand (discovered by `rnnlab.cli`)."""

import argparse
import sys
from typing import NoReturn


def one_line_errors(parser: argparse.ArgumentParser, name: str) -> None:
    """Make ``parser`` report a bad argument in one line, like the library's errors, exit 2."""

    def error(message: str) -> NoReturn:
        print(f"rnnlab {name}: error: {message}", file=sys.stderr)
        sys.exit(2)

    parser.error = error  # type: ignore[method-assign]

"""rnnlab against PyTorch, side by side: the same as ``rnnlab bench`` (same options).

    python benchmarks/bench.py --threads 1 --json bench.json
"""

from __future__ import annotations

import sys

from rnnlab.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))

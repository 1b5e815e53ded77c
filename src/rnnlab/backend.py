"""Which implementation of the time loop the layers run.

The readable NumPy loop in `rnnlab.bptt` is the reference. A compiled fast path may take over
here; it must return exactly what the reference returns.
"""

from __future__ import annotations

from .bptt import backprop, unroll

__all__ = ["backprop", "unroll"]

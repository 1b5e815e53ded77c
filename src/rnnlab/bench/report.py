"""The benchmark's text table and target summary (plain formatting: no table library is a
dependency)."""

from __future__ import annotations

from typing import Any

COLUMNS = (
    ("cell", 4),
    ("mode", 5),
    ("B", 3),
    ("T", 4),
    ("H", 3),
    ("backend", 9),
    ("x torch", 7),
    ("[q1-q3]", 11),
    ("torch seq/s", 11),
    ("rnnlab seq/s", 12),
    ("torch GF/s", 10),
    ("rnnlab GF/s", 11),
    ("probe GF/s", 10),
    ("% peak", 6),
    ("target", 6),
    ("ok", 3),
)


def _rate(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def _ok(row: dict[str, Any]) -> str:
    flags = [row["meets_target"], row["meets_peak_target"]]
    if all(f is None for f in flags):
        return "-"
    return "no" if any(f is False for f in flags) else "yes"


def header() -> str:
    return "  ".join(f"{name:>{width}}" for name, width in COLUMNS)


def format_row(row: dict[str, Any]) -> str:
    """One table line; "target" shows the ratio target and, where set, the peak fraction."""
    tgt = "" if row["target"] is None else f"{row['target']:g}"
    if row["peak_target"] is not None:
        tgt += f"/{row['peak_target']:.0%}"
    cells = (
        row["cell"],
        row["mode"],
        row["batch"],
        row["time"],
        row["hidden"],
        row["backend"],
        f"{row['ratio']:.2f}",
        f"[{row['ratio_q1']:.2f}-{row['ratio_q3']:.2f}]",
        _rate(row["torch_seq_s"]),
        _rate(row["rnnlab_seq_s"]),
        f"{row['torch_gflops']:.1f}",
        f"{row['rnnlab_gflops']:.1f}",
        f"{row['probe_gflops']:.0f}",
        f"{row['rnnlab_peak_frac']:.0%}",
        tgt or "-",
        _ok(row),
    )
    return "  ".join(f"{v!s:>{width}}" for v, (_, width) in zip(cells, COLUMNS, strict=True))


def legend(threads: int) -> str:
    return (
        f"{threads} thread(s). x torch = median over rounds of (torch time / rnnlab time), "
        "[q1-q3] its quartiles; GF/s counts the matrix products only (forward 2*T*N*(D+H)*G*H, "
        "backward twice that); probe = 512^3 float32 np.dot timed in every round; % peak = "
        "rnnlab GF/s / probe; target = the issue's minimum ratio / peak fraction."
    )


def format_compile(info: dict[str, Any] | None) -> list[str]:
    if info is None:
        return ["compile time: not measured (--no-compile)"]
    first, second = info["first"], info["second"]
    per_cell = ", ".join(
        f"{name} {c['first_s'] - c['second_s']:.2f} s{'' if c['fast'] else ' (reference)'}"
        for name, c in first["cells"].items()
    )
    return [
        f"compile time, fresh process with an empty NUMBA_CACHE_DIR: {info['compile_s']:.1f} s "
        f"({per_cell}; import {first['import_s']:.2f} s; {first['cache_misses']} kernels compiled)",
        f"second process, same cache: first calls {info['cached_load_s']:.2f} s over the steady "
        f"ones; {second['cache_hits']} kernels loaded from the cache, "
        f"{second['cache_misses']} compiled",
    ]


def summary(rows: list[dict[str, Any]]) -> list[str]:
    """The rows that miss a target, or a line saying none does."""
    short = [
        r for r in rows if r["meets_target"] is False or r["meets_peak_target"] is False
    ]
    checked = [r for r in rows if r["meets_target"] is not None or r["peak_target"] is not None]
    if not short:
        return [f"all {len(checked)} targeted rows meet their targets"]
    lines = [f"{len(short)} of {len(checked)} targeted rows are short:"]
    for r in short:
        what = f"x torch {r['ratio']:.2f}"
        if r["target"] is not None:
            what += f" (target {r['target']:g})"
        if r["peak_target"] is not None:
            what += f", {r['rnnlab_peak_frac']:.0%} of peak (target {r['peak_target']:.0%})"
        lines.append(
            f"  {r['cell']} {r['mode']} B={r['batch']} T={r['time']} H={r['hidden']} "
            f"[{r['backend']}]: {what}"
        )
    return lines

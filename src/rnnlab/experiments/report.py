"""Write the report: ``index.html`` (one self-contained file) and ``README.md`` with PNGs.

The HTML embeds every figure as a ``data:image/png;base64`` URI and carries its own CSS, so it
opens offline and loads nothing from anywhere: no scripts, fonts, stylesheets or remote images.
"""

from __future__ import annotations

import base64
import html
import importlib.util
import json
from pathlib import Path
from typing import Any

from ..gradflow import ratio_at
from .atlas_report import ablation_table, longest_lag_table
from .curves import is_data_row
from .reading import reading_lines
from .store import COLUMNS
from .summary import GRADIENT_DISTANCE, Rows, diagnostics, in_cells_order, summary_lines

CURVES = "data_curves.png"
CURVES_CAPTION = "Each dataset's metric (text: bits per character) against wall time and updates"

FIGURES = (
    ("success_rate.png", "Success rate over seeds against the lag"),
    ("steps_to_solve.png", "Median steps to solve against the lag"),
    ("gradflow.png", "Gradient flow: log norm against distance from the loss"),
    ("success_heatmap.png", "Success by cell and lag, task by task"),
)
# The run table: a run's key and outcome as stored (task ... params), then its width and cost.
RUN_COLUMNS = (*COLUMNS[: COLUMNS.index("params") + 1], "hidden", "wall_time", "version")
CSS = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
    "color:#222}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
    "padding:2px 6px;text-align:right}th{background:#f3f3f3}img{max-width:100%}"
    "td.l,th.l{text-align:left}.ok{background:#e8f6e8}"
)


def plot_available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def diagnostic_rows(diags: dict[str, dict[str, dict[str, Any]]]) -> list[list[str]]:
    """One line per (cell, phase): gradient ratios, spectral radii, saturation, forget gate."""
    k = GRADIENT_DISTANCE
    out = []
    for cell, phases in diags.items():
        for phase in ("init", "trained"):
            d = phases.get(phase)
            if not d:
                continue
            radii = ", ".join(f"{n} {v:.3g}" for n, v in d["spectral_radius"].items())
            keep = "" if d.get("mean_keep") is None else f"{d['keep_gate']} {d['mean_keep']:.3f}"
            out.append(
                [
                    cell,
                    phase,
                    _fmt(ratio_at(d, 10)),
                    _fmt(ratio_at(d, k)),
                    _fmt(ratio_at(d, k, "dc")),
                    _fmt(ratio_at(d, k, "jacobian")),
                    radii,
                    _fmt(d.get("saturation_all")),
                    keep,
                ]
            )
    return out


DIAG_HEADER = [
    "cell",
    "phase",
    "dL/dh ratio, 10 back",
    f"dL/dh ratio, {GRADIENT_DISTANCE} back",
    f"dL/dc ratio, {GRADIENT_DISTANCE} back",
    f"Jacobian dh_T/dh_t ratio, {GRADIENT_DISTANCE} back",
    "spectral radius of W_hh blocks",
    "gate saturation",
    "mean forget (LSTM f / GRU z)",
]


def _html_table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    def cls(i: int) -> str:
        return ' class="l"' if i < left else ""

    head = "".join(f"<th{cls(i)}>{html.escape(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{html.escape(c)}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _lag_tables(rows: Rows) -> list[tuple[str, tuple[list[str], list[list[str]]]]]:
    tables = [("Longest lag solved in >= 80 % of seeds, per task", longest_lag_table(rows))]
    ablations = ablation_table(rows)
    if ablations is not None:
        heading = "Gate ablations (Greff et al.): longest lag solved, against the peephole cell"
        tables.append((heading, ablations))
    return tables


def write_report(
    rows: Rows,
    out_dir: str | Path,
    title: str = "rnnlab: RNN vs LSTM vs GRU over time lags",
    notes: list[str] | None = None,
    settings: dict[str, Any] | None = None,
) -> Path:
    """Draw the figures and write index.html and README.md into ``out_dir``; needs matplotlib."""
    from . import figures

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cells = (settings or {}).get("cells")
    data_rows = in_cells_order([r for r in rows if is_data_row(r)], cells)  # their own section
    rows = [r for r in rows if not is_data_row(r)]
    if not rows:
        return write_data_report(data_rows, out, title, notes, settings)
    rows = in_cells_order(rows, cells)
    diags = diagnostics(rows)
    images = {
        "success_rate.png": figures.success_figure(rows),
        "steps_to_solve.png": figures.steps_figure(rows),
        "gradflow.png": figures.gradflow_figure(diags),
        "success_heatmap.png": figures.heatmap_figure(rows),
    }
    for name, data in images.items():
        (out / name).write_bytes(data)
    summary = summary_lines(rows)
    run_rows = [[_fmt(r[c]) for c in RUN_COLUMNS] for r in rows]
    notes = list(notes or [])
    settings_text = json.dumps(settings or {}, sort_keys=True)

    tables = [(heading, None, header, body, 1) for heading, (header, body) in _lag_tables(rows)]
    tables += [
        ("Gradient-flow diagnostics", "diagnostics", DIAG_HEADER, diagnostic_rows(diags), 2),
        (f"Every run ({len(rows)})", "runs", list(RUN_COLUMNS), run_rows, 3),
    ]
    texts = (reading_lines(rows), summary + notes)
    page = _html(title, *texts, images, tables, settings_text)
    markdown = _markdown(title, *texts, tables, settings_text)
    if data_rows:  # before the settings, which end both documents
        page = page.replace("<h2>Settings</h2>", data_html(data_rows, out) + "<h2>Settings</h2>")
        section = "\n".join(data_markdown(data_rows))
        markdown = markdown.replace("\n## Settings\n", section + "\n\n## Settings\n")
    (out / "index.html").write_text(page, "utf-8")
    (out / "README.md").write_text(markdown, "utf-8")
    return out / "index.html"


Table = tuple[str, str | None, list[str], list[list[str]], int]  # heading, id, header, body, left


def _html(
    title: str,
    reading: list[str],
    summary: list[str],
    images: dict[str, bytes],
    tables: list[Table],
    settings_text: str,
) -> str:
    """index.html: one self-contained page, the figures embedded as data URIs."""
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title><style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>",
        "<h2 id='reading'>What the figures show</h2>"
        + "".join(f"<p>{html.escape(s)}</p>" for s in reading),
        "<h2 id='summary'>Summary</h2><ul>"
        + "".join(f"<li>{html.escape(s)}</li>" for s in summary)
        + "</ul>",
    ]
    for name, caption in FIGURES:
        encoded = base64.b64encode(images[name]).decode("ascii")
        stem = name.removesuffix(".png")
        parts.append(
            f"<figure id='{stem}'><img alt='{html.escape(caption)}' "
            f"src='data:image/png;base64,{encoded}'><figcaption>{html.escape(caption)}"
            "</figcaption></figure>"
        )
    for heading, anchor, header, body, left in tables:
        h2 = f"<h2 id='{anchor}'>" if anchor else "<h2>"
        parts.append(f"{h2}{html.escape(heading)}</h2>" + _html_table(header, body, left=left))
    parts.append(f"<h2>Settings</h2><pre>{html.escape(settings_text)}</pre></body></html>")
    return "".join(parts)


def _markdown(
    title: str, reading: list[str], summary: list[str], tables: list[Table], settings_text: str
) -> str:
    """README.md: the same sections as index.html, the figures as the PNGs beside it."""
    md = [f"# {title}", "", "## What the figures show", ""]
    md += [line for s in reading for line in (s, "")]
    md += ["## Summary", ""]
    md += [f"- {s}" for s in summary]
    for name, caption in FIGURES:
        md += ["", f"## {caption}", "", f"![{caption}]({name})"]
    for heading, _, header, body, _ in tables:
        md += ["", f"## {heading}", "", _md_table(header, body)]
    md += ["", "## Settings", "", f"`{settings_text}`", ""]
    return "\n".join(md)


def data_html(rows: Rows, out: Path) -> str:
    """The real-data section: the table beside the baselines and the learning curves."""
    from .curves import TABLE_HEADER, curves_figure, table_rows

    image = curves_figure(rows)
    (out / CURVES).write_bytes(image)
    encoded = base64.b64encode(image).decode("ascii")
    return (
        "<h2 id='data'>Real data: each cell beside the baselines</h2>"
        + _html_table(TABLE_HEADER, table_rows(rows), left=2)
        + f"<figure><img alt='{CURVES_CAPTION}' src='data:image/png;base64,{encoded}'>"
        f"<figcaption>{CURVES_CAPTION}</figcaption></figure>"
    )


def data_markdown(rows: Rows) -> list[str]:
    from .curves import TABLE_HEADER, table_rows

    return [
        "", "## Real data: each cell beside the baselines", "",
        _md_table(TABLE_HEADER, table_rows(rows)), "", f"![{CURVES_CAPTION}]({CURVES})",
    ]  # fmt: skip


def write_data_report(
    rows: Rows, out: Path, title: str, notes: list[str] | None, settings: dict[str, Any] | None
) -> Path:
    """A report of data runs only (no task rows)."""
    settings_text = html.escape(json.dumps(settings or {}, sort_keys=True))
    notes_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes or [])
    page = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title><style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<ul>{notes_html}</ul>{data_html(rows, out)}<h2>Settings</h2><pre>{settings_text}</pre>"
        "</body></html>"
    )
    (out / "index.html").write_text(page, encoding="utf-8")
    md = [f"# {title}", *[f"- {n}" for n in notes or []], *data_markdown(rows), ""]
    (out / "README.md").write_text("\n".join(md), encoding="utf-8")
    return out / "index.html"

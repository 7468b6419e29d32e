"""The report as one self-contained HTML page: inline CSS and SVG, no script, no font and no
link loaded from anywhere, so it opens offline and can be mailed as one file."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

from lambdalogs import __version__
from lambdalogs.dashboard_figures import FunctionFigures
from lambdalogs.report.build import Picture

STYLE: Final = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
  max-width: 72rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
p.lead { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
figure { margin: 1.5rem 0; } figcaption { color: #666; font-size: .85rem; }
figure svg { max-width: 100%; height: auto; }
"""


def _table(figures: Sequence[FunctionFigures]) -> str:
    header = (
        "<tr><th>function</th><th>invocations</th><th>errors</th><th>timeouts</th>"
        "<th>cold starts</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>cost USD</th></tr>"
    )
    rows = [
        f"<tr><td>{escape(f.name)}</td><td>{f.invocations}</td><td>{f.errors}</td>"
        f"<td>{f.timeouts}</td><td>{f.cold_starts}</td><td>{f.p50_ms:.2f}</td>"
        f"<td>{f.p95_ms:.2f}</td><td>{f.p99_ms:.2f}</td><td>{f.cost_usd:.8f}</td></tr>"
        for f in figures
    ]
    return f"<table>{header}{''.join(rows)}</table>"


def _inline(svg: str) -> str:
    """An SVG document as an element of the page (without an XML prolog)."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _figure(picture: Picture, svg: str) -> str:
    return (
        f'<figure id="{escape(picture.key)}" class="picture">{_inline(svg)}'
        f"<figcaption>{escape(picture.caption)}</figcaption></figure>"
    )


def html_page(
    title: str,
    lead: Sequence[str],
    figures: Sequence[FunctionFigures],
    drawn: Sequence[tuple[Picture, str]],
) -> str:
    """The page: the title, a few lines on the data, the per-function table, the pictures."""
    panels = [_figure(p, svg) for p, svg in drawn if not p.key.startswith("waterfall-")]
    waterfalls = [_figure(p, svg) for p, svg in drawn if p.key.startswith("waterfall-")]
    failing = (
        f"<h2>Failing traces ({len(waterfalls)})</h2>{''.join(waterfalls)}"
        if waterfalls
        else "<h2>Failing traces</h2><p>None: no trace logged an error.</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        + "".join(f'<p class="lead">{escape(line)}</p>' for line in lead)
        + f"<h2>Per function</h2>{_table(figures)}"
        + "<h2>The dashboards' panels</h2>"
        + "".join(panels)
        + failing
        + f'<footer><p class="lead">lambdalogs {escape(__version__)}</p></footer>'
        + "</body></html>\n"
    )

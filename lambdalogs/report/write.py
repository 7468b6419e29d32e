"""`--html FILE`: draw the pictures and write the page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lambdalogs.dashboard_figures import function_figures
from lambdalogs.documents import Document
from lambdalogs.errors import InputError
from lambdalogs.report import render
from lambdalogs.report.build import MAX_WATERFALLS, failing_traces, pictures
from lambdalogs.report.page import html_page
from lambdalogs.search.traces import Trace


@dataclass(frozen=True)
class Written:
    path: Path
    pictures: int
    waterfalls: int


def check_target(path: Path) -> None:
    """Before any work: vl-convert is installed and the report's folder can be written."""
    render.vega_lite_version()  # InputError naming the extra to install when it is missing
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise InputError(f"cannot write the report {path}: no folder {folder}; create it first")
    if path.is_dir():
        raise InputError(f"--html {path} is a folder; give a file name, e.g. {path}/report.html")


def write_report(
    path: Path,
    documents: Sequence[Document],
    found: Sequence[Trace],
    *,
    title: str,
    lead: Sequence[str],
) -> Written:
    """Write the HTML report of these documents to `path`; InputError when it cannot."""
    drawn = [(picture, render.to_svg(picture.spec)) for picture in pictures(documents, found)]
    failing = len(failing_traces(found))
    if failing > MAX_WATERFALLS:
        lead = [*lead, f"Failing traces: the first {MAX_WATERFALLS} of {failing} are drawn."]
    page = html_page(title, lead, function_figures(documents), drawn)
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as error:
        raise InputError(
            f"cannot write the report {path}: {error.strerror}; choose another file with --html"
        ) from None
    waterfalls = sum(1 for picture, _ in drawn if picture.key.startswith("waterfall-"))
    return Written(path, len(drawn), waterfalls)

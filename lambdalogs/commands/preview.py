"""`preview FILE`: your own logs through the transformer; the documents and a field summary."""

from __future__ import annotations

import argparse
import heapq
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final, TextIO

from lambdalogs.commands.options import Commands, add_output_option, output_path
from lambdalogs.console import print_lines, table
from lambdalogs.documents import Document
from lambdalogs.errors import InputError
from lambdalogs.local import logfiles, transform
from lambdalogs.search import bulkfile, traces

DEFAULT_FILE: Final = "lambda-logs-preview.ndjson"
DEFAULT_REPORT: Final = "lambda-logs-preview.html"


@dataclass(frozen=True)
class PreviewOptions:
    """The preview's options; their defaults are the command line's."""

    path: Path
    fmt: str = "auto"
    log_group: str | None = None
    log_stream: str | None = None
    architecture: str | None = None
    show: int = 5
    out: Path | None = None
    html: Path | None = None


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "preview",
        help="run your own logs through the transformer",
        description="Run a log file through the real transformer and show the documents and a "
        "field summary. FILE (a folder of export objects, or - for standard input) is the output "
        "of `aws logs filter-log-events`/`get-log-events`, `aws logs tail` (any --format), "
        "`sam logs`, `aws logs get-query-results` or a Logs Insights download (JSON or CSV), a "
        "CloudWatch Logs export to S3 (.gz), lines copied from the console (with or without the "
        "timestamp column; without it, with --log-group), or plain log lines (with --log-group); "
        "UTF-8 or UTF-16. The format found is shown; force it with --format. "
        "Transformer settings (LABEL_KEYS, TRACE_ID_KEYS, prices, …) come from the environment.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument(
        "--format",
        choices=logfiles.FORMATS,
        default=PreviewOptions.fmt,
        help="(default: %(default)s)",
    )
    parser.add_argument(
        "--log-group",
        help="the log group the lines come from, e.g. /aws/lambda/orders-api "
        "(required for plain lines)",
    )
    parser.add_argument("--log-stream", help="the log stream (default: from the file or made up)")
    parser.add_argument(
        "--architecture",
        choices=("x86_64", "arm64"),
        help="the function's architecture, for the cost (default: env DEFAULT_ARCHITECTURE)",
    )
    parser.add_argument(
        "--show",
        type=int,
        default=PreviewOptions.show,
        help="documents to print, -1 for all (default: %(default)s)",
    )
    add_output_option(
        parser, f"also write the documents as a bulk file (or {DEFAULT_FILE} in a directory)"
    )
    parser.add_argument(
        "--html",
        type=Path,
        metavar="FILE|DIR",
        help="also write the dashboards' charts of these documents and the failing traces' "
        f"waterfalls as one self-contained HTML file (or {DEFAULT_REPORT} in a directory; keeps "
        "every document in memory; needs the `report` extra: vl-convert-python)",
    )
    parser.set_defaults(run=run_command)


def run_command(args: argparse.Namespace, out: TextIO) -> int:
    options = PreviewOptions(
        path=args.file,
        fmt=args.format,
        log_group=args.log_group,
        log_stream=args.log_stream,
        architecture=args.architecture,
        show=args.show,
        out=output_path(args.out, DEFAULT_FILE) if args.out is not None else None,
        html=output_path(args.html, DEFAULT_REPORT) if args.html is not None else None,
    )
    run(options, out)
    return 0


@dataclass
class Totals:
    """What a preview keeps of a large input: counts, the first documents and the fields."""

    documents: int = 0
    dropped: int = 0
    failed: int = 0
    streams: set[tuple[str, str]] = field(default_factory=set)
    shown: list[Document] = field(default_factory=list)
    fields: FieldTally = field(default_factory=lambda: FieldTally())


def run(options: PreviewOptions, out: TextIO, env: Mapping[str, str] = os.environ) -> Totals:
    if options.html is not None:
        from lambdalogs.report.write import check_target

        check_target(options.html)
    settings_env = dict(env)
    if options.architecture:
        settings_env["DEFAULT_ARCHITECTURE"] = options.architecture
    settings = transform.settings_from_env(settings_env)
    reading = logfiles.read(
        options.path, fmt=options.fmt, log_group=options.log_group, log_stream=options.log_stream
    )
    totals = Totals()
    kept: list[Document] = []  # every document, only for --html
    with _BulkOutput(options.out) as bulk:
        for batches in logfiles.batches(reading):
            delivery = transform.transform(batches, settings=settings)
            documents = sorted(delivery.documents, key=traces.sort_key)
            totals.streams.update((b.log_group, b.log_stream) for b in batches)
            totals.documents += len(documents)
            totals.dropped += delivery.dropped
            totals.failed += len(delivery.failed)
            totals.fields.add(documents)
            totals.shown = _first(totals.shown, documents, options.show)
            bulk.write(documents)
            kept += documents if options.html is not None else []
    _report(options, out, reading, totals)
    if options.html is not None:
        _write_html(options, out, kept)
    return totals


def _write_html(options: PreviewOptions, out: TextIO, documents: list[Document]) -> None:
    from lambdalogs.report.write import write_report

    documents.sort(key=traces.sort_key)
    written = write_report(
        options.html or Path(),
        documents,
        list(traces.build(documents).values()),
        title=f"Lambda logs: {options.path.name}",
        lead=[
            f"{len(documents)} documents from {options.path}, drawn by the OpenSearch "
            "Dashboards panels' own queries and Vega-Lite specs."
        ],
    )
    print_lines(
        out,
        [
            "",
            f"Report: {written.path} ({written.pictures} pictures, {written.waterfalls} "
            "failing-trace waterfalls; one file, opens offline)",
        ],
    )


def _first(kept: list[Document], new: list[Document], show: int) -> list[Document]:
    if show < 0:
        return kept + new
    return heapq.nsmallest(show, kept + new, key=traces.sort_key)


def _report(
    options: PreviewOptions, out: TextIO, reading: logfiles.Reading, totals: Totals
) -> None:
    groups = sorted({group for group, _ in totals.streams})
    formats = "/".join(dict.fromkeys(reading.formats))
    print_lines(
        out,
        [
            f"{options.path}: {reading.events} log events ({formats}) in "
            f"{len(totals.streams)} log stream(s) of {', '.join(groups)}",
            f"  → {totals.documents} documents, {totals.dropped} records dropped, "
            f"{totals.failed} records failed",
        ],
    )
    if totals.dropped and not totals.documents:
        print_lines(
            out,
            [
                "  (dropped: the log group is not accepted by LOG_GROUP_PREFIXES; "
                "pass --log-group /aws/lambda/<function>)"
            ],
        )
    shown = totals.shown
    print_lines(out, ["", f"Documents ({len(shown)} of {totals.documents}; --show N for more)"])
    for document in shown:
        print_lines(out, [json.dumps(document, indent=2, ensure_ascii=False)])
    print_lines(out, ["", "Field summary", *render_summary(totals.fields.figures(), out)])
    if options.out is not None:
        print_lines(out, ["", f"Wrote {totals.documents} documents to {options.out} (bulk format)"])


class _BulkOutput:
    """The bulk file, written a chunk of documents at a time (nothing when there is no --out)."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._file: BinaryIO | None = None

    def __enter__(self) -> _BulkOutput:
        if self._path is not None:
            try:
                self._file = self._path.open("wb")
            except OSError as error:
                raise _cannot_write(self._path, error) from error
        return self

    def write(self, documents: list[Document]) -> None:
        if self._file is not None and self._path is not None:
            try:
                self._file.write(bulkfile.encode(documents))
            except OSError as error:
                raise _cannot_write(self._path, error) from error

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()


def _cannot_write(path: Path, error: OSError) -> InputError:
    return InputError(f"cannot write {path}: {error.strerror}; choose another place with --out")


@dataclass(frozen=True)
class FieldFigures:
    name: str
    documents: int
    types: tuple[str, ...]
    example: str


class FieldTally:
    """Per field (a `json` object counts as its dotted leaves): how many documents, which types."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.types: dict[str, set[str]] = defaultdict(set)
        self.examples: dict[str, Any] = {}

    def add(self, documents: Iterable[Document]) -> None:
        for document in documents:
            for name, value in _leaves(document):
                self.counts[name] += 1
                self.types[name].add(type(value).__name__)
                self.examples.setdefault(name, value)

    def figures(self) -> list[FieldFigures]:
        return [
            FieldFigures(
                name,
                self.counts[name],
                tuple(sorted(self.types[name])),
                _example(self.examples[name]),
            )
            for name in sorted(self.counts, key=lambda n: (n.startswith("json."), n))
        ]


def field_summary(documents: list[Document]) -> list[FieldFigures]:
    tally = FieldTally()
    tally.add(documents)
    return tally.figures()


def render_summary(figures: list[FieldFigures], out: TextIO | None = None) -> list[str]:
    rows = [(f.name, f.documents, "/".join(f.types), f.example) for f in figures]
    return table(["field", "docs", "type", "example"], rows, out=out, right={1})


def _leaves(document: Document, prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            found += _leaves(value, name + ".")
        else:
            found.append((name, value))
    return found


def _example(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."

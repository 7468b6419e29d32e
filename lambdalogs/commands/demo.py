"""`demo`: the conference-app workload through the real transformer, a bulk file and a report."""

from __future__ import annotations

import argparse
import io
import json
import os
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TextIO

from lambdalogs import dashboard_figures as figures
from lambdalogs.commands.options import (
    Commands,
    add_connection_options,
    add_output_option,
    cluster_from,
    opensearch_url,
    output_path,
    positive_int,
    time_value,
)
from lambdalogs.console import Progress, print_lines
from lambdalogs.documents import DEFAULT_INDEX_PREFIX, Document, iso_time
from lambdalogs.errors import RemoteError
from lambdalogs.local import transform, workload
from lambdalogs.search import bulkfile, traces
from lambdalogs.search.cluster import OpenSearchCluster
from lambdalogs.search.content import apply_template, demo_settings, import_dashboards
from lambdalogs.search.indexing import DEFAULT_BATCH, BulkIndexer, batches

DEFAULT_FILE: Final = "lambda-logs-demo.ndjson"
DEFAULT_REPORT: Final = "lambda-logs-report.html"
DASHBOARD_METRIC: Final = "CreateSessionLatency"  # the EMF metric of the dashboards' panel
# The saved dashboards open on the last 24 hours (`timeFrom: now-24h` in
# opensearch/saved-objects/40-dashboards.ndjson); by default the demo starts at the beginning of
# the previous 6-hour UTC window, so its events are 6 to 12 hours old: inside that range, and the
# same documents for a seed all through the window.
WINDOW: Final = timedelta(hours=6)
LOCAL_OPENSEARCH: Final = "http://localhost:9200"
LOCAL_DASHBOARDS: Final = "http://localhost:5601"
SUMMARY_VERSION: Final = 1  # of the --json object; raised only when a key changes meaning


def recent_start(now: datetime | None = None) -> datetime:
    """The start of the previous 6-hour UTC window before `now`."""
    current = now or datetime.now(UTC)
    midnight = current.replace(hour=0, minute=0, second=0, microsecond=0)
    windows = (current - midnight) // WINDOW
    return midnight + (windows - 1) * WINDOW


@dataclass(frozen=True)
class DemoOptions:
    """The demo's options; their defaults are the command line's (`start` None: recent_start)."""

    seed: int = 7
    sessions: int = 40
    start: datetime | None = None
    out: Path = Path(DEFAULT_FILE)
    index_prefix: str = DEFAULT_INDEX_PREFIX
    html: Path | None = None
    json: bool = False


@dataclass
class Outcome:
    """What a demo run did, for `--json` (and the tests)."""

    documents: list[Document]
    summary: dict[str, Any] = field(default_factory=dict)


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "demo",
        help="the conference-app demo (no AWS needed)",
        description="Generate a conference-app workload (3 functions: API, DynamoDB writer, "
        "stream-triggered chat notifier), run it through the real transformer as Firehose "
        "would, write an OpenSearch bulk file and print what the dashboards show; --html "
        "draws it, --opensearch indexes it and loads the dashboards.",
    )
    parser.add_argument(
        "--seed", type=int, default=DemoOptions.seed, help="random seed (default: %(default)s)"
    )
    parser.add_argument(
        "--sessions",
        type=positive_int,
        default=DemoOptions.sessions,
        help="talk submissions to simulate (default: %(default)s)",
    )
    parser.add_argument(
        "--start",
        type=time_value,
        default=DemoOptions.start,
        metavar="TIME",
        help="time of the first submission: ISO 8601, `now` or an age like 6h (default: the "
        "start of the previous 6-hour UTC window, inside the dashboards' last 24 hours; give a "
        "time for documents that never change for a seed)",
    )
    add_output_option(parser, f"bulk file (or directory) to write (default: ./{DEFAULT_FILE})")
    parser.add_argument(
        "--html",
        type=Path,
        metavar="FILE|DIR",
        help="also write the dashboards' charts and the failing traces' waterfalls as one "
        f"self-contained HTML file (or {DEFAULT_REPORT} in a directory; needs the `report` "
        "extra: vl-convert-python)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON summary object instead of the text report (see docs/demo.md)",
    )
    add_connection_options(parser, dashboards=True)
    parser.set_defaults(run=run_command)


def run_command(args: argparse.Namespace, out: TextIO) -> int:
    options = DemoOptions(
        seed=args.seed,
        sessions=args.sessions,
        start=args.start,
        out=output_path(args.out, DEFAULT_FILE),
        index_prefix=args.index_prefix,
        html=output_path(args.html, DEFAULT_REPORT) if args.html is not None else None,
        json=args.json,
    )
    cluster = cluster_from(args) if opensearch_url(args) else None
    outcome = run(options, io.StringIO() if options.json else out, cluster=cluster)
    if options.json:
        print_lines(out, [json.dumps(outcome.summary, indent=2, ensure_ascii=False)])
    return 0


def run(
    options: DemoOptions,
    out: TextIO,
    *,
    cluster: OpenSearchCluster | None = None,
    env: Mapping[str, str] = os.environ,
) -> Outcome:
    if options.html is not None:
        from lambdalogs.report.write import check_target

        check_target(options.html)
    start = options.start or recent_start()
    load = workload.generate(seed=options.seed, sessions=options.sessions, start=start)
    records = transform.records(load.streams)
    settings = transform.settings_from_env(env, workload.REGION)
    delivery = transform.transform_records(
        records,
        settings=settings,
        architectures=transform.known_architectures(settings, load.architectures),
    )
    documents = sorted(delivery.documents, key=traces.sort_key)
    bulkfile.write(options.out, documents, prefix=options.index_prefix)
    print_lines(out, _header(options, load, len(records), delivery.invocations))
    print_lines(
        out,
        [
            f"  {len(documents)} documents ({delivery.reingested} re-ingested by the transformer "
            f"and passed through), {delivery.dropped} dropped, {len(delivery.failed)} failed",
            f"  written to {options.out} (OpenSearch bulk format, _id = CloudWatch event id)",
            "",
        ],
    )
    found = traces.build(documents)
    print_lines(out, dashboard(documents, found, out))
    summary = _summary(options, load, documents, found)
    summary.update(dropped=delivery.dropped, failed_records=len(delivery.failed))
    outcome = Outcome(documents, summary)
    if options.html is not None:
        outcome.summary["report"] = write_html(options.html, documents, found, load, out)
    print_lines(out, _next_steps(options, found))
    if cluster is not None:
        outcome.summary["opensearch"] = publish(cluster, documents, options, out)
    return outcome


def dashboard(
    documents: list[Document], found: dict[str, traces.Trace], out: TextIO | None = None
) -> list[str]:
    """The figures the OpenSearch dashboards show for these documents (and their traces)."""
    failing = sorted((t for t in found.values() if t.failed), key=lambda t: t.start_ms)
    lines = [
        "Lambda overview (per function)",
        *figures.render_functions(figures.function_figures(documents), out),
    ]
    metrics = figures.metric_figures(documents)
    if metrics:
        lines += ["", "EMF metrics (ms)", *figures.render_metrics(metrics, out)]
    lines += ["", "Slowest traces (lead time: first to last event of the trace id)"]
    lines += figures.render_slowest(found.values(), out=out)
    lines += ["", f"Failing traces ({len(failing)}): milestones, and where each stopped"]
    for trace in failing:
        lines += figures.render_failure(trace, out)
    return [*lines, ""]


def write_html(
    path: Path,
    documents: list[Document],
    found: dict[str, traces.Trace],
    load: workload.Workload,
    out: TextIO,
) -> dict[str, Any]:
    from lambdalogs.report.write import write_report

    written = write_report(
        path,
        documents,
        list(found.values()),
        title="Lambda logs: conference-app demo",
        lead=[
            f"{len(documents)} documents from {len(load.architectures)} functions, "
            f"{iso_time(load.start_ms)} to {iso_time(load.end_ms)} UTC, drawn by the "
            "OpenSearch Dashboards panels' own queries and Vega-Lite specs.",
        ],
    )
    print_lines(
        out,
        [
            f"Report: {path} ({written.pictures} pictures, {written.waterfalls} failing-trace "
            "waterfalls; one file, opens offline)",
            "",
        ],
    )
    return {"path": str(path), "pictures": written.pictures, "waterfalls": written.waterfalls}


def publish(
    cluster: OpenSearchCluster, documents: list[Document], options: DemoOptions, out: TextIO
) -> dict[str, Any]:
    """Apply the index template, import the saved objects (a failure there is reported, and the
    documents are indexed anyway), then bulk-index the documents."""
    prefix = options.index_prefix
    settings = demo_settings(prefix, DASHBOARD_METRIC)
    cluster.info()
    print_lines(out, [apply_template(cluster, settings)])
    dashboards = cluster.connection.dashboards
    problem: str | None = None
    try:
        print_lines(out, [import_dashboards(cluster, settings)])
    except RemoteError as error:
        problem = str(error)
        print_lines(sys.stderr, _dashboards_failed(cluster, problem))
    indexer = BulkIndexer(cluster, prefix=prefix, action="index")
    # started at once: the first bulk request can take long on a remote cluster
    with Progress("indexing", len(documents), unit="documents") as progress:
        for batch in batches(documents, DEFAULT_BATCH):
            indexer.send(batch)
            progress.advance(len(batch))
    cluster.refresh(f"{prefix}-*")
    view = f"{dashboards}/app/dashboards#/view/{prefix}-dashboard-overview"
    lines = [f"Indexed {len(documents)} documents into {cluster.url} ({prefix}-*)"]
    lines += [f"Open {view} (last 24 hours)"] if problem is None else []
    print_lines(out, lines)
    return {
        "url": cluster.url,
        "index_prefix": prefix,
        "indexed": len(documents),
        "dashboards": dashboards,
        "dashboards_imported": problem is None,
        "dashboards_error": problem,
        "open": view if problem is None else None,
    }


def _dashboards_failed(cluster: OpenSearchCluster, problem: str) -> list[str]:
    lines = [
        f"warning: the Dashboards saved objects were not imported ({problem}); the documents "
        "are indexed anyway."
    ]
    if not cluster.connection.dashboards_url:
        lines.append(
            f"  Dashboards is not at {cluster.connection.dashboards}? Pass --dashboards-url, "
            f"e.g. --dashboards-url {LOCAL_DASHBOARDS} for a local OpenSearch Dashboards."
        )
    return lines


def _header(options: DemoOptions, load: workload.Workload, records: int, calls: int) -> list[str]:
    functions = len(load.architectures)
    return [
        f"Conference app demo: seed {options.seed}, {load.sessions} talk submissions, "
        f"{iso_time(load.start_ms)} to {iso_time(load.end_ms)} UTC",
        f"  {load.event_count} CloudWatch log events from {functions} functions in "
        f"{len(load.streams)} log streams",
        f"  → {records} subscription records → {calls} transformer invocations (local Firehose)",
    ]


def _summary(
    options: DemoOptions,
    load: workload.Workload,
    documents: list[Document],
    found: dict[str, traces.Trace],
) -> dict[str, Any]:
    """The `--json` object (documented in docs/demo.md); `report` and `opensearch` are null
    unless --html / --opensearch were given."""
    failing = sorted((t for t in found.values() if t.failed), key=lambda t: t.start_ms)
    return {
        "schema_version": SUMMARY_VERSION,
        "seed": options.seed,
        "sessions": load.sessions,
        "start": iso_time(load.start_ms).replace(" ", "T") + "Z",
        "end": iso_time(load.end_ms).replace(" ", "T") + "Z",
        "documents": len(documents),
        "bulk_file": str(options.out),
        "functions": [vars(f) for f in figures.function_figures(documents)],
        "traces": len(found),
        "failing_traces": [
            {
                "trace_id": trace.trace_id,
                "milestones": [str(m.get("labels.milestone")) for m in trace.milestones],
                "stopped": figures.stopped_at(trace),
            }
            for trace in failing
        ],
        "report": None,
        "opensearch": None,
    }


def program() -> str:
    """How this CLI was started, so the hints can be pasted as printed."""
    started = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python -m lambdalogs" if started in ("__main__.py", "-m", "") else "lambdalogs"


def _same_workload(options: DemoOptions) -> list[str]:
    """The options that give the same documents again."""
    words = [] if options.seed == DemoOptions.seed else ["--seed", str(options.seed)]
    if options.sessions != DemoOptions.sessions:
        words += ["--sessions", str(options.sessions)]
    if options.start is not None:
        words += ["--start", options.start.strftime("%Y-%m-%dT%H:%M:%SZ")]
    return words


def _next_steps(options: DemoOptions, found: dict[str, traces.Trace]) -> list[str]:
    """Commands to paste as printed, each with one line on what it does."""
    failing = [t for t in found.values() if t.failed]
    example = min(failing or list(found.values()), key=lambda t: t.start_ms)
    same = _same_workload(options)
    report = options.html or Path(DEFAULT_REPORT)
    steps = [
        (["trace", example.trace_id, "--file", str(options.out)], "one trace, milestones first"),
        (["demo", *same, "--html", str(report)], "the dashboards' charts as one HTML file"),
        (
            ["demo", *same, "--opensearch", LOCAL_OPENSEARCH, "--dashboards-url", LOCAL_DASHBOARDS],
            "index it into a local OpenSearch and load the dashboards (`make demo-dashboards`)",
        ),
    ]
    lines = ["Next:"]
    for words, what in steps:
        lines += [f"  {program()} {shlex.join(words)}", f"      {what}"]
    return lines

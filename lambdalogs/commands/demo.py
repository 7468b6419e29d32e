"""`demo`: the conference-app workload through the real transformer, a bulk file and a report."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, TextIO

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
from lambdalogs.local import transform, workload
from lambdalogs.search import bulkfile, traces
from lambdalogs.search.cluster import OpenSearchCluster
from lambdalogs.search.content import apply_content
from lambdalogs.search.indexing import DEFAULT_BATCH, BulkIndexer, batches

DEFAULT_FILE: Final = "lambda-logs-demo.ndjson"
DASHBOARD_METRIC: Final = "CreateSessionLatency"  # the EMF metric of the dashboards' panel


@dataclass(frozen=True)
class DemoOptions:
    """The demo's options; their defaults are the command line's."""

    seed: int = 7
    sessions: int = 40
    start: datetime = workload.DEFAULT_START
    out: Path = Path(DEFAULT_FILE)
    index_prefix: str = DEFAULT_INDEX_PREFIX


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "demo",
        help="the conference-app demo (no AWS needed)",
        description="Generate a conference-app workload (3 functions: API, DynamoDB writer, "
        "stream-triggered chat notifier), run it through the real transformer as Firehose "
        "would, write an OpenSearch bulk file and print what the dashboards show.",
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
        help="time of the first submission: ISO 8601 or `now` (default: "
        f"{DemoOptions.start:%Y-%m-%dT%H:%M:%SZ}, so a seed always gives the same documents)",
    )
    add_output_option(parser, f"bulk file (or directory) to write (default: ./{DEFAULT_FILE})")
    add_connection_options(parser, dashboards=True)
    parser.set_defaults(run=run_command)


def run_command(args: argparse.Namespace, out: TextIO) -> int:
    options = DemoOptions(
        seed=args.seed,
        sessions=args.sessions,
        start=args.start,
        out=output_path(args.out, DEFAULT_FILE),
        index_prefix=args.index_prefix,
    )
    run(options, out, cluster=cluster_from(args) if opensearch_url(args) else None)
    return 0


def run(
    options: DemoOptions,
    out: TextIO,
    *,
    cluster: OpenSearchCluster | None = None,
    env: Mapping[str, str] = os.environ,
) -> list[Document]:
    load = workload.generate(seed=options.seed, sessions=options.sessions, start=options.start)
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
    print_lines(out, dashboard(documents, found))
    print_lines(out, _next_steps(options, found))
    if cluster is not None:
        publish(cluster, documents, options, out)
    return documents


def dashboard(documents: list[Document], found: dict[str, traces.Trace]) -> list[str]:
    """The figures the OpenSearch dashboards show for these documents (and their traces)."""
    failing = sorted((t for t in found.values() if t.failed), key=lambda t: t.start_ms)
    lines = [
        "Lambda overview (per function)",
        *figures.render_functions(figures.function_figures(documents)),
    ]
    metrics = figures.metric_figures(documents)
    if metrics:
        lines += ["", "EMF metrics (ms)", *figures.render_metrics(metrics)]
    lines += ["", "Slowest traces (lead time: first to last event of the trace id)"]
    lines += figures.render_slowest(found.values())
    lines += ["", f"Failing traces ({len(failing)}): milestones, and where each stopped"]
    for trace in failing:
        lines += figures.render_failure(trace)
    return [*lines, ""]


def publish(
    cluster: OpenSearchCluster, documents: list[Document], options: DemoOptions, out: TextIO
) -> None:
    """Apply the index template and saved objects, then bulk-index the documents."""
    prefix = options.index_prefix
    cluster.info()
    print_lines(out, apply_content(cluster, prefix, DASHBOARD_METRIC))
    indexer = BulkIndexer(cluster, prefix=prefix, action="index")
    progress = Progress("indexing", len(documents), unit="documents")
    for batch in batches(documents, DEFAULT_BATCH):
        indexer.send(batch)
        progress.advance(len(batch))
    progress.finish()
    cluster.refresh(f"{prefix}-*")
    print_lines(out, [f"Indexed {len(documents)} documents into {cluster.url} ({prefix}-*)"])


def _header(options: DemoOptions, load: workload.Workload, records: int, calls: int) -> list[str]:
    functions = len(load.architectures)
    return [
        f"Conference app demo: seed {options.seed}, {load.sessions} talk submissions, "
        f"{iso_time(load.start_ms)} to {iso_time(load.end_ms)} UTC",
        f"  {load.event_count} CloudWatch log events from {functions} functions in "
        f"{len(load.streams)} log streams",
        f"  → {records} subscription records → {calls} transformer invocations (local Firehose)",
    ]


def _next_steps(options: DemoOptions, found: dict[str, traces.Trace]) -> list[str]:
    failing = [t for t in found.values() if t.failed]
    example = min(failing or list(found.values()), key=lambda t: t.start_ms)
    return [
        "Next:",
        f"  python -m lambdalogs trace {example.trace_id} --file {options.out}",
        "  python -m lambdalogs demo --opensearch URL [--user U --password P | --sigv4]"
        "   (index it, load the dashboards)",
    ]

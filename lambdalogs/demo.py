"""`demo`: the conference-app workload through the real transformer, a bulk file and a report."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, TextIO

from lambdalogs import bulk, correlate, pipeline, report, workload
from lambdalogs.cluster import Cluster
from lambdalogs.console import print_lines
from lambdalogs.content import apply_content
from lambdalogs.documents import DEFAULT_INDEX_PREFIX, Document, iso_time
from lambdalogs.indexer import DEFAULT_BATCH, Indexer, batches
from lambdalogs.progress import Progress

DEFAULT_FILE: Final = "lambda-logs-demo.ndjson"
DASHBOARD_METRIC: Final = "CreateSessionLatency"  # the EMF metric of the dashboards' panel


@dataclass(frozen=True)
class DemoOptions:
    seed: int = 7
    sessions: int = 40
    start: datetime = workload.DEFAULT_START
    out: Path = Path(DEFAULT_FILE)
    index_prefix: str = DEFAULT_INDEX_PREFIX
    dashboards_url: str | None = None


def output_path(out: Path | None) -> Path:
    """`--out`: a file, or a directory to write the default file name into (cwd by default)."""
    if out is None:
        return Path(DEFAULT_FILE)
    return out / DEFAULT_FILE if out.is_dir() else out


def run(
    options: DemoOptions,
    out: TextIO,
    *,
    cluster: Cluster | None = None,
    env: Mapping[str, str] = os.environ,
) -> list[Document]:
    load = workload.generate(seed=options.seed, sessions=options.sessions, start=options.start)
    records = pipeline.records(load.streams)
    settings = pipeline.settings_from_env(env)
    delivery = pipeline.transform_records(
        records,
        settings=settings,
        architectures=pipeline.known_architectures(settings, load.architectures),
    )
    documents = sorted(delivery.documents, key=correlate.sort_key)
    bulk.write(options.out, documents, prefix=options.index_prefix)
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
    traces = correlate.build(documents)
    print_lines(out, dashboard(documents, traces))
    print_lines(out, _next_steps(options, traces))
    if cluster is not None:
        publish(cluster, documents, options, out)
    return documents


def dashboard(documents: list[Document], traces: dict[str, correlate.Trace]) -> list[str]:
    """The figures the OpenSearch dashboards show for these documents (and their traces)."""
    failing = sorted((t for t in traces.values() if t.failed), key=lambda t: t.start_ms)
    lines = [
        "Lambda overview (per function)",
        *report.render_functions(report.function_figures(documents)),
    ]
    metrics = report.metric_figures(documents)
    if metrics:
        lines += ["", "EMF metrics (ms)", *report.render_metrics(metrics)]
    lines += ["", "Slowest traces (lead time: first to last event of the trace id)"]
    lines += report.render_slowest(traces.values())
    lines += ["", f"Failing traces ({len(failing)}): milestones, and where each stopped"]
    for trace in failing:
        lines += report.render_failure(trace)
    return [*lines, ""]


def publish(cluster: Cluster, documents: list[Document], options: DemoOptions, out: TextIO) -> None:
    """Apply the index template and saved objects, then bulk-index the documents."""
    prefix = options.index_prefix
    cluster.info()
    print_lines(out, apply_content(cluster, prefix, options.dashboards_url, DASHBOARD_METRIC))
    indexer = Indexer(cluster, prefix=prefix, action="index")
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


def _next_steps(options: DemoOptions, traces: dict[str, correlate.Trace]) -> list[str]:
    failing = [t for t in traces.values() if t.failed]
    example = min(failing or list(traces.values()), key=lambda t: t.start_ms)
    return [
        "Next:",
        f"  python -m lambdalogs trace {example.trace_id} --file {options.out}",
        "  python -m lambdalogs demo --opensearch URL [--user U --password P | --sigv4]"
        "   (index it, load the dashboards)",
    ]

"""`trace ID`: one trace's events across functions in time order, milestones first."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from lambdalogs.commands.options import (
    Commands,
    add_connection_options,
    cluster_from,
    opensearch_url,
    positive_int,
)
from lambdalogs.console import print_lines, table
from lambdalogs.documents import Document, iso_time, timestamp_ms
from lambdalogs.errors import InputError
from lambdalogs.search import traces
from lambdalogs.search.traces import Trace


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "trace",
        help="one trace's events across functions",
        description="Print one trace's events across functions in time order, milestones "
        "first. ID is a trace.id, an X-Ray trace id or a request id. Reads OpenSearch, or a "
        "bulk file written by demo with --file.",
    )
    parser.add_argument("trace_id", metavar="ID")
    parser.add_argument("--file", type=Path, help="a bulk file instead of OpenSearch")
    parser.add_argument(
        "--max-events",
        type=bounded_events,
        default=traces.MAX_EVENTS,
        metavar="N",
        help="show at most the first N events in time order, 1 to %(default)s (default: "
        "%(default)s); the output says when the trace holds more",
    )
    parser.add_argument(
        "--account",
        metavar="ACCOUNT_ID",
        help="only the events of functions in this AWS account (cloud.account.id)",
    )
    parser.add_argument(
        "--log-region",
        metavar="REGION",
        help="only the events of log groups in this region (cloud.region; --region is the "
        "OpenSearch domain's, for --sigv4)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    add_connection_options(parser)
    parser.set_defaults(run=run_command)


def run_command(args: argparse.Namespace, out: TextIO) -> int:
    within = traces.scope(args.account, args.log_region)
    if args.file is not None:
        fetch = traces.from_file(args.file, within)
    elif opensearch_url(args):
        fetch = traces.from_cluster(cluster_from(args), args.index_prefix, within)
    else:
        raise InputError("give --file BULK_FILE or --opensearch URL (or OPENSEARCH_URL)")
    trace = traces.collect(args.trace_id, fetch, args.max_events)
    if args.json:
        document = {
            **as_json(trace),
            "filter": {"account": args.account, "region": args.log_region},
        }
        print(json.dumps(document, indent=2, ensure_ascii=False), file=out)
    else:
        print_lines(out, render(trace, out))
    return 0


def bounded_events(text: str) -> int:
    value = positive_int(text)
    if value > traces.MAX_EVENTS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is above {traces.MAX_EVENTS:,}, the most one OpenSearch search returns"
        )
    return value


def limit_note(trace: Trace) -> str | None:
    """ "showing 10,000 of N events" when the trace holds more than the limit."""
    if not trace.truncated:
        return None
    return (
        f"showing the first {len(trace.documents):,} of {trace.total:,} events (the limit, "
        "--max-events): narrow down with a request id of the trace"
    )


def as_json(trace: Trace) -> dict[str, Any]:
    return {
        "trace_id": trace.trace_id,
        "start": iso_time(trace.start_ms).replace(" ", "T") + "Z",
        "lead_ms": trace.lead_ms,
        "functions": trace.functions,
        "places": [{"account": a, "region": r} for a, r in trace.places],
        "failed": trace.failed,
        "shown": len(trace.documents),
        "total": trace.total if trace.total is not None else len(trace.documents),
        "truncated": trace.truncated,
        "note": limit_note(trace),
        "milestones": trace.milestones,
        "events": list(trace.documents),
    }


def render(trace: Trace, out: TextIO | None = None) -> list[str]:
    start = trace.start_ms
    lines = [
        f"trace {trace.trace_id}: {len(trace.documents)} events in "
        f"{len(trace.functions)} functions ({' → '.join(trace.functions)}), "
        f"lead time {trace.lead_ms} ms, started {iso_time(start)} UTC",
    ]
    note = limit_note(trace)
    lines += [note] if note else []
    places = trace.places
    if len(places) == 1:
        lines += [f"account {places[0][0]}, region {places[0][1]}"]
    else:
        lines += [
            f"{len(places)} accounts and regions: " + ", ".join(f"{a} {r}" for a, r in places)
        ]
    lines += [
        "",
        "milestones",
    ]
    where = len(places) > 1
    lines += _rows(trace.milestones, start, out, milestone=True, where=where) or ["  (none)"]
    lines += ["", "events"]
    lines += _rows(trace.documents, start, out, milestone=False, where=where)
    if note:
        lines += ["", note]
    return lines


def _rows(
    documents: Iterable[Document],
    start: int,
    out: TextIO | None,
    *,
    milestone: bool,
    where: bool = False,
) -> list[str]:
    """One row an event, no header: time, offset from the start, function, milestone (or kind)
    and the message's first 100 characters; with `where`, the account and region last."""
    rows = []
    for document in documents:
        at = timestamp_ms(document)
        what = document.get("labels.milestone") if milestone else _kind(document)
        row: tuple[object, ...] = (
            iso_time(at)[11:],
            f"+ {at - start} ms",
            document.get("faas.name", "?"),
            what,
            _summary(document)[:100],
        )
        if where:
            place = f"{document.get('cloud.account.id', '?')} {document.get('cloud.region', '?')}"
            row = (*row, place)
        rows.append(row)
    columns = ["time", "offset", "function", "what", "message"] + (["where"] if where else [])
    return (
        table(
            columns,
            rows,
            out=out,
            right={1},
            header=False,
        )
        if rows
        else []
    )


def _kind(document: Document) -> str:
    event = document.get("aws.lambda.event")
    if isinstance(event, str):
        return event.upper()
    if _metrics(document):
        return "METRIC"
    return str(document.get("log.level") or "-")


def _summary(document: Document) -> str:
    """The first line of the message; EMF values instead of their JSON; the exception class."""
    metrics = _metrics(document)
    if metrics:
        return " ".join(f"{name}={value}" for name, value in metrics.items())
    lines = [" ".join(line.split()) for line in str(document.get("message") or "").splitlines()]
    text = next((line for line in lines if line), "")
    error = document.get("error.type")
    return f"{text} ({error})" if error else text


def _metrics(document: Document) -> dict[str, object]:
    return {k.removeprefix("metrics."): v for k, v in document.items() if k.startswith("metrics.")}

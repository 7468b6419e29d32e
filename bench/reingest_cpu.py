"""CPU of the handler process per re-ingested document: the lean PutRecordBatch client
(lambda_shared.firehose_http) against boto3's, both sending to a loopback endpoint that runs in
another process (`bench.loopback_server`), so only the sender's CPU is counted (process time:
user + system, every thread of this process). `python -m bench.reingest_cpu` prints it alone."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import NamedTuple

from bench.timing import Case, alternating
from lambda_shared.aws_clients import FIREHOSE_TIMEOUTS, client_config
from lambda_shared.backoff import RetryPolicy
from lambda_shared.firehose_http import FirehoseHttpClient
from lambda_shared.firehose_put import FirehoseClient, RecordPutter

REGION = "eu-west-1"
DOCUMENT = b'{"@timestamp":"2026-11-20T10:14:07.121Z","message":"' + b"x" * 500 + b'"}'
PUTTER_TITLE = "re-ingestion alone (RecordPutter, 4 calls in flight; endpoint in another process)"


class CpuFigure(NamedTuple):
    client: str
    documents: int
    cpu_seconds: float
    wall_seconds: float

    @property
    def cpu_us_per_document(self) -> float:
        return self.cpu_seconds / self.documents * 1e6


@contextmanager
def loopback_endpoint() -> Iterator[str]:
    """`bench.loopback_server` in a child process; yields its URL, stops it afterwards."""
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.loopback_server"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def lean_client(url: str) -> FirehoseHttpClient:
    from botocore.credentials import Credentials

    credentials = Credentials("AKIDBENCH", "bench-secret")
    return FirehoseHttpClient(url, REGION, lambda: credentials, FIREHOSE_TIMEOUTS)


def boto3_client(url: str) -> FirehoseClient:
    import boto3

    client: FirehoseClient = boto3.client(
        "firehose",
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id="AKIDBENCH",
        aws_secret_access_key="bench-secret",
        config=client_config(FIREHOSE_TIMEOUTS),
    )
    return client


CLIENTS: dict[str, Callable[[str], FirehoseClient]] = {"lean": lean_client, "boto3": boto3_client}


def _put(putter: RecordPutter, records: list[bytes], _request: object) -> object:
    return putter.put(records)


def putter_figures(url: str, documents: int = 20_000, repeats: int = 3) -> list[CpuFigure]:
    """The re-ingestion alone: `documents` documents of ~560 bytes through RecordPutter, the
    two clients taking turns."""
    records = [DOCUMENT] * documents
    cases = {}
    for name, make in CLIENTS.items():
        putter = RecordPutter(make(url), "lambda-logs", RetryPolicy(max_attempts=3), concurrency=4)
        cases[name] = Case("{}", partial(_put, putter, records))
    best = alternating(cases, repeats)
    return [CpuFigure(name, documents, t.cpu, t.wall) for name, t in best.items()]


def report(title: str, figures: list[CpuFigure]) -> list[str]:
    lines = [title]
    for f in figures:
        lines.append(
            f"  {f.client:6} {f.documents:8,d} documents  CPU {f.cpu_seconds:7.3f} s  "
            f"wall {f.wall_seconds:7.3f} s  {f.cpu_us_per_document:6.1f} µs CPU/document"
        )
    lean, boto = figures[0].cpu_us_per_document, figures[1].cpu_us_per_document
    lines.append(f"  boto3 / lean, CPU per document: {boto / lean:.2f}x")
    return lines


def main() -> None:
    with loopback_endpoint() as url:
        print("\n".join(report(PUTTER_TITLE, putter_figures(url))))


if __name__ == "__main__":
    main()

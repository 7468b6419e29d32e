"""CPU of the handler process per re-ingested document: the lean PutRecordBatch client
(lambda_shared.firehose_http) against boto3's, both sending to a loopback endpoint that runs in
another process (`bench.loopback_server`), so only the sender's CPU is counted (process time:
user + system, every thread of this process).

Two figures per client: the re-ingestion alone (RecordPutter, as the transformer uses it), and
the whole handler (`process`) on a request whose documents are mostly re-ingested."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, NamedTuple

from lambda_shared.aws_clients import FIREHOSE_TIMEOUTS, client_config
from lambda_shared.backoff import RetryPolicy
from lambda_shared.firehose_http import FirehoseHttpClient
from lambda_shared.firehose_put import FirehoseClient, RecordPutter

REGION = "eu-west-1"
DOCUMENT = b'{"@timestamp":"2026-11-20T10:14:07.121Z","message":"' + b"x" * 500 + b'"}'


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


def lean_client(url: str) -> FirehoseClient:
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


def timed(work: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of the best of `repeats` runs (by CPU)."""
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        cpu, wall = time.process_time(), time.perf_counter()
        work()
        best = min(best, (time.process_time() - cpu, time.perf_counter() - wall))
    return best


def putter_figures(url: str, documents: int = 20_000, repeats: int = 3) -> list[CpuFigure]:
    """The re-ingestion alone: `documents` documents of ~560 bytes through RecordPutter."""
    records = [DOCUMENT] * documents
    figures = []
    for name, make in CLIENTS.items():
        putter = RecordPutter(make(url), "lambda-logs", RetryPolicy(max_attempts=3))
        putter.put(records[:500])  # connect, load the service model
        cpu, wall = timed(partial(putter.put, records), repeats)
        figures.append(CpuFigure(name, documents, cpu, wall))
    return figures


def handler_figures(
    url: str,
    event: dict[str, Any],
    handle: Callable[[dict[str, Any], FirehoseClient], int],
    repeats: int = 3,
) -> list[CpuFigure]:
    """The whole handler on `event`, re-ingesting through each client; `handle` returns the
    number of documents it made."""
    figures = []
    for name, make in CLIENTS.items():
        client = make(url)
        documents = handle(event, client)  # warm: connection, service model
        cpu, wall = timed(partial(handle, event, client), repeats)
        figures.append(CpuFigure(name, documents, cpu, wall))
    return figures


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


PUTTER_TITLE = "re-ingestion alone (RecordPutter; loopback endpoint in another process)"


def main() -> None:
    with loopback_endpoint() as url:
        print("\n".join(report(PUTTER_TITLE, putter_figures(url))))


if __name__ == "__main__":
    main()

"""`trace <X-Ray trace id>` and `trace <request id>` follow on to the request's `trace.id` (issue
16): the same trace as `trace <trace.id>`, named by it, from a file and from OpenSearch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cli.conftest import bulk_documents
from tests.fakes.opensearch_http import FakeOpenSearch


def _xray_and_trace(documents: list[dict[str, Any]]) -> tuple[str, str, str]:
    """An X-Ray trace id (on a REPORT line), its request id and the request's correlation id."""
    report = next(d for d in documents if d.get("aws.xray.trace_id") and d.get("trace.id"))
    return str(report["aws.xray.trace_id"]), str(report["faas.execution"]), str(report["trace.id"])


def test_an_xray_id_shows_the_whole_trace_of_its_request(
    cli: Any, demo_file: Path, fake: FakeOpenSearch
) -> None:
    documents = bulk_documents(demo_file)
    xray, request, trace = _xray_and_trace(documents)
    by_trace = cli("trace", trace, "--file", str(demo_file))
    by_xray = cli("trace", xray, "--file", str(demo_file))
    assert by_trace.code == 0 and by_xray.code == 0, by_xray.err
    # THEN every request of the trace is there, not only the one that carried the X-Ray id
    functions = {d["faas.name"] for d in documents if d.get("trace.id") == trace}
    assert len(functions) > 1 and all(f in by_xray.out for f in functions)
    assert by_xray.out == by_trace.out and by_xray.out.startswith(f"trace {trace}: ")
    assert cli("trace", request, "--file", str(demo_file)).out == by_trace.out
    fake.store.bulk(demo_file.read_bytes(), None)
    from_cluster = cli("trace", xray, "--opensearch", fake.url)
    assert from_cluster.code == 0, from_cluster.err
    assert from_cluster.out == by_xray.out

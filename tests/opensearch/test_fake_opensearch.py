"""The OpenSearch HTTP fake answers like OpenSearch, records requests and forces errors."""

from __future__ import annotations

import json

import pytest
import requests
from opensearchpy import OpenSearch
from opensearchpy.exceptions import AuthenticationException, ConnectionError, TransportError

from tests.fakes.opensearch_http import FakeOpenSearch, Reply, refused_url


def _client(fake: FakeOpenSearch, **kwargs: object) -> OpenSearch:
    return OpenSearch(hosts=[fake.url], max_retries=0, **kwargs)  # type: ignore[arg-type]


def test_bulk_then_search_terms_and_count(opensearch_fake: FakeOpenSearch) -> None:
    # GIVEN three documents with flat dotted keys, written with _bulk
    docs = [
        {"@timestamp": "2026-11-20T09:14:07.121Z", "trace.id": "t-1", "faas.name": "a"},
        {"@timestamp": "2026-11-20T09:14:06.000Z", "trace.id": "t-1", "faas.name": "b"},
        {"@timestamp": "2026-11-20T09:14:08.000Z", "trace.id": "t-2", "faas.name": "c"},
    ]
    lines = []
    for doc in docs:
        lines += [json.dumps({"index": {"_index": "lambda-logs-2026-11-20"}}), json.dumps(doc)]
    client = _client(opensearch_fake)
    result = client.bulk(body="\n".join(lines) + "\n")
    assert result["errors"] is False and len(result["items"]) == 3
    # WHEN searching for one trace id, sorted by time
    found = client.search(
        index="lambda-logs-*",
        body={"query": {"terms": {"trace.id": ["t-1"]}}, "sort": [{"@timestamp": "asc"}]},
    )
    # THEN the trace's two documents come back in order; _count agrees
    assert [h["_source"]["faas.name"] for h in found["hits"]["hits"]] == ["b", "a"]
    assert found["hits"]["total"]["value"] == 2
    assert client.count(index="lambda-logs-*")["count"] == 3
    bulk_request = opensearch_fake.requests_to(r"/_bulk")[0]
    assert bulk_request.method in ("POST", "PUT")
    assert bulk_request.ndjson()[1]["trace.id"] == "t-1"


def test_terms_aggregation_counts_distinct_values(opensearch_fake: FakeOpenSearch) -> None:
    # GIVEN one event indexed twice and another once
    for event in ("e-1", "e-1", "e-2"):
        opensearch_fake.store.add("lambda-logs-2026-11-20", {"aws.cloudwatch.event_id": event})
    client = _client(opensearch_fake)
    agg = {"terms": {"field": "aws.cloudwatch.event_id", "size": 5}}
    found = client.search(index="lambda-logs-*", body={"size": 0, "aggs": {"ids": agg}})
    # THEN each distinct value is one bucket, the most frequent first; no hits with size 0
    buckets = found["aggregations"]["ids"]["buckets"]
    assert buckets == [{"key": "e-1", "doc_count": 2}, {"key": "e-2", "doc_count": 1}]
    assert found["hits"]["hits"] == []
    with pytest.raises(TransportError) as refused:
        client.search(index="lambda-logs-*", body={"aggs": {"x": {"avg": {"field": "a"}}}})
    assert refused.value.status_code == 400


def test_create_with_existing_id_conflicts(opensearch_fake: FakeOpenSearch) -> None:
    opensearch_fake.store.add("idx", {"a": 1}, doc_id="x")
    body = json.dumps({"create": {"_index": "idx", "_id": "x"}}) + "\n{}\n"
    result = _client(opensearch_fake).bulk(body=body)
    assert result["errors"] is True
    assert result["items"][0]["create"]["status"] == 409


def test_registered_route_wins_and_records_request(opensearch_fake: FakeOpenSearch) -> None:
    opensearch_fake.route("GET", r"/_cluster/health", lambda _r: Reply(200, {"status": "green"}))
    assert _client(opensearch_fake).cluster.health()["status"] == "green"
    assert opensearch_fake.requests[-1].path == "/_cluster/health"


@pytest.mark.parametrize("status", [403, 500])
def test_forced_errors(opensearch_fake: FakeOpenSearch, status: int) -> None:
    opensearch_fake.fail(status, path=r"/x/_search", times=1)
    with pytest.raises(TransportError) as raised:
        _client(opensearch_fake).search(index="x", body={})
    assert raised.value.status_code == status
    # the failure was used up: the next search succeeds
    assert _client(opensearch_fake).search(index="x", body={})["hits"]["total"]["value"] == 0


def test_basic_auth_required(opensearch_fake: FakeOpenSearch) -> None:
    opensearch_fake.require_basic_auth("admin", "s3cret")
    with pytest.raises(AuthenticationException):
        _client(opensearch_fake, http_auth=("admin", "wrong")).info()
    assert _client(opensearch_fake, http_auth=("admin", "s3cret")).info()["version"]


def test_refused_url_refuses() -> None:
    client = OpenSearch(hosts=[refused_url()], max_retries=0, timeout=2)
    with pytest.raises(ConnectionError):
        client.info()


def test_saved_objects_import_needs_xsrf_and_multipart(opensearch_fake: FakeOpenSearch) -> None:
    url = opensearch_fake.url + "/_dashboards/api/saved_objects/_import?overwrite=true"
    line = json.dumps({"type": "index-pattern", "id": "p", "attributes": {"title": "x-*"}})
    files = {"file": ("objects.ndjson", line.encode(), "application/ndjson")}
    assert requests.post(url, files=files, timeout=5).status_code == 400
    reply = requests.post(url, files=files, headers={"osd-xsrf": "true"}, timeout=5)
    assert reply.json()["successCount"] == 1
    assert "index-pattern:p" in opensearch_fake.objects["saved_objects"]

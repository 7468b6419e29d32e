"""Hardening of EMF: a line cannot fill the index's field limit with `metrics.*` fields."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from lambdalogs.local.firehose import deliver
from opensearch.artifacts import ContentSettings, load_artifacts
from opensearch.conformance import problems
from opensearch.mapping import mapping_of
from tests.transformer.helpers import cw_record
from transformer import jsonlib
from transformer.jsonlog import MAX_PROMOTED_METRICS, METRICS_DROPPED, looks_per_request

CODECS = [jsonlib.STDLIB] + ([jsonlib.ORJSON] if jsonlib.ORJSON is not None else [])
CODEC_IDS = ["orjson" if codec is jsonlib.ORJSON else "stdlib" for codec in CODECS]


def emf_line(values: dict[str, Any], message: str | None = None) -> str:
    obj: dict[str, Any] = {
        "_aws": {
            "Timestamp": 1_795_169_647_000,
            "CloudWatchMetrics": [
                {
                    "Namespace": "shop",
                    "Dimensions": [["Service"]],
                    "Metrics": [{"Name": name, "Unit": "Count"} for name in values],
                }
            ],
        },
        "Service": "cart",
        **values,
    }
    if message is not None:
        obj["message"] = message
    return json.dumps(obj)


def documents(lines: list[str], codec: jsonlib.Codec) -> list[dict[str, Any]]:
    events = [
        {"id": f"e{i}", "timestamp": 1_795_169_647_000 + i, "message": line}
        for i, line in enumerate(lines)
    ]
    delivery = deliver([cw_record(events)], codec=codec)
    assert len(delivery.documents) == len(lines) and not delivery.failed
    return sorted(delivery.documents, key=lambda doc: int(doc["aws.cloudwatch.event_id"][1:]))


def metric_fields(document: dict[str, Any]) -> set[str]:
    return {key for key in document if key.startswith("metrics.")}


@pytest.mark.parametrize("codec", CODECS, ids=CODEC_IDS)
def test_one_line_with_6000_metrics_promotes_at_most_the_cap(codec: jsonlib.Codec) -> None:
    # GIVEN one EMF line declaring 6,000 metrics
    values = {f"Metric{i}": i for i in range(6000)}
    line = emf_line(values)
    (document,) = documents([line], codec)
    # THEN at most MAX_PROMOTED_METRICS become fields, the first ones declared, and the others
    # are counted, their values all still in the document: the line is over MAX_MESSAGE_BYTES,
    # so whole in `event.original`
    assert metric_fields(document) == {f"metrics.Metric{i}" for i in range(MAX_PROMOTED_METRICS)}
    assert document[METRICS_DROPPED] == 6000 - MAX_PROMOTED_METRICS
    assert document["event.original"] == line and document["log.truncated"] is True
    # AND the document fits the index template (the new field is mapped)
    mapping = mapping_of(load_artifacts(ContentSettings()).index_template)
    assert problems(document, mapping) == []


@pytest.mark.parametrize("codec", CODECS, ids=CODEC_IDS)
def test_per_request_metric_names_are_not_promoted(codec: jsonlib.Codec) -> None:
    # GIVEN 50 EMF lines, each with one shared metric and one named after its request
    lines = [
        emf_line({"Latency": 12.5, f"Latency-{uuid.UUID(int=i + 1)}": 1}, message=f"req {i}")
        for i in range(50)
    ]
    docs = documents(lines, codec)
    # THEN across all of them only the shared metric is a field: 50 lines add one field, not 51
    assert set().union(*(metric_fields(doc) for doc in docs)) == {"metrics.Latency"}
    for doc, line in zip(docs, lines, strict=True):
        assert doc[METRICS_DROPPED] == 1
        assert doc["json"] == json.loads(line)  # the value is kept, searchable in `json`


def test_an_ordinary_emf_line_is_promoted_whole_and_not_flagged() -> None:
    values = {f"M{i}": float(i) for i in range(MAX_PROMOTED_METRICS)}
    (document,) = documents([emf_line(values)], jsonlib.STDLIB)
    assert len(metric_fields(document)) == MAX_PROMOTED_METRICS
    assert METRICS_DROPPED not in document


@pytest.mark.parametrize(
    "name",
    [
        "Latency-c0ccb48d-e812-47d2-826f-b6f24349b291",
        "C0CCB48D-E812-47D2-826F-B6F24349B291_errors",
        "span_6565a1b23c4d5e6f",  # 16 hex digits
        "order_20261120",  # 8 decimal digits
        "user1795169647121Latency",
    ],
)
def test_looks_per_request(name: str) -> None:
    assert looks_per_request(name)


@pytest.mark.parametrize(
    "name",
    ["Latency", "Http5xx", "p99", "CartValueEUR", "ColdStart", "Orders2026", "cache.hit", "abcdef"],
)
def test_does_not_look_per_request(name: str) -> None:
    assert not looks_per_request(name)


def test_metrics_over_the_cap_stay_searchable_in_json() -> None:
    # GIVEN a line of 150 metrics, under MAX_MESSAGE_BYTES
    values = {f"M{i}": i for i in range(150)}
    (document,) = documents([emf_line(values)], jsonlib.STDLIB)
    # THEN 100 are fields, 50 counted, and all 150 are in `json`
    assert len(metric_fields(document)) == MAX_PROMOTED_METRICS
    assert document[METRICS_DROPPED] == 50
    assert all(document["json"][name] == value for name, value in values.items())

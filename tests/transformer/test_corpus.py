"""Every case of the shared corpus through the real transformer, field by field, with both JSON
codecs. The corpus is golden data: expected values come from tests/corpus/*.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.local.firehose import deliver, subscription_record
from transformer import jsonlib
from transformer.settings import Settings

CORPUS = Path(__file__).parent.parent / "corpus"
CASES = [case for path in sorted(CORPUS.glob("*.json")) for case in json.loads(path.read_text())]
MISSING = object()
CODECS = [jsonlib.STDLIB] + ([jsonlib.ORJSON] if jsonlib.ORJSON is not None else [])


def field_value(document: dict[str, Any], key: str) -> Any:
    if not key.startswith("json.") or key == "json":
        return document.get(key, MISSING)
    current: Any = document.get("json", MISSING)
    for part in key[len("json.") :].split("."):
        if not isinstance(current, dict) or part not in current:
            return MISSING
        current = current[part]
    return current


def mismatches(document: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    problems = []
    for key, want in expected.items():
        got = field_value(document, key)
        if want is None:
            if got is not MISSING:
                problems.append(f"{key}: expected absent, got {got!r}")
        elif isinstance(want, (int, float)) and not isinstance(want, bool):
            if isinstance(got, bool) or not isinstance(got, (int, float)) or got != want:
                problems.append(f"{key}: expected {want!r}, got {got!r}")
        elif got != want or type(got) is not type(want):
            problems.append(f"{key}: expected {want!r}, got {got!r}")
    return problems


@pytest.fixture(params=CODECS, ids=lambda codec: "orjson" if codec is jsonlib.ORJSON else "stdlib")
def codec(request: pytest.FixtureRequest) -> jsonlib.Codec:
    chosen: jsonlib.Codec = request.param
    return chosen


# The files of issue 15's formats: every case names the source its exact shape comes from.
FORMAT_FILES = (
    "crashes.json",
    "go-ruby-dotnet.json",
    "java.json",
    "powertools.json",
    "runtime-json.json",
    "snapstart.json",
    "tracing-tenancy.json",
)


def test_the_corpus_is_present_and_complete() -> None:
    assert len(CASES) >= 25
    assert all(len(case["events"]) == len(case["expected"]) for case in CASES)
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names are unique"


def test_the_format_files_are_loaded_and_name_their_sources() -> None:
    loaded = {path.name for path in CORPUS.glob("*.json")}
    assert set(FORMAT_FILES) <= loaded
    cases = [c for name in FORMAT_FILES for c in json.loads((CORPUS / name).read_text())]
    assert sum(len(case["events"]) for case in cases) >= 150
    assert all(isinstance(case.get("source"), str) and len(case["source"]) > 20 for case in cases)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_corpus_case(case: dict[str, Any], codec: jsonlib.Codec) -> None:
    # GIVEN one CloudWatch subscription record with the case's events
    record = subscription_record(case["logGroup"], case["logStream"], case["owner"], case["events"])
    # WHEN Firehose runs it through the transformer (fan-out and pass-through included)
    delivery = deliver([record], settings=Settings(region="eu-west-1"), codec=codec)
    # THEN every event became exactly one document with the expected fields
    assert len(delivery.documents) == len(case["events"])
    assert not delivery.failed and delivery.dropped == 0
    by_id = {doc["aws.cloudwatch.event_id"]: doc for doc in delivery.documents}
    assert len(by_id) == len(case["events"])
    for event, expected in zip(case["events"], case["expected"], strict=True):
        document = by_id[event["id"]]
        assert mismatches(document, expected) == [], event["message"][:200]
        assert document["cloud.region"] == "eu-west-1"
        assert isinstance(document["message"], str)
        assert next(iter(document)) == "@timestamp"


def test_mismatches_reports_wrong_absent_and_type_changed_fields() -> None:
    # The comparison itself must be able to fail.
    document = {"log.level": "INFO", "aws.lambda.memory_size_mb": "256", "json": {"a": {"b": 1}}}
    assert mismatches(document, {"log.level": "WARN"})
    assert mismatches(document, {"log.level": None})
    assert mismatches(document, {"aws.lambda.memory_size_mb": 256})
    assert mismatches(document, {"json.a.b": 2})
    assert mismatches(document, {"faas.name": "x"})
    assert not mismatches(document, {"json.a.b": 1, "faas.name": None, "log.level": "INFO"})


def test_both_codecs_produce_the_same_documents() -> None:
    if jsonlib.ORJSON is None:
        pytest.skip("orjson is not installed (requirements.txt installs it)")
    records = [
        subscription_record(c["logGroup"], c["logStream"], c["owner"], c["events"]) for c in CASES
    ]
    settings = Settings(region="eu-west-1")
    fast = deliver(records, settings=settings, codec=jsonlib.ORJSON).documents
    slow = deliver(records, settings=settings, codec=jsonlib.STDLIB).documents
    key = "aws.cloudwatch.event_id"
    assert len(fast) == sum(len(c["events"]) for c in CASES)
    assert sorted(fast, key=lambda d: d[key]) == sorted(slow, key=lambda d: d[key])

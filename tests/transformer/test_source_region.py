"""Records from another account and region, built exactly as CloudWatch Logs sends them to a
hub: every document's `cloud.region` is the log group's and `cloud.account.id` the record's
owner, never the hub's (transformer/source_region.py)."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.local.firehose import LoopbackFirehose, firehose_event, opensearch_document
from tests.transformer.helpers import STREAM_ARN, Context, run
from transformer.cost import StaticArchitectures
from transformer.handler import process
from transformer.settings import Settings
from transformer.source_region import source_region

HUB_REGION = "eu-west-1"  # where the hub's transformer runs (helpers.run's Settings)
HUB_ACCOUNT = "123456789012"
SAMPLE = Path(__file__).parents[1] / "events" / "cross_region_record.json"
REPORT = (
    "REPORT RequestId: 3f1b2c4d-0000-4000-8000-000000000001\tDuration: 102.25 ms\t"
    "Billed Duration: 103 ms\tMemory Size: 1024 MB\tMax Memory Used: 80 MB\t"
)


def envelope(**changes: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(SAMPLE.read_text())
    message.update(changes)
    return message


def record(message: dict[str, Any]) -> bytes:
    """gzip of compact JSON: what a subscription delivers (base64 is added by firehose_event)."""
    return gzip.compress(json.dumps(message, separators=(",", ":")).encode())


def documents(*messages: dict[str, Any], architectures: Any = None) -> list[dict[str, Any]]:
    """Every document the records become: the answered ones and the re-ingested ones."""
    firehose = LoopbackFirehose()
    answered = run([record(m) for m in messages], firehose, architectures=architectures)
    return answered.documents() + [opensearch_document(data) for data in firehose.take()]


def test_the_region_and_account_are_the_log_groups_from_the_system_fields() -> None:
    # GIVEN a spoke's record from us-east-1, account 444455556666, with emitSystemFields
    message = envelope()
    # WHEN the hub's transformer in eu-west-1 handles it
    docs = documents(message)
    # THEN every document says where it came from
    assert len(docs) == len(message["logEvents"]) == 3
    assert {d["cloud.region"] for d in docs} == {"us-east-1"}
    assert {d["cloud.account.id"] for d in docs} == {"444455556666"}
    # AND the system fields never leak into the document
    assert not any("extractedFields" in json.dumps(d) for d in docs)
    assert not any(key.startswith(("@aws", "json.@aws")) for d in docs for key in d)


def test_without_system_fields_an_account_policys_name_gives_the_region() -> None:
    message = envelope(subscriptionFilters=["lambda-logs-subscription-ap-southeast-2"])
    for event in message["logEvents"]:
        del event["extractedFields"]
    assert {d["cloud.region"] for d in documents(message)} == {"ap-southeast-2"}


def test_without_either_the_region_is_the_transformers() -> None:
    message = envelope(subscriptionFilters=["lambda-logs"])
    for event in message["logEvents"]:
        del event["extractedFields"]
    assert {d["cloud.region"] for d in documents(message)} == {HUB_REGION}


@pytest.mark.parametrize(
    "value", ["", "us-east", "US-EAST-1", "us-east-1; drop", 7, None, ["us-east-1"], {"r": 1}]
)
def test_a_malformed_system_field_is_ignored(value: object) -> None:
    message = envelope()
    message["logEvents"][0]["extractedFields"]["@aws.region"] = value
    assert source_region(message, HUB_REGION) == HUB_REGION
    assert {d["cloud.region"] for d in documents(message)} == {HUB_REGION}


@pytest.mark.parametrize(
    "filters",
    [
        ["my-filter-subscription-us-east-1x"],
        ["lambda-logs-subscription-eu-west-1-extra"],
        "lambda-logs-subscription-eu-west-2",
        [7],
        [],
    ],
)
def test_only_a_name_ending_in_a_region_gives_one(filters: object) -> None:
    message = envelope(subscriptionFilters=filters)
    del message["logEvents"][0]["extractedFields"]
    assert source_region(message, HUB_REGION) == HUB_REGION


def test_the_owner_wins_over_a_different_account_system_field() -> None:
    message = envelope()
    for event in message["logEvents"]:
        event["extractedFields"]["@aws.account"] = "999999999999"
    assert {d["cloud.account.id"] for d in documents(message)} == {"444455556666"}


def test_a_reingested_document_keeps_its_region() -> None:
    # GIVEN the documents of a spoke's record, as the hub re-ingests them
    first = run([record(envelope())])
    reingested = [
        base64.b64decode(r["data"]) for r in first.response["records"] if r["result"] == "Ok"
    ]
    # WHEN they come back through the transformer
    response = process(
        firehose_event(reingested, STREAM_ARN),
        Context(),
        firehose=LoopbackFirehose(),
        architectures=StaticArchitectures(),
        settings=Settings(region=HUB_REGION),
        log=lambda _line: None,
    )
    # THEN they pass through unchanged: the region stays the log group's
    back = [json.loads(base64.b64decode(r["data"])) for r in response["records"]]
    assert [r["result"] for r in response["records"]] == ["Ok"] * len(reingested)
    assert {d["cloud.region"] for d in back} == {"us-east-1"}

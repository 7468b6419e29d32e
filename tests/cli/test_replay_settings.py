"""`replay` transforms raw records as the deployed transformer would: priced from the architecture
maps in the bucket (never from Lambda), with the failing transformer's own settings (its
redaction rules above all), and never reads the pipeline's own objects as documents."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.cli.conftest import moto_transformer, stored
from tests.cli.test_replay import BUCKET, HOUR, TRANSFORMER, _error_line
from tests.fakes.opensearch_http import FakeOpenSearch

REPORT_LINE = (
    "REPORT RequestId: 8f5e2b7c-1d2a-4b3c-9d4e-5f6a7b8c9d0e\tDuration: 812.50 ms\t"
    "Billed Duration: 813 ms\tMemory Size: 1024 MB\tMax Memory Used: 88 MB\t"
)


@pytest.mark.parametrize("published", ["arm64", None])
def test_raw_records_are_priced_from_the_buckets_architecture_maps(
    cli: Any,
    fake: FakeOpenSearch,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    published: str | None,
) -> None:
    """GIVEN a failed record of a spoke's function and, in the bucket, the map its subscriber
    published (as the transformer reads it) and the subscriber's state WHEN replayed THEN its
    REPORT is priced at the map's architecture (without a map at the default, x86_64, never
    from Lambda) and neither the map nor the state is indexed."""
    from lambda_shared.environment import architecture_map_key
    from lambdalogs.local.firehose import subscription_record
    from transformer.cost import invocation_cost
    from transformer.settings import Settings

    monkeypatch.chdir(tmp_path)
    spoke = "444455556666"
    event = {"id": "1" * 56, "timestamp": 1795183200000, "message": REPORT_LINE}
    record = subscription_record("/aws/lambda/checkout", "2026/11/20/[$LATEST]ab", spoke, [event])
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        line = _error_line(record, "processing")
        s3.put_object(Bucket=BUCKET, Key=f"processing-failed/{HOUR}/lambda-logs-1", Body=line)
        moto_transformer(TRANSFORMER, {})
        if published:
            body = gzip.compress(json.dumps({"checkout": published}).encode())
            s3.put_object(Bucket=BUCKET, Key=architecture_map_key(spoke, "eu-west-1"), Body=body)
        # the subscriber's own objects in the same bucket are never read as documents
        state = gzip.compress(json.dumps({"groups": {"/aws/lambda/checkout": 1}}).encode())
        s3.put_object(Bucket=BUCKET, Key="subscriber/group-state/lambda-logs.json.gz", Body=state)
        pending = json.dumps({"pending": []}).encode()
        s3.put_object(
            Bucket=BUCKET, Key="subscriber/pending-backfills/lambda-logs.json", Body=pending
        )
        result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url)
    assert result.code == 0, result.err
    (document,) = stored(fake)  # the REPORT's, and nothing of the maps or the state
    prices = Settings(region="eu-west-1").prices
    expected = invocation_cost(813, 1024, published or "x86_64", prices)
    assert document["aws.lambda.cost_usd"] == pytest.approx(expected)
    other = invocation_cost(813, 1024, "x86_64" if published else "arm64", prices)
    assert document["aws.lambda.cost_usd"] != pytest.approx(other)


SECRET_LINE = "order ORD-12345678 accepted for checkout"


@pytest.fixture
def secret_record_bucket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """GIVEN a raw record whose line holds an order id, failed by a transformer that exists
    (moto) and redacts order ids (`redactRules`), and an environment without rules."""
    from lambdalogs.local.firehose import subscription_record

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REDACT_RULES", raising=False)
    event = {"id": "2" * 56, "timestamp": 1795183200000, "message": SECRET_LINE}
    record = subscription_record(
        "/aws/lambda/checkout", "2026/11/20/[$LATEST]ab", "1" * 12, [event]
    )
    with mock_aws():
        arn = moto_transformer(TRANSFORMER, {"REDACT_RULES": "order-id=ORD-[0-9]{8}"})
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        line = _error_line(record, "processing").replace(
            "arn:aws:lambda:eu-west-1:123456789012:function:lambda-logs-transformer", arn
        )
        s3.put_object(Bucket=BUCKET, Key=f"processing-failed/{HOUR}/lambda-logs-1", Body=line)
        yield boto3.client("lambda", region_name="eu-west-1")


def test_raw_records_are_redacted_as_their_transformer_redacts(
    cli: Any, fake: FakeOpenSearch, secret_record_bucket: Any
) -> None:
    result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url)
    assert result.code == 0, result.err
    (document,) = stored(fake)
    assert "ORD-12345678" not in json.dumps(document)
    assert document["message"] == "order [REDACTED:order-id] accepted for checkout"
    assert "warning" not in result.err


def test_this_shells_stray_settings_do_not_stop_a_replay_that_does_not_use_them(
    cli: Any, fake: FakeOpenSearch, secret_record_bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDACT_RULES", "broken=(")  # not a valid rule: unused here
    result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url)
    assert result.code == 0, result.err
    (document,) = stored(fake)
    assert document["message"] == "order [REDACTED:order-id] accepted for checkout"
    stopped = cli(
        "replay", "--bucket", BUCKET, "--opensearch", fake.url, "--settings-from", "environment"
    )
    assert stopped.code == 2 and "REDACT_RULES" in stopped.err  # where it is used, refused


def test_without_the_transformer_the_replay_stops_before_indexing_and_says_why(
    cli: Any, fake: FakeOpenSearch, secret_record_bucket: Any
) -> None:
    """GIVEN the transformer that failed the records is gone WHEN replayed THEN nothing is indexed
    with this environment's settings (which lack its redaction rule): one error names the
    function and both fixes; a run with --settings-from environment then indexes them."""
    secret_record_bucket.delete_function(FunctionName=TRANSFORMER)
    result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url)
    assert result.code == 2 and stored(fake) == []
    (error,) = [line for line in result.err.splitlines() if "error" in line]
    assert error.startswith("lambdalogs replay: error: cannot read the settings")
    assert f"function:{TRANSFORMER}" in error and "ResourceNotFoundException" in error
    assert "deleted or renamed" in error and "--settings-from environment" in error
    again = cli(
        "replay", "--bucket", BUCKET, "--opensearch", fake.url, "--settings-from", "environment"
    )
    assert again.code == 0, again.err
    assert [d["message"] for d in stored(fake)] == [SECRET_LINE]  # as asked: no rules here


def test_settings_from_the_environment_on_request(
    cli: Any, fake: FakeOpenSearch, secret_record_bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDACT_RULES", "checkout=checkout")
    result = cli(
        "replay", "--bucket", BUCKET, "--opensearch", fake.url, "--settings-from", "environment"
    )
    assert result.code == 0, result.err
    (document,) = stored(fake)
    assert document["message"] == "order ORD-12345678 accepted for [REDACTED:checkout]"
    assert "warning" not in result.err

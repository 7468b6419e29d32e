"""The transformer's architectures come from the maps the subscribers publish to S3 (moto):
cached per container, refreshed after the TTL with a conditional GET on the ETag, absent or
malformed maps and unknown functions give the default, counted in the summary."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from lambda_shared.environment import architecture_map_key
from lambdalogs.local.firehose import subscription_record
from subscriptions.architectures import encode_map
from tests.transformer.helpers import STREAM, run
from transformer.architecture_map import (
    MAX_MAP_BYTES,
    ArchitectureMap,
    MalformedMapError,
    parse_map,
)
from transformer.settings import Settings

BUCKET = "lambda-logs-backup-abc123"
SPOKE, REGION = "444455556666", "eu-west-1"
KEY = architecture_map_key(SPOKE, REGION)
REPORT = (
    "REPORT RequestId: 3f1b2c4d-0000-4000-8000-000000000001\tDuration: 102.25 ms\t"
    "Billed Duration: 103 ms\tMemory Size: 1024 MB\tMax Memory Used: 80 MB\t"
)


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Counting:
    """The real (moto) S3 client, with the GetObject calls it answered recorded."""

    client: Any
    calls: list[dict[str, Any]] = field(default_factory=list)

    def get_object(self, **params: Any) -> Any:
        self.calls.append(params)
        return self.client.get_object(**params)


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield client


def spoke_report(function: str, event_id: str) -> bytes:
    event = {"id": event_id, "timestamp": 1_795_169_647_000, "message": REPORT}
    return subscription_record(f"/aws/lambda/{function}", STREAM, SPOKE, [event])


def reader(s3: Any, clock: Clock) -> tuple[ArchitectureMap, Counting]:
    counting = Counting(s3)
    return ArchitectureMap(lambda: counting, BUCKET, "x86_64", clock=clock), counting


def test_a_published_map_prices_arm64_and_an_unknown_function_is_defaulted_and_counted(
    s3: Any,
) -> None:
    # GIVEN the spoke's map naming checkout as arm64
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=encode_map({"checkout": "arm64"}))
    architectures, _ = reader(s3, Clock())
    # WHEN REPORT lines of checkout and of a function the map does not name arrive
    result = run(
        [spoke_report("checkout", "1"), spoke_report("unknown", "2")],
        architectures=architectures,
        settings=Settings(region=REGION),
    )
    # THEN checkout is priced at arm64, the other at x86_64, and that one is counted
    prices = Settings().prices
    costs = {d["faas.name"]: d["aws.lambda.cost_usd"] for d in result.documents()}
    assert costs["checkout"] == pytest.approx(0.103 * prices.arm64_gb_second + prices.per_request)
    assert costs["unknown"] == pytest.approx(0.103 * prices.x86_64_gb_second + prices.per_request)
    assert result.summary()["ArchitectureDefaulted"] == 1


def test_the_map_is_cached_then_refreshed_on_its_etag_after_the_ttl(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=encode_map({"checkout": "arm64"}))
    clock = Clock()
    architectures, counting = reader(s3, clock)
    # WHEN asked twice within the TTL
    assert architectures.architecture("checkout", SPOKE, REGION) == "arm64"
    assert architectures.architecture("checkout", SPOKE, REGION) == "arm64"
    # THEN S3 is read once, without a condition
    assert len(counting.calls) == 1 and "IfNoneMatch" not in counting.calls[0]
    etag = s3.head_object(Bucket=BUCKET, Key=KEY)["ETag"]
    # WHEN the TTL is over and the object is unchanged
    clock.now += 15 * 60
    assert architectures.architecture("checkout", SPOKE, REGION) == "arm64"
    # THEN the read is conditional on the ETag (S3 answers 304), and the map kept
    assert counting.calls[1]["IfNoneMatch"] == etag
    # WHEN the function moves to x86_64 and the TTL is over again
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=encode_map({"checkout": "x86_64"}))
    clock.now += 15 * 60
    # THEN the new map is read
    assert architectures.architecture("checkout", SPOKE, REGION) == "x86_64"
    assert len(counting.calls) == 3


def test_a_missing_map_gives_the_default_counted_and_is_asked_again_only_after_the_ttl(
    s3: Any,
) -> None:
    clock = Clock()
    architectures, counting = reader(s3, clock)
    assert architectures.architecture("checkout", SPOKE, REGION) == "x86_64"
    assert architectures.architecture("checkout", SPOKE, REGION) == "x86_64"
    assert len(counting.calls) == 1
    assert architectures.take_defaulted() == 2
    assert architectures.take_defaulted() == 0
    # WHEN the subscriber publishes it, it is seen after the TTL
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=encode_map({"checkout": "arm64"}))
    clock.now += 15 * 60
    assert architectures.architecture("checkout", SPOKE, REGION) == "arm64"


@pytest.mark.parametrize(
    "body",
    [
        b"not gzip at all",
        gzip.compress(b"{not json"),
        gzip.compress(b'["checkout", "arm64"]'),
        gzip.compress(b"\0" * (MAX_MAP_BYTES + 1)),  # a gzip bomb: refused, not inflated
        gzip.compress(b'{"checkout": "arm64"}')[:-6],  # truncated
    ],
    ids=["not-gzip", "not-json", "not-an-object", "gzip-bomb", "truncated"],
)
def test_a_malformed_map_is_refused(body: bytes) -> None:
    with pytest.raises(MalformedMapError):
        parse_map(body)


def test_only_well_formed_entries_of_a_map_are_kept() -> None:
    raw = {"checkout": "arm64", "bad name!": "arm64", "cart": "sparc", "pay": 1, "ok_1": "x86_64"}
    assert parse_map(gzip.compress(json.dumps(raw).encode())) == {
        "checkout": "arm64",
        "ok_1": "x86_64",
    }


def test_a_malformed_object_in_s3_gives_the_default_and_a_warning(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"garbage")
    logged: list[str] = []
    architectures = ArchitectureMap(
        lambda: s3, BUCKET, "arm64", log=lambda level, message: logged.append(level + message)
    )
    assert architectures.architecture("checkout", SPOKE, REGION) == "arm64"
    assert architectures.take_defaulted() == 1
    assert logged and logged[0].startswith("WARN") and KEY in logged[0]


@dataclass
class Failing:
    """Throttles `fail` GetObject calls, then answers from the real client."""

    client: Any
    fail: int
    calls: int = 0

    def get_object(self, **params: Any) -> Any:
        self.calls += 1
        if self.calls <= self.fail:
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "x"}}, "GetObject")
        return self.client.get_object(**params)


def test_a_failed_read_keeps_what_was_known_and_is_retried_after_a_minute(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=encode_map({"checkout": "arm64"}))
    clock = Clock()
    failing = Failing(s3, fail=1)
    architectures = ArchitectureMap(lambda: failing, BUCKET, clock=clock)
    assert architectures.architecture("checkout", SPOKE, REGION) == "x86_64"
    clock.now += 30
    assert architectures.architecture("checkout", SPOKE, REGION) == "x86_64"
    assert failing.calls == 1  # not before the retry delay
    clock.now += 31
    assert architectures.architecture("checkout", SPOKE, REGION) == "arm64"
    # AND once known, a later failure keeps it
    failing.fail, failing.calls = 1, 0
    clock.now += 15 * 60
    assert architectures.architecture("checkout", SPOKE, REGION) == "arm64"


def test_no_key_is_built_from_a_malformed_account_or_region_nor_without_a_bucket(s3: Any) -> None:
    architectures, counting = reader(s3, Clock())
    assert architectures.architecture("f", "../../etc", REGION) == "x86_64"
    assert architectures.architecture("f", SPOKE, "eu-west-1/../x") == "x86_64"
    assert architectures.architecture("f", SPOKE, "") == "x86_64"
    nobucket = ArchitectureMap(lambda: counting, "", "x86_64")
    assert nobucket.architecture("f", SPOKE, REGION) == "x86_64"
    assert counting.calls == []


def test_a_batch_spends_at_most_its_read_budget_on_maps(s3: Any) -> None:
    # GIVEN maps of many spoke accounts, all cold, and an S3 that takes 4 s per read
    clock = Clock()
    accounts = [f"1111111111{n:02d}" for n in range(10)]
    for account in accounts:
        key = architecture_map_key(account, REGION)
        s3.put_object(Bucket=BUCKET, Key=key, Body=encode_map({"checkout": "arm64"}))

    class Slow(Counting):
        def get_object(self, **params: Any) -> Any:
            clock.now += 4.0
            return super().get_object(**params)

    slow = Slow(s3)
    architectures = ArchitectureMap(lambda: slow, BUCKET, clock=clock)
    # WHEN one batch looks every account up
    found = [architectures.architecture("checkout", account, REGION) for account in accounts]
    # THEN it stopped reading once past READ_SECONDS_PER_BATCH: 3 reads (12 s), the rest default
    assert len(slow.calls) == 3 and found == ["arm64"] * 3 + ["x86_64"] * 7
    assert architectures.take_defaulted() == 7
    # AND the next batch reads on
    found = [architectures.architecture("checkout", account, REGION) for account in accounts]
    assert len(slow.calls) == 6 and found[:6] == ["arm64"] * 6

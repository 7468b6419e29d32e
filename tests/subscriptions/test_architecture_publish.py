"""The subscriber publishes its account's function architectures to S3 (moto): written once when
they change, not rewritten when equal (so the transformer's ETag stays), rewritten when old
enough for the bucket's expiration to reach it, never failing the run."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambda_shared.backoff import RetryPolicy
from lambda_shared.environment import architecture_map_key
from subscriptions.architectures import (
    REFRESH_MS,
    ArchitecturePublisher,
    FunctionArchitectures,
    encode_map,
)
from subscriptions.retry import RetryStats
from tests.subscriptions.fake_account import ACCOUNT_ID, REGION, Account
from transformer.architecture_map import parse_map

BUCKET = "lambda-logs-backup-abc123"
KEY = architecture_map_key(ACCOUNT_ID, REGION)


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield client


class CountingS3:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.puts = 0

    def get_object(self, **params: Any) -> Any:
        return self.client.get_object(**params)

    def put_object(self, **params: Any) -> Any:
        self.puts += 1
        return self.client.put_object(**params)


def publisher(client: Any, now_ms: list[int]) -> ArchitecturePublisher:
    policy = RetryPolicy(sleep=lambda _: None)
    return ArchitecturePublisher(client, BUCKET, KEY, lambda: now_ms[0], policy, RetryStats())


def stored(s3: Any) -> dict[str, str]:
    return parse_map(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())


def test_the_map_is_written_once_when_it_changes_and_not_rewritten_when_equal(s3: Any) -> None:
    counting = CountingS3(s3)
    now = [s3_now_ms(s3)]
    first = publisher(counting, now)
    # WHEN the map is published for the first time
    assert first.publish({"checkout": "arm64", "cart": "x86_64"}) is True
    etag = s3.head_object(Bucket=BUCKET, Key=KEY)["ETag"]
    # THEN it is there, readable by the transformer's parser
    assert stored(s3) == {"checkout": "arm64", "cart": "x86_64"}
    # WHEN the same functions are published again (in another order)
    assert publisher(counting, now).publish({"cart": "x86_64", "checkout": "arm64"}) is False
    # THEN nothing is written: the ETag the transformer holds stays valid
    assert counting.puts == 1
    assert s3.head_object(Bucket=BUCKET, Key=KEY)["ETag"] == etag
    # WHEN a function changes architecture
    assert publisher(counting, now).publish({"cart": "arm64", "checkout": "arm64"}) is True
    assert counting.puts == 2 and stored(s3)["cart"] == "arm64"


def test_an_unchanged_map_is_rewritten_once_it_is_old(s3: Any) -> None:
    counting = CountingS3(s3)
    now = [s3_now_ms(s3)]
    publisher(counting, now).publish({"checkout": "arm64"})
    now[0] += REFRESH_MS + 1
    assert publisher(counting, now).publish({"checkout": "arm64"}) is True
    assert counting.puts == 2


def s3_now_ms(s3: Any) -> int:
    """S3's (moto's) clock: LastModified of a probe object."""
    s3.put_object(Bucket=BUCKET, Key="probe", Body=b"")
    return int(s3.head_object(Bucket=BUCKET, Key="probe")["LastModified"].timestamp() * 1000)


def test_the_encoding_is_deterministic_gzip_json() -> None:
    a = encode_map({"b": "arm64", "a": "x86_64"})
    assert a == encode_map({"a": "x86_64", "b": "arm64"})
    assert json.loads(gzip.decompress(a)) == {"a": "x86_64", "b": "arm64"}


class PagedLambda:
    def __init__(self, functions: dict[str, list[str] | None]) -> None:
        self.functions = list(functions.items())
        self.calls = 0

    def list_functions(self, MaxItems: int, Marker: str = "0") -> dict[str, Any]:
        self.calls += 1
        start = int(Marker)
        page = [
            {"FunctionName": name, **({"Architectures": arch} if arch else {})}
            for name, arch in self.functions[start : start + MaxItems]
        ]
        more = start + MaxItems < len(self.functions)
        return {"Functions": page, **({"NextMarker": str(start + MaxItems)} if more else {})}


def lister(client: Any) -> FunctionArchitectures:
    return FunctionArchitectures(client, RetryPolicy(sleep=lambda _: None), RetryStats())


def test_every_page_of_functions_is_listed_with_its_architecture() -> None:
    functions: dict[str, list[str] | None] = {f"fn-{i}": ["arm64"] for i in range(120)}
    functions["old"] = None  # no Architectures: Lambda's default, x86_64
    client = PagedLambda(functions)
    found = lister(client).all(lambda: False)
    assert found is not None and len(found) == 121 and client.calls == 3
    assert found["fn-119"] == "arm64" and found["old"] == "x86_64"


def test_a_walk_cut_short_by_the_budget_publishes_nothing() -> None:
    client = PagedLambda({f"fn-{i}": ["arm64"] for i in range(120)})
    assert lister(client).all(lambda: True) is None
    assert client.calls == 1


def test_a_reconcile_run_publishes_the_accounts_map(s3: Any) -> None:
    # GIVEN a standalone subscriber with the pipeline's bucket for the map
    account = Account(3, state=False, ARCHITECTURE_BUCKET=BUCKET)
    account.s3 = s3
    # WHEN two reconcile runs complete
    account.run({"action": "reconcile"})
    etag = s3.head_object(Bucket=BUCKET, Key=KEY)["ETag"]
    account.run({"action": "reconcile"})
    # THEN the map names every function, and the second run did not rewrite it
    assert stored(s3) == {f"fn-{i:05d}": "x86_64" for i in range(3)}
    assert s3.head_object(Bucket=BUCKET, Key=KEY)["ETag"] == etag
    assert any("architecture map published" in line for line in account.emitted)


def test_a_refused_write_is_an_error_line_and_the_run_still_succeeds() -> None:
    # GIVEN a bucket this subscriber may not write (here: one that does not exist)
    with mock_aws():
        account = Account(2, state=False, ARCHITECTURE_BUCKET="not-our-bucket")
        account.s3 = boto3.client("s3", region_name=REGION)
        result = account.run({"action": "reconcile"})
    assert result["outcomes"] == {"created": 2}
    errors = [json.loads(line) for line in account.emitted if "not published" in line]
    assert errors and errors[0]["level"] == "ERROR"

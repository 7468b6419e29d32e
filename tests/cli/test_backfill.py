"""`backfill` from moto's CloudWatch Logs into the OpenSearch HTTP fake."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.cli.conftest import moto_transformer, stored
from tests.fakes.opensearch_http import FakeOpenSearch

REGION = "eu-west-1"
TRANSFORMER = "lambda-logs-transformer"
GROUPS = ("/aws/lambda/orders", "/aws/lambda/payments")
OTHER = "/custom/batch-jobs"  # outside the transformer's default LOG_GROUP_PREFIXES
MINUTE_MS = 60_000


def _lines(function: str, request: str) -> list[str]:
    return [
        f"START RequestId: {request} Version: $LATEST",
        json.dumps({"level": "ERROR", "message": f"{function} failed", "traceId": "t-1"}),
        f"END RequestId: {request}",
        f"REPORT RequestId: {request}\tDuration: 12.5 ms\tBilled Duration: 13 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 70 MB",
    ]


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """GIVEN two Lambda groups with two streams each and a group outside the prefixes, all
    with events of the last hour; yields each group's event count."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name in ("CLOUD_REGION", "AWS_REGION", "LOG_GROUP_PREFIXES"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client("logs", region_name=REGION)
        start = int(time.time() * 1000) - 60 * MINUTE_MS
        counts: dict[str, int] = {}
        for group in (*GROUPS, OTHER):
            client.create_log_group(logGroupName=group)
            counts[group] = 0
            for n, stream in enumerate(("2026/12/02/[$LATEST]a1", "2026/12/02/[$LATEST]b2")):
                client.create_log_stream(logGroupName=group, logStreamName=stream)
                lines = _lines(group.rsplit("/", 1)[1], f"0000000{n}-aaaa-bbbb-cccc-dddddddddddd")
                events = [
                    {"timestamp": start + (n * 10 + i) * 1000, "message": line}
                    for i, line in enumerate(lines)
                ]
                client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
                counts[group] += len(events)
        moto_transformer(TRANSFORMER, {}, REGION)  # the default --transformer
        yield counts


def _ids(fake: FakeOpenSearch) -> Counter[str]:
    return Counter(d["aws.cloudwatch.event_id"] for d in stored(fake))


def test_backfill_indexes_every_event_once_and_skips_what_is_indexed(
    cli: Any, fake: FakeOpenSearch, logs: dict[str, int]
) -> None:
    # WHEN one group is backfilled, then every group under the prefix
    first = cli("backfill", "--log-group", GROUPS[0], "--since", "2h", "--opensearch", fake.url)
    assert first.code == 0, first.err
    assert f"Indexed {logs[GROUPS[0]]} documents." in first.out
    again = cli(
        "backfill", "--log-group-prefix", "/aws/lambda/", "--since", "2h", "--opensearch", fake.url
    )
    # THEN the second run indexes only the other group's events, and none twice
    assert again.code == 0, again.err
    assert f"Indexed {logs[GROUPS[1]]} documents." in again.out
    assert f"{logs[GROUPS[0]]} already indexed" in again.out
    ids = _ids(fake)
    assert sum(ids.values()) == logs[GROUPS[0]] + logs[GROUPS[1]]
    assert max(ids.values()) == 1
    documents = stored(fake)
    assert {d["cloud.account.id"] for d in documents} == {"123456789012"}
    assert {d["faas.name"] for d in documents} == {"orders", "payments"}
    errors = [d for d in documents if d.get("log.level") == "ERROR"]
    assert len(errors) == 4 and {d.get("trace.id") for d in errors} == {"t-1"}


def test_a_group_outside_the_prefixes_is_read_but_dropped_and_said(
    cli: Any, fake: FakeOpenSearch, logs: dict[str, int]
) -> None:
    result = cli("backfill", "--log-group", OTHER, "--since", "2h", "--opensearch", fake.url)
    assert result.code == 0, result.err
    assert f"read {logs[OTHER]} events" in result.out
    assert "records dropped by the transformer" in result.out
    assert not stored(fake)


def test_a_dry_run_counts_and_writes_nothing(cli: Any, logs: dict[str, int]) -> None:
    result = cli("backfill", "--log-group-prefix", "/aws/lambda/", "--since", "2h", "--dry-run")
    assert result.code == 0, result.err
    assert f"Would index {logs[GROUPS[0]] + logs[GROUPS[1]]} documents." in result.out


def test_a_window_before_the_events_indexes_nothing(
    cli: Any, fake: FakeOpenSearch, logs: dict[str, int]
) -> None:
    result = cli(
        "backfill", "--log-group", GROUPS[0], "--since", "5h", "--until", "3h",
        "--opensearch", fake.url,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "read 0 events" in result.out and not stored(fake)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--log-group", "/aws/lambda/gone", "--since", "2h", "--dry-run"], "does not exist"),
        (["--log-group-prefix", "/nothing/", "--since", "2h", "--dry-run"], "no log group"),
        (["--log-group", GROUPS[0], "--dry-run"], "give --since"),
        (["--log-group", GROUPS[0], "--since", "2h"], "give --opensearch"),
        (["--log-group", GROUPS[0], "--since", "2030-01-01T00:00Z", "--dry-run"], "in the future"),
    ],
)
def test_bad_input_is_one_line_that_says_what_to_do(
    cli: Any, logs: dict[str, int], argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENSEARCH_URL", raising=False)
    result = cli("backfill", *argv)
    assert result.code != 0
    assert message in result.err and "Traceback" not in result.err


class _RefusingPaginator:
    def paginate(self, **_: object) -> Iterator[dict[str, Any]]:
        from botocore.exceptions import ClientError

        error: Any = {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}
        yield from ()
        raise ClientError(error, "FilterLogEvents")


class _RefusingClient:
    def get_paginator(self, _: str) -> _RefusingPaginator:
        return _RefusingPaginator()


def test_refused_access_says_which_permission_is_missing() -> None:
    from lambdalogs.cloudwatch.reader import Window, pages
    from lambdalogs.errors import RemoteError

    with pytest.raises(RemoteError, match=r"logs:FilterLogEvents on log group /aws/lambda/x"):
        list(pages(_RefusingClient(), "/aws/lambda/x", Window(0, 1), "123456789012"))


def test_no_region_is_one_line_that_says_what_to_do(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    result = cli("backfill", "--log-group", GROUPS[0], "--since", "2h", "--dry-run")
    assert result.code == 2 and "give --region" in result.err


def test_an_unknown_profile_is_one_line_that_says_what_to_do(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile-here")
    result = cli(
        "backfill", "--log-group", GROUPS[0], "--since", "2h", "--dry-run", "--region", REGION
    )
    assert result.code == 3 and "AWS_PROFILE" in result.err and "Traceback" not in result.err


def test_expired_credentials_say_to_refresh_them() -> None:
    from lambdalogs.cloudwatch.reader import _client_error

    error = _client_error("ExpiredTokenException", "the caller's account", "sts:GetCallerIdentity")
    assert "refresh them" in str(error)


def test_events_are_transformed_with_the_deployed_transformers_settings(
    cli: Any, fake: FakeOpenSearch, logs: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the stack's transformer redacts `orders` (its REDACT_RULES) and this environment
    sets no rules WHEN backfilled THEN the documents are redacted as that transformer redacts;
    with --settings-from environment, they are not."""
    monkeypatch.delenv("REDACT_RULES", raising=False)
    moto_transformer("acme-transformer", {"REDACT_RULES": "who=orders failed"}, REGION)
    common = ("backfill", "--log-group", GROUPS[0], "--since", "2h", "--opensearch", fake.url)
    result = cli(*common, "--transformer", "acme-transformer")
    assert result.code == 0, result.err
    messages = [d["message"] for d in stored(fake)]
    assert "[REDACTED:who]" in messages and "orders failed" not in messages
    assert "warning" not in result.err


def test_an_unreadable_transformer_stops_before_any_read(
    cli: Any, fake: FakeOpenSearch, logs: dict[str, int]
) -> None:
    """GIVEN no transformer of the default name WHEN backfilled without --transformer THEN the
    command stops before reading an event, naming the function and the fixes; with
    --settings-from environment it runs."""
    boto3.client("lambda", region_name=REGION).delete_function(FunctionName=TRANSFORMER)
    result = cli("backfill", "--log-group", GROUPS[0], "--since", "2h", "--opensearch", fake.url)
    assert result.code == 2 and stored(fake) == []
    (error,) = [line for line in result.err.splitlines() if "error" in line]
    assert error.startswith("lambdalogs backfill: error: cannot read the settings")
    assert "lambda-logs-transformer" in error and "--transformer" in error
    assert "--settings-from environment" in error
    quiet = cli(
        "backfill",
        "--log-group",
        GROUPS[1],
        "--since",
        "2h",
        "--opensearch",
        fake.url,
        "--settings-from",
        "environment",
    )
    assert quiet.code == 0 and "warning" not in quiet.err
    assert "payments failed" in [d["message"] for d in stored(fake)]


@pytest.mark.parametrize("settings_from", ["transformer", "environment"])
def test_the_region_given_is_the_documents_region(
    cli: Any,
    fake: FakeOpenSearch,
    logs: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    settings_from: str,
) -> None:
    """`--region` is the log groups' region: the shell's AWS_REGION (a profile's default, often
    another) never becomes their documents' `cloud.region`, in either mode."""
    monkeypatch.setenv("AWS_REGION", "us-east-1")  # this shell's default, not the logs'
    result = cli(
        "backfill",
        "--region",
        REGION,
        "--log-group",
        GROUPS[0],
        "--since",
        "2h",
        "--settings-from",
        settings_from,
        "--opensearch",
        fake.url,
    )
    assert result.code == 0, result.err
    assert {d.get("cloud.region") for d in stored(fake)} == {REGION}

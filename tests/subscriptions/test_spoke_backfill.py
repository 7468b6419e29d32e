"""A spoke's backfill reaches the hub: the subscriber assumes the hub's backfill role (moto's
STS), puts into the hub's streams in the hub's region on those credentials, renews them before
they expire, and a refused AssumeRole is one clear ERROR and a count in backfillSkipped."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from lambda_shared.routing import route
from subscriptions import assumed_role
from subscriptions.assumed_role import (
    REFRESH_BEFORE_SECONDS,
    AssumedRoleFirehose,
    BackfillRoleDeniedError,
)
from subscriptions.errors import SettingsError
from subscriptions.settings import Settings
from tests.subscriptions.fake_account import ACCOUNT_ID, ENV, Account, FakeFirehose

HUB, HUB_REGION = "210987654321", "us-east-1"
DESTINATIONS = tuple(
    f"arn:aws:logs:eu-west-1:{HUB}:destination:lambda-logs-hub-{i}" for i in range(2)
)
STREAMS = tuple(
    f"arn:aws:firehose:{HUB_REGION}:{HUB}:deliverystream/lambda-logs-hub-stream{s}"
    for s in ("", "-2")
)
ROLE = f"arn:aws:iam::{HUB}:role/lambda-logs-hub-spoke-backfill"
SPOKE_ENV = {
    "DESTINATION_ARN": ",".join(DESTINATIONS),
    "ROLE_ARN": "",
    "AWS_REGION": "eu-west-1",
    "BACKFILL_ROLE_ARN": ROLE,
    "BACKFILL_STREAM_ARNS": ",".join(STREAMS),
}


class Made:
    """The Firehose clients the assumed role built: (region, access key) each."""

    def __init__(self, firehose: FakeFirehose) -> None:
        self.firehose = firehose
        self.built: list[tuple[str, str]] = []

    def __call__(self, region: str, credentials: Mapping[str, str]) -> FakeFirehose:
        self.built.append((region, credentials["AccessKeyId"]))
        return self.firehose


@pytest.fixture
def sts() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("sts", region_name="eu-west-1")


def spoke(sts: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Account, Made]:
    account = Account(4, events_per_group=3, state=False, timeout_s=None, **SPOKE_ENV)
    account.sts = sts
    made = Made(account.firehose)
    monkeypatch.setattr(assumed_role, "_firehose_client", made)
    return account, made


def test_a_spokes_backfill_goes_to_the_hubs_routed_streams_on_the_hubs_role(
    sts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a spoke with the hub's backfill role and streams, and 4 new groups of 3 events
    account, made = spoke(sts, monkeypatch)
    # WHEN it subscribes them
    result = account.run({"action": "reconcile"})
    # THEN every event reached the hub, none skipped
    assert result["backfillSkipped"] == 0
    assert result["backfillEvents"] == 12
    # AND on one assumed session, in the hub's region (not the spoke's)
    assert len(made.built) == 1 and made.built[0][0] == HUB_REGION
    assert made.built[0][1].startswith("ASIA")  # STS session credentials, not the spoke's own
    # AND each group's records went to the stream its destination wraps
    names = {arn.rsplit("/", 1)[1] for arn in STREAMS}
    assert set(account.firehose.records) <= names
    by_destination = dict(zip(DESTINATIONS, (a.rsplit("/", 1)[1] for a in STREAMS), strict=True))
    for group in account.logs.filters:
        stream = by_destination[route(group, DESTINATIONS)]
        assert stream in account.firehose.records
    # AND each record says it is the spoke's, from the spoke's region (not the hub's)
    sent = [json.loads(gzip.decompress(r)) for rs in account.firehose.records.values() for r in rs]
    assert {m["owner"] for m in sent} == {ACCOUNT_ID}
    fields = {
        json.dumps(e["extractedFields"], sort_keys=True) for m in sent for e in m["logEvents"]
    }
    assert fields == {json.dumps({"@aws.account": ACCOUNT_ID, "@aws.region": "eu-west-1"})}


class _NoEvents:
    def register(self, _name: str, _handler: Any) -> None:
        return None


class DenyingSts:
    """STS answering AccessDenied, as when the hub's trust does not list this account."""

    def __init__(self) -> None:
        self.calls = 0
        self.meta = type("Meta", (), {"events": _NoEvents()})()

    def assume_role(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "AssumeRole"
        )


def test_a_refused_assume_role_is_one_error_line_and_counted_as_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = Account(4, events_per_group=3, state=False, timeout_s=None, **SPOKE_ENV)
    account.sts = DenyingSts()
    result = account.run({"action": "reconcile"})
    assert result["backfillSkipped"] == 4 and result["backfillEvents"] == 0
    assert account.sts.calls == 1  # not asked again for every group of the run
    assert account.calls.counts["PutRecordBatch"] == 0
    lines = [json.loads(line) for line in account.emitted if "backfill skipped" in line]
    assert len(lines) == 1 and lines[0]["level"] == "ERROR"
    assert ROLE in lines[0]["message"] and "spokeAccountIds" in lines[0]["message"]


def test_the_session_is_renewed_before_it_expires(sts: Any) -> None:
    now = [datetime.now(UTC).timestamp()]
    made = Made(FakeFirehose(Account(0).calls))
    role = AssumedRoleFirehose(sts, ROLE, HUB_REGION, factory=made, clock=lambda: now[0])
    role.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"x"}])
    role.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"x"}])
    assert role.assumed == 1
    # WHEN the clock reaches REFRESH_BEFORE_SECONDS before the hour-long session's end
    now[0] += timedelta(hours=1).total_seconds() - REFRESH_BEFORE_SECONDS + 1
    role.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"x"}])
    # THEN a new session was assumed first
    assert role.assumed == 2 and len(made.built) == 2


def test_a_denied_role_raises_the_error_that_names_the_fix() -> None:
    role = AssumedRoleFirehose(DenyingSts(), ROLE, HUB_REGION)
    with pytest.raises(BackfillRoleDeniedError, match="hubBackfillRoleArn"):
        role.put_record_batch(DeliveryStreamName="s", Records=[])


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"BACKFILL_STREAM_ARNS": STREAMS[0]}, "one stream per destination"),
        ({"BACKFILL_STREAM_ARNS": ""}, "go together"),
        ({"BACKFILL_ROLE_ARN": "role/x"}, "not an IAM role ARN"),
        ({"BACKFILL_STREAM_ARNS": "arn:aws:s3:::b,x"}, "not a Firehose stream ARN"),
        ({"ARCHITECTURE_BUCKET": "Bad_Bucket"}, "not an S3 bucket name"),
    ],
)
def test_a_spokes_hub_settings_are_checked(changes: dict[str, str], needle: str) -> None:
    with pytest.raises(SettingsError, match=needle):
        Settings.from_env({**ENV, **SPOKE_ENV, **changes})


def test_a_standalone_stack_refuses_the_spoke_backfill_settings() -> None:
    with pytest.raises(SettingsError, match="for a spoke"):
        Settings.from_env({**ENV, "BACKFILL_ROLE_ARN": ROLE, "BACKFILL_STREAM_ARNS": STREAMS[0]})


def test_the_hub_streams_region_is_the_backfill_region() -> None:
    settings = Settings.from_env({**ENV, **SPOKE_ENV})
    assert settings.hub.backfill_region == HUB_REGION
    assert settings.hub.backfill_role_arn == ROLE
    assert [s.name for s in settings.hub.backfill_streams] == [
        "lambda-logs-hub-stream",
        "lambda-logs-hub-stream-2",
    ]

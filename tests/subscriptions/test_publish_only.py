"""The publish-only entry (`subscriptions.publish_only.handler`, account-policy mode's hourly
architecture publisher) end to end on moto: Lambda's ListFunctions, S3's map object. Written
once, not rewritten while unchanged (the transformer's ETag stays), written again on a change."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambda_shared.environment import architecture_map_key
from subscriptions.clients import Clients
from subscriptions.errors import SettingsError
from subscriptions.publish_only import handler, publish
from tests.subscriptions.conftest import ACCOUNT, BUCKET, NO_SLEEP, REGION, Aws, FakeContext
from transformer.architecture_map import parse_map

KEY = architecture_map_key(ACCOUNT, REGION)
PUBLISHER = FakeContext(
    invoked_function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:lambda-logs-architectures",
    function_name="lambda-logs-architectures",
)
ENV = {"ARCHITECTURE_BUCKET": BUCKET}


def function(aws: Aws, name: str, architecture: str) -> None:
    aws.lambda_.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=aws.role_arn,
        Handler="index.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},  # an empty zip
        Architectures=[architecture],
    )


def run(aws: Aws, emitted: list[str] | None = None) -> dict[str, Any]:
    sink = emitted if emitted is not None else []
    result = publish(ENV, PUBLISHER, aws.clients(), policy=NO_SLEEP, emit=sink.append)
    return dict(result)


def stored(aws: Aws) -> dict[str, str]:
    return parse_map(aws.s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())


def test_publishes_the_map_once_and_not_again_while_it_is_unchanged(aws: Aws) -> None:
    # GIVEN two functions, one on arm64
    function(aws, "checkout", "arm64")
    function(aws, "cart", "x86_64")
    # WHEN the scheduled publisher runs
    emitted: list[str] = []
    first = run(aws, emitted)
    # THEN the map names both with their architectures, written once
    assert first["published"] is True
    assert stored(aws) == {"checkout": "arm64", "cart": "x86_64"}
    assert aws.calls.count("ListFunctions") == 1 and aws.calls.count("PutObject") == 1
    assert json.loads(emitted[0])["action"] == "publish_architectures"
    etag = aws.s3.head_object(Bucket=BUCKET, Key=KEY)["ETag"]
    # WHEN it runs again an hour later with nothing changed
    second = run(aws)
    # THEN it listed again but did not rewrite the map: the transformer's ETag stays valid
    assert second["published"] is False
    assert aws.calls.count("ListFunctions") == 2 and aws.calls.count("PutObject") == 1
    assert aws.s3.head_object(Bucket=BUCKET, Key=KEY)["ETag"] == etag
    # WHEN a function is added
    function(aws, "graviton", "arm64")
    third = run(aws)
    # THEN the map is written again, with it
    assert third["published"] is True and aws.calls.count("PutObject") == 2
    assert stored(aws)["graviton"] == "arm64" and len(stored(aws)) == 3


def test_the_lambda_handler_reads_its_bucket_from_the_environment(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    function(aws, "checkout", "arm64")
    monkeypatch.setenv("ARCHITECTURE_BUCKET", BUCKET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    result = handler({"source": "aws.events"}, PUBLISHER)
    assert result["published"] is True and result["apiCalls"] == 3  # List, Get, Put
    assert stored(aws) == {"checkout": "arm64"}


def test_a_missing_bucket_is_a_settings_error_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match="ARCHITECTURE_BUCKET is not set"):
        publish({}, PUBLISHER, aws_clients_never_used())


def test_a_refused_write_is_an_error_line_not_a_failure(aws: Aws) -> None:
    function(aws, "checkout", "arm64")
    emitted: list[str] = []
    result = publish(
        {"ARCHITECTURE_BUCKET": "not-our-bucket"},
        PUBLISHER,
        aws.clients(),
        policy=NO_SLEEP,
        emit=emitted.append,
    )
    assert result["published"] is False
    errors = [json.loads(line) for line in emitted if "not published" in line]
    assert errors and errors[0]["level"] == "ERROR"


def aws_clients_never_used() -> Clients:
    def refuse(*_: Any) -> Any:
        raise AssertionError("no client before the settings are valid")

    return Clients(refuse)


@pytest.mark.parametrize(("percent", "per_second"), [(None, 6.0), ("100", 15.0)])
def test_the_walk_is_paced_at_the_share_of_lambdas_control_plane(
    percent: str | None, per_second: float
) -> None:
    """ListFunctions shares Lambda's "15 requests per second across all APIs", which "cannot be
    increased", with every deployment tool of the account: the hourly walk takes
    FILTER_API_QUOTA_PERCENT of it (40 % by default: 6 pages a second), as the subscriber's does
    (the fake account pages ListFunctions 50 at a time, as Lambda does; moto does not page)."""
    from tests.subscriptions.fake_account import Account

    account = Account(520)  # 11 pages
    clients = Clients({"lambda": account.lambda_, "s3": account.s3}.__getitem__)
    env = {"ARCHITECTURE_BUCKET": "lambda-logs-test-backup"}
    env.update({"FILTER_API_QUOTA_PERCENT": percent} if percent else {})
    result = publish(
        env, PUBLISHER, clients, policy=NO_SLEEP, emit=list[str]().append, clock=account.clock
    )
    pages = account.calls.counts["ListFunctions"]
    assert result["published"] is True and pages == 11
    assert account.clock.elapsed == pytest.approx((pages - 1) / per_second)  # the first at once


def test_a_walk_that_runs_out_of_time_says_how_far_it_got_and_what_to_do() -> None:
    from tests.subscriptions.fake_account import Account

    account = Account(520)  # 11 pages
    clients = Clients({"lambda": account.lambda_, "s3": account.s3}.__getitem__)

    class Short(FakeContext):
        def get_remaining_time_in_millis(self) -> int:  # the budget, on the virtual clock
            return int((92.0 - account.clock.elapsed) * 1000)  # a 90 s margin: ~2 s to walk

    short = Short(
        invoked_function_arn=PUBLISHER.invoked_function_arn, function_name="lambda-logs-archs"
    )
    emitted: list[str] = []
    env = {"ARCHITECTURE_BUCKET": "lambda-logs-test-backup", "FILTER_API_QUOTA_PERCENT": "10"}
    result = publish(env, short, clients, policy=NO_SLEEP, emit=emitted.append, clock=account.clock)
    assert result["published"] is False
    (warning,) = [json.loads(line) for line in emitted if '"WARN"' in line]
    pages = account.calls.counts["ListFunctions"]
    assert 1 <= pages < 11 and warning["pages"] == pages
    assert "ran out of time" in warning["message"]
    assert "Raise filterApiQuotaPercent" in warning["message"]

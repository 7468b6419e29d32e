"""GIVEN a rolled-out spoke's deploy-time invocation WHEN it runs (a dynamic provider, outside
the Pulumi provider) THEN it assumes the member account's deploy role with the deployer's
credentials and invokes there; without a role it acts as the deployer (infra/lambda_invocation.py,
infra/deployer.py)."""

from __future__ import annotations

import io
from typing import Any
from unittest import mock

from infra.lambda_invocation import boto3_invoke
from tests.infra.conftest import SPOKES


class _FakeLambda:
    class exceptions:  # botocore names it so
        TooManyRequestsException = type("TooManyRequestsException", (Exception,), {})
        ResourceNotFoundException = type("ResourceNotFoundException", (Exception,), {})

    def __init__(self, calls: list[tuple[str, Any]]) -> None:
        self.calls = calls

    def invoke(self, **request: Any) -> dict[str, Any]:
        self.calls.append(("lambda.invoke", request["FunctionName"]))
        return {"Payload": io.BytesIO(b'{"complete": true}')}


class _FakeSts:
    def __init__(self, calls: list[tuple[str, Any]]) -> None:
        self.calls = calls

    def assume_role(self, **request: Any) -> dict[str, Any]:
        self.calls.append(("sts.assume_role", request["RoleArn"]))
        return {
            "Credentials": {
                "AccessKeyId": "ASIAMEMBER",
                "SecretAccessKey": "member-secret",
                "SessionToken": "member-token",
            }
        }


def _fake_sessions(calls: list[tuple[str, Any]]) -> type:
    class FakeSession:
        def __init__(self, **given: Any) -> None:
            self.given = given
            calls.append(("session", given.get("aws_access_key_id") or given.get("profile_name")))

        def client(self, service: str, **options: Any) -> Any:
            calls.append(("client", (service, options["region_name"], self.given)))
            return _FakeSts(calls) if service == "sts" else _FakeLambda(calls)

    return FakeSession


PROPS = {
    "function_name": "lambda-logs-subscriber",
    "region": "us-east-1",
    "timeout_seconds": 60,
    "profile": "hub-admin",
    "delete_payload": "null",
}


def test_the_invocation_assumes_the_member_role() -> None:
    calls: list[tuple[str, Any]] = []
    role = f"arn:aws:iam::{SPOKES[0]}:role/OrganizationAccountAccessRole"
    with mock.patch("boto3.Session", _fake_sessions(calls)):
        result = boto3_invoke({**PROPS, "assume_role_arn": role}, {"action": "reconcile"})
    assert result == {"complete": True}
    assert ("sts.assume_role", role) in calls
    (lambda_client,) = [c for c in calls if c[0] == "client" and c[1][0] == "lambda"]
    _, (_, region, given) = lambda_client
    assert region == "us-east-1"
    assert given == {
        "aws_access_key_id": "ASIAMEMBER",
        "aws_secret_access_key": "member-secret",
        "aws_session_token": "member-token",
    }
    assert calls[0] == ("session", "hub-admin")  # the deployer's profile assumes the role
    assert calls[-1] == ("lambda.invoke", "lambda-logs-subscriber")


def test_without_a_role_the_invocation_uses_the_deployer() -> None:
    calls: list[tuple[str, Any]] = []
    with mock.patch("boto3.Session", _fake_sessions(calls)):
        boto3_invoke(dict(PROPS), {"action": "reconcile"})
    assert not [c for c in calls if c[0] == "sts.assume_role"]
    (lambda_client,) = [c for c in calls if c[0] == "client"]
    assert lambda_client[1][2] == {"profile_name": "hub-admin"}

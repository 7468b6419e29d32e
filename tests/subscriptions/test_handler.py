"""The Lambda entry point itself: environment in, result out, nothing at import time."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from subscriptions import handler as handler_module
from subscriptions.clients import Clients
from subscriptions.errors import SettingsError, UnsupportedEventError
from tests.subscriptions.conftest import FILTER, REGION, Aws

ROOT = Path(__file__).resolve().parents[2]


def test_the_handler_reads_its_environment_and_reconciles(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the environment contract and one unsubscribed group with an event
    for name, value in aws.env.items():
        monkeypatch.setenv(name, value)
    aws.group("/aws/lambda/orders", "hello")

    # WHEN Lambda calls the handler
    result = handler_module.handler({"action": "reconcile"}, None)

    # THEN the group is subscribed, backfilled, and the result says so
    assert result["complete"] is True
    assert result["outcomes"] == {"created": 1}
    assert result["continuation"] is None
    assert FILTER in aws.filters("/aws/lambda/orders")
    assert aws.delivered_messages() == ["hello"]


def test_an_unsupported_event_fails_before_any_client_exists(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a valid environment, and client creation that would be noticed
    for name, value in aws.env.items():
        monkeypatch.setenv(name, value)
    aws.group("/aws/lambda/orders")
    created: list[str] = []
    monkeypatch.setattr(handler_module, "Clients", lambda: created.append("clients"))

    # WHEN the handler gets an event it does not know
    with pytest.raises(UnsupportedEventError, match="accepted events"):
        handler_module.handler({"Records": [{"eventSource": "aws:sqs"}]}, None)

    # THEN no client was created and nothing changed
    assert created == []
    assert aws.filters("/aws/lambda/orders") == {}


def test_a_missing_variable_fails_before_anything_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN no DESTINATION_ARN
    monkeypatch.delenv("DESTINATION_ARN", raising=False)

    # WHEN / THEN the handler raises, naming it
    with pytest.raises(SettingsError, match="DESTINATION_ARN is not set"):
        handler_module.handler({"action": "reconcile"}, None)


def test_importing_the_handler_has_no_side_effects() -> None:
    # GIVEN a bare interpreter without any AWS configuration
    code = (
        "import sys, subscriptions.handler; "
        "assert 'boto3' not in sys.modules, 'boto3 imported at import time'"
    )

    # WHEN the handler module is imported, THEN it neither fails nor loads boto3
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={"PATH": ""}, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr


def test_clients_are_created_only_when_a_call_needs_them(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a valid environment and a client factory that records what it creates
    for name, value in aws.env.items():
        monkeypatch.setenv(name, value)
    created: list[str] = []

    def factory(service: str) -> object:
        created.append(service)
        return boto3.client(service, region_name=REGION)

    monkeypatch.setattr(handler_module, "Clients", lambda: Clients(factory))
    failed: dict[str, Any] = {
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.logs",
        "detail": {
            "eventSource": "logs.amazonaws.com",
            "eventName": "CreateLogGroup",
            "errorCode": "AccessDenied",
            "requestParameters": {"logGroupName": "/aws/lambda/x"},
        },
    }

    # WHEN an event needing no call arrives, THEN no client is created
    handler_module.handler(failed, None)
    assert created == []

    # WHEN a log group event arrives, THEN only the logs client is created
    aws.group("/aws/lambda/empty")
    succeeded = copy.deepcopy(failed)
    del succeeded["detail"]["errorCode"]
    succeeded["detail"]["requestParameters"] = {"logGroupName": "/aws/lambda/empty"}
    handler_module.handler(succeeded, None)
    assert created == ["logs"]

"""A Lambda runtime whose botocore predates `emitSystemFields` refuses the parameter before
any call: the filter is still put, without it (subscriptions/logs_api.py `_put`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ParamValidationError

from lambda_shared.backoff import RetryPolicy
from subscriptions.logs_api import LogsApi
from subscriptions.retry import RetryStats


@dataclass
class OldLogsClient:
    puts: list[dict[str, Any]] = field(default_factory=list)

    def put_subscription_filter(self, **params: Any) -> dict[str, Any]:
        if "bad" in params:
            raise ParamValidationError(report='Unknown parameter in input: "bad"')
        if "emitSystemFields" in params:
            raise ParamValidationError(report='Unknown parameter in input: "emitSystemFields"')
        self.puts.append(params)
        return {}


def _api(client: Any) -> LogsApi:
    return LogsApi(client, RetryPolicy(max_attempts=1), RetryStats())


def test_an_old_botocore_still_puts_the_filter_without_the_system_fields() -> None:
    client = OldLogsClient()
    params = {
        "logGroupName": "/aws/lambda/a",
        "filterName": "lambda-logs",
        "filterPattern": "",
        "destinationArn": "arn:aws:logs:eu-west-1:111122223333:destination:hub-dest",
        "emitSystemFields": ["@aws.account", "@aws.region"],
    }
    _api(client)._put(params)
    assert client.puts == [{k: v for k, v in params.items() if k != "emitSystemFields"}]


def test_any_other_validation_error_is_raised() -> None:
    client = OldLogsClient()
    with pytest.raises(ParamValidationError):
        _api(client)._put({"logGroupName": "/aws/lambda/a", "bad": 1})
    assert client.puts == []

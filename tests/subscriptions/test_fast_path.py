"""The EventBridge fast paths: a new log group, a new or reconfigured function."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.subscriptions.conftest import FILTER, PIPELINE_GROUPS, Aws
from tests.subscriptions.helpers import with_logging_config

EVENTS = Path(__file__).parent / "events"


def _event(name: str, **request_parameters: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    event["detail"]["requestParameters"].update(request_parameters)
    return event


def test_the_scheduled_event_reconciles_everything(aws: Aws) -> None:
    # GIVEN two unsubscribed groups
    aws.group("/aws/lambda/a")
    aws.group("/aws/lambda/b")

    # WHEN the scheduled event arrives
    result = aws.run(json.loads((EVENTS / "scheduled.json").read_text()))

    # THEN both are subscribed
    assert result["outcomes"] == {"created": 2}
    assert result["note"] == "scheduled"


def test_create_log_group_subscribes_and_backfills_only_that_group(aws: Aws) -> None:
    # GIVEN a function's new log group that already holds its first lines, and another group
    aws.group("/aws/lambda/new-function", "INIT_START Runtime Version: python:3.12", "START")
    aws.group("/aws/lambda/untouched")

    # WHEN CloudTrail's CreateLogGroup arrives through EventBridge
    result = aws.run(_event("create_log_group"))

    # THEN that group is subscribed and its first lines sent; no other group is looked at
    assert result["outcomes"] == {"created": 1}
    assert FILTER in aws.filters("/aws/lambda/new-function")
    assert aws.filters("/aws/lambda/untouched") == {}
    assert sorted(aws.delivered_messages()) == ["INIT_START Runtime Version: python:3.12", "START"]


def test_create_log_group_of_an_unrelated_group_changes_nothing(aws: Aws) -> None:
    # GIVEN a non-Lambda group that no function logs to
    aws.group("/ecs/web")
    aws.function("orders")

    # WHEN its CreateLogGroup event arrives
    result = aws.run(_event("create_log_group", logGroupName="/ecs/web"))

    # THEN it is not selected, and nothing was written
    assert result["outcomes"] == {"not_selected": 1}
    assert aws.calls.writes() == []


def test_create_log_group_of_a_functions_custom_group_subscribes_it(aws: Aws) -> None:
    # GIVEN a function that logs to a custom group (LoggingConfig stubbed on ListFunctions)
    aws.function("orders")
    aws.group("/app/orders")
    aws.hooks.append(
        ("after-call.lambda.ListFunctions", with_logging_config({"orders": "/app/orders"}))
    )

    # WHEN the custom group's CreateLogGroup event arrives
    result = aws.run(_event("create_log_group", logGroupName="/app/orders"))

    # THEN it is subscribed
    assert result["outcomes"] == {"created": 1}
    assert FILTER in aws.filters("/app/orders")


def test_create_log_group_of_the_pipelines_own_group_is_refused(aws: Aws) -> None:
    # GIVEN the transformer's own log group is created
    aws.group(PIPELINE_GROUPS[0])

    # WHEN its CreateLogGroup event arrives
    result = aws.run(_event("create_log_group", logGroupName=PIPELINE_GROUPS[0]))

    # THEN it stays unsubscribed (no loop)
    assert result["outcomes"] == {"excluded_pipeline": 1}
    assert aws.filters(PIPELINE_GROUPS[0]) == {}
    assert aws.calls.writes() == []


def test_a_failed_create_log_group_call_is_ignored(aws: Aws) -> None:
    # GIVEN a CloudTrail record of a CreateLogGroup call that failed
    event = _event("create_log_group")
    event["detail"]["errorCode"] = "ResourceAlreadyExistsException"

    # WHEN it arrives
    result = aws.run(event)

    # THEN nothing is called at all
    assert result["outcomes"] == {}
    assert "ResourceAlreadyExistsException" in result["note"]
    assert aws.calls.operations == []


def test_create_function_subscribes_the_group_its_logging_config_names(aws: Aws) -> None:
    # GIVEN a new function logging to a custom group that already exists
    aws.function("orders")
    aws.group("/app/orders", "first order")
    aws.hooks.append(
        (
            "after-call.lambda.GetFunctionConfiguration",
            with_logging_config({"orders": "/app/orders"}),
        )
    )

    # WHEN its CreateFunction event arrives
    result = aws.run(_event("create_function"))

    # THEN the custom group is subscribed and backfilled
    assert result["outcomes"] == {"created": 1}
    assert aws.delivered_messages() == ["first order"]


def test_create_function_before_its_group_exists_waits_for_the_group(aws: Aws) -> None:
    # GIVEN a new function whose default group does not exist yet
    aws.function("orders")

    # WHEN its CreateFunction event arrives
    result = aws.run(_event("create_function"))

    # THEN it reports the group absent and writes nothing
    assert result["outcomes"] == {"absent": 1}
    assert aws.calls.writes() == []


def test_update_function_configuration_follows_a_new_custom_group(aws: Aws) -> None:
    # GIVEN a subscribed function that is moved to another custom group
    aws.function("orders")
    aws.group("/aws/lambda/orders")
    aws.group("/app/orders-v2")
    aws.run({"action": "reconcile"})
    aws.hooks.append(
        (
            "after-call.lambda.GetFunctionConfiguration",
            with_logging_config({"orders": "/app/orders-v2"}),
        )
    )

    # WHEN its UpdateFunctionConfiguration event arrives
    event = _event("update_function_configuration")
    result = aws.run(event)

    # THEN the new group is subscribed
    assert result["outcomes"] == {"created": 1}
    assert FILTER in aws.filters("/app/orders-v2")

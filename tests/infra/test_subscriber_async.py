"""GIVEN the default stack WHEN the program runs under mocks THEN the subscriber runs one
invocation at a time (so the pacing's share holds across invocations), and what arrives while
it runs waits in Lambda's asynchronous queue for up to 6 hours instead of being dropped."""

from __future__ import annotations

from infra.subscriber import (
    ASYNC_MAX_EVENT_AGE_SECONDS,
    ASYNC_RETRY_ATTEMPTS,
    TARGET_MAX_EVENT_AGE_SECONDS,
    TARGET_RETRY_ATTEMPTS,
)
from tests.infra.harness import ProgramRun

FUNCTION = "aws:lambda/function:Function"
ASYNC_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
SUBSCRIBER = "lambda-logs-subscriber"


def test_one_invocation_at_a_time(default_run: ProgramRun) -> None:
    assert default_run.one(FUNCTION, SUBSCRIBER).inputs["reservedConcurrentExecutions"] == 1


def test_events_queue_for_six_hours_and_a_failed_run_is_retried(default_run: ProgramRun) -> None:
    (config,) = default_run.of_type(ASYNC_CONFIG)
    assert config.inputs["functionName"] == default_run.one(FUNCTION, SUBSCRIBER).inputs["name"]
    assert config.inputs["maximumEventAgeInSeconds"] == ASYNC_MAX_EVENT_AGE_SECONDS == 21_600
    assert config.inputs["maximumRetryAttempts"] == ASYNC_RETRY_ATTEMPTS == 2


def test_every_rule_retries_its_hand_over_for_a_day(default_run: ProgramRun) -> None:
    targets = default_run.of_type(TARGET)
    assert sorted(t.name for t in targets) == [
        f"{SUBSCRIBER}-functions",
        f"{SUBSCRIBER}-log-groups",
        f"{SUBSCRIBER}-schedule",
    ]
    for target in targets:
        assert target.inputs["retryPolicy"] == {
            "maximumEventAgeInSeconds": TARGET_MAX_EVENT_AGE_SECONDS,
            "maximumRetryAttempts": TARGET_RETRY_ATTEMPTS,
        }, target.name
    assert (TARGET_MAX_EVENT_AGE_SECONDS, TARGET_RETRY_ATTEMPTS) == (86_400, 185)

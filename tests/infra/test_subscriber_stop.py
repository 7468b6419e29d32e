"""The destroy step's stop of the subscriber (infra/subscriber_stop.py), against a fake Lambda
control plane that keeps a revision and an update status as Lambda does (moto has neither
RevisionId checks nor LastUpdateStatus transitions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from infra.lambda_invocation import InvocationError, LambdaInvocationProvider
from infra.subscriber_stop import (
    STOP_MARGIN_SECONDS,
    STOP_VALUE_RESERVE,
    stop_subscriber,
    stop_warning,
)
from tests.infra.test_lambda_invocation import PROPS
from tests.infra.test_scale_down_invocation import ARNS, THREE, TWO
from tests.subscriptions.fake_account import Account

FUNCTION = "lambda-logs-subscriber"
NOW = 1_800_000_000.0


def _error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "UpdateFunctionConfiguration")


class _Lambda:
    def __init__(self, variables: dict[str, str], *, in_progress: int = 1) -> None:
        self.variables = dict(variables)
        self.revision = 1
        self.in_progress = 0
        self.updating_polls = in_progress
        self.calls: list[str] = []
        self.raced = 0  # writes another change wins before ours
        self.refuse: str | None = None
        self.environment_error: dict[str, str] | None = None

    def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:
        assert FunctionName == FUNCTION
        self.calls.append("get")
        status = "InProgress" if self.in_progress else "Successful"
        self.in_progress = max(0, self.in_progress - 1)
        environment: dict[str, Any] = {"Variables": dict(self.variables)}
        if self.environment_error:
            environment = {"Error": self.environment_error}
        return {
            "Environment": environment,
            "RevisionId": str(self.revision),
            "LastUpdateStatus": status,
        }

    def update_function_configuration(
        self, FunctionName: str, Environment: dict[str, Any], RevisionId: str
    ) -> None:
        self.calls.append("update")
        if self.refuse:
            raise _error(self.refuse)
        if self.raced:
            self.raced -= 1
            self.revision += 1
            self.variables["CHANGED_BY_ANOTHER"] = "1"
            raise _error("PreconditionFailedException")
        assert RevisionId == str(self.revision)
        self.variables = dict(Environment["Variables"])
        self.revision += 1
        self.in_progress = self.updating_polls


def _stop(client: _Lambda) -> tuple[str | None, list[float]]:
    waits: list[float] = []
    why = stop_subscriber(client, FUNCTION, 6 * 3600, now=lambda: NOW, sleep=waits.append)
    return why, waits


def test_the_stop_is_added_to_the_environment_and_waited_for() -> None:
    client = _Lambda({"DESTINATION_ARN": "arn:x", "FILTER_NAME": "lambda-logs"}, in_progress=2)
    why, waits = _stop(client)
    assert why is None
    until = int(NOW + 6 * 3600 + STOP_MARGIN_SECONDS)
    assert client.variables == {
        "DESTINATION_ARN": "arn:x",
        "FILTER_NAME": "lambda-logs",
        "SUBSCRIBER_STOPPED_UNTIL": str(until),
    }
    # read, write, then polled until Successful (two polls InProgress, one sleep each)
    assert client.calls == ["get", "update", "get", "get", "get"] and len(waits) == 2


def test_a_concurrent_change_is_kept_and_the_write_retried() -> None:
    client = _Lambda({"A": "1"}, in_progress=0)
    client.raced = 2
    why, waits = _stop(client)
    assert why is None and len(waits) == 2
    assert client.variables["CHANGED_BY_ANOTHER"] == "1"  # the other change is not lost
    assert "SUBSCRIBER_STOPPED_UNTIL" in client.variables


def test_what_cannot_be_stopped_is_said_not_raised() -> None:
    refused = _Lambda({"A": "1"})
    refused.refuse = "AccessDeniedException"
    why, _ = _stop(refused)
    assert why is not None and why.startswith("AccessDeniedException")
    undecryptable = _Lambda({})
    undecryptable.environment_error = {"ErrorCode": "KMSAccessDeniedException"}
    why, _ = _stop(undecryptable)
    assert why is not None and "cannot be read" in why
    assert "update" not in undecryptable.calls  # never writes an environment it cannot read
    warning = stop_warning(FUNCTION, "AccessDeniedException: no")
    assert FUNCTION in warning and "describe-subscription-filters" in warning


def test_a_gone_function_needs_no_stop() -> None:
    gone = _Lambda({})
    gone.refuse = "ResourceNotFoundException"
    assert _stop(gone)[0] is None


def test_an_update_that_never_finishes_is_said() -> None:
    client = _Lambda({"A": "1"}, in_progress=10_000)
    why, waits = _stop(client)
    assert why is not None and "not done after" in why
    assert 90 <= len(waits) <= 110  # polled for about five minutes, then given up


def test_the_reserve_is_as_long_as_any_stop() -> None:
    ((name, value),) = STOP_VALUE_RESERVE.items()
    assert name == "SUBSCRIBER_STOPPED_UNTIL"
    assert len(value) >= len(str(int(NOW * 100)))  # well past any real Unix time


def test_a_reconcile_queued_before_the_destroy_puts_no_filter_back() -> None:
    """GIVEN a reconcile chain whose continuation waits in Lambda's queue WHEN the destroy stops
    the function, removes every filter, and the queued run gets the slot before the function is
    deleted THEN no filter of the stack is left (it would point at the deleted stream)."""
    account = Account(400, timeout_s=60)
    assert account.run({"action": "reconcile"})["complete"] is False
    queued = account.lambda_.invoked.pop(0)

    def invoke(_props: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
        return dict(account.run(dict(payload)))

    def stop(_props: Mapping[str, Any]) -> None:
        account.env["SUBSCRIBER_STOPPED_UNTIL"] = str(account.now_ms() // 1000 + 6 * 3600)

    provider = LambdaInvocationProvider(invoke, clock=lambda: account.clock.elapsed, stop=stop)
    provider.delete("id", dict(PROPS))
    assert account.ours() == 0
    account.run(queued)
    assert account.ours() == 0 and account.lambda_.invoked == []


def test_only_a_remove_is_preceded_by_a_stop() -> None:
    stopped: list[Mapping[str, Any]] = []
    provider = LambdaInvocationProvider(lambda _p, _q: {"complete": True}, stop=stopped.append)
    provider.delete("id", {**PROPS, "delete_payload": "null"})  # the content applier's
    provider.delete("id", {**PROPS, "delete_payload": '{"action": "other"}'})
    assert stopped == []


def test_delete_removes_every_filter_of_12000_groups_through_the_real_subscriber() -> None:
    # GIVEN 12,000 subscribed groups and a subscriber with a 900 s timeout
    account = Account(12_000, timeout_s=900)
    account.run_chain({"action": "reconcile"})

    def invoke(_props: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
        return dict(account.run(dict(payload)))

    def stop(_props: Mapping[str, Any]) -> None:  # what infra/subscriber_stop.py writes
        account.env["SUBSCRIBER_STOPPED_UNTIL"] = str(account.now_ms() // 1000 + 6 * 3600)

    # WHEN the deploy-time invocation is deleted (pulumi destroy)
    clock = lambda: account.clock.elapsed  # noqa: E731
    LambdaInvocationProvider(invoke, clock=clock, stop=stop).delete("id", dict(PROPS))

    # THEN no filter is left, and the subscriber never continued itself behind Pulumi's back
    assert account.ours() == 0
    assert account.lambda_.invoked == []


def test_a_connection_error_while_waiting_is_a_warning_too() -> None:
    class DropsWhilePolling(_Lambda):
        def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:
            if "update" in self.calls:
                raise EndpointConnectionError(endpoint_url="https://lambda.eu-west-1.amazonaws.com")
            return super().get_function_configuration(FunctionName)

    client = DropsWhilePolling({"FILTER_NAME": "lambda-logs-pipeline"})
    why = stop_subscriber(client, FUNCTION, 3600, now=lambda: NOW, sleep=lambda _s: None)
    assert why is not None and "EndpointConnectionError" in why


def test_a_subscriber_left_stopped_fails_a_re_point_and_a_reconcile_loudly() -> None:
    """GIVEN a destroy that failed after stopping the subscriber (the stop is outside Pulumi's
    state: a `pulumi up` without --refresh keeps it) WHEN an update lowers the stream count, or
    re-runs the reconcile THEN it fails saying to refresh, instead of taking a run that changed
    nothing for done (Pulumi would delete the third stream under its filters)."""
    account = Account(300, timeout_s=120, DESTINATION_ARN=",".join(ARNS))
    account.run_chain({"action": "reconcile"})
    account.env["SUBSCRIBER_STOPPED_UNTIL"] = str(account.now_ms() // 1000 + 6 * 3600)

    def invoke(_props: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
        return dict(account.run(dict(payload)))

    account.env["DESTINATION_ARN"] = ",".join(ARNS[:2])
    provider = LambdaInvocationProvider(invoke, clock=lambda: account.clock.elapsed)
    with pytest.raises(InvocationError, match=r"pulumi up --refresh"):
        provider.update("id", dict(THREE), dict(TWO))
    with pytest.raises(InvocationError, match=r"stopped by an earlier `pulumi destroy`"):
        provider.update("id", dict(TWO), {**TWO, "triggers": "v3"})
    assert account.run({"action": "reconcile"})["stopReason"] == "stopped"

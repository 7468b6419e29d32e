"""The destroy step's stop of the subscriber (infra/subscriber_stop.py), against a fake Lambda
control plane that keeps a revision and an update status as Lambda does (moto has neither
RevisionId checks nor LastUpdateStatus transitions)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from infra.subscriber_stop import (
    STOP_MARGIN_SECONDS,
    STOP_VALUE_RESERVE,
    stop_subscriber,
    stop_warning,
)

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

"""The deploy-time invocation provider: reconcile on create/update, remove on delete."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.lambda_invocation import (
    NOT_READY_WAIT_SECONDS,
    STALLED_ROUNDS,
    STALLED_WAIT_SECONDS,
    InvocationError,
    LambdaInvocationProvider,
    boto3_invoke,
)

PROPS: dict[str, Any] = {
    "function_name": "lambda-logs-test-subscriber",
    "region": "eu-west-1",
    "timeout_seconds": 300,
    "create_payload": json.dumps({"action": "reconcile"}),
    "delete_payload": json.dumps({"action": "remove"}),
    "triggers": "v1",
    "profile": "",
}


class Recorder:
    def __init__(self, response: Mapping[str, Any] | None = None) -> None:
        self.payloads: list[Mapping[str, Any]] = []
        self.response = response or {"subscribed": 3}

    def __call__(self, props: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
        assert props["function_name"] == "lambda-logs-test-subscriber"
        self.payloads.append(payload)
        return self.response


def test_create_runs_the_reconcile() -> None:
    invoke = Recorder()
    result = LambdaInvocationProvider(invoke).create(dict(PROPS))
    assert invoke.payloads == [{"action": "reconcile"}]
    assert result.id == "lambda-logs-test-subscriber"
    assert result.outs is not None
    assert json.loads(result.outs["result"]) == {"subscribed": 3}


def test_delete_runs_the_remove_action_synchronously() -> None:
    # an answer without `complete` (not a subscriber run) ends the loop
    invoke, stopped = Recorder(), list[Mapping[str, Any]]()
    LambdaInvocationProvider(invoke, stop=stopped.append).delete("id", dict(PROPS))
    assert invoke.payloads == [{"action": "remove", "selfInvoke": False}]
    assert stopped == [PROPS]  # stopped first (infra/subscriber_stop.py)


def _token(done: int, generation: int) -> dict[str, Any]:
    return {"version": 1, "after": f"/aws/lambda/fn-{done:05d}", "generation": generation}


class Chain:
    """A subscriber that needs `rounds` invocations; each answers where it stopped (`token`:
    the continuation of `done` groups, its hop count added), the last one `outcome`."""

    def __init__(
        self,
        rounds: int,
        *,
        stuck: bool = False,
        outcome: str = "deleted",
        token: Callable[[int], dict[str, Any]] | None = None,
    ) -> None:
        self.rounds, self.stuck, self.outcome = rounds, stuck, outcome
        self.token = token or (lambda done: _token(done, 0))
        self.payloads: list[Mapping[str, Any]] = []

    def __call__(self, _props: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
        self.payloads.append(payload)
        n = len(self.payloads)
        if n >= self.rounds:
            return {"complete": True, "continuation": None, "outcomes": {self.outcome: 1}}
        token = {**self.token(0 if self.stuck else n), "generation": n}
        return {"complete": False, "stopReason": "time_budget", "continuation": token}


def test_delete_loops_over_the_continuations_until_complete() -> None:
    # GIVEN a remove that needs four invocations
    chain = Chain(4)
    sleeps: list[float] = []

    # WHEN the resource is deleted
    provider = LambdaInvocationProvider(
        chain, clock=lambda: 0.0, sleep=sleeps.append, stop=lambda _: None
    )
    provider.delete("id", dict(PROPS))

    # THEN each invocation passed back the previous answer's continuation, without waiting
    assert chain.payloads == [
        {"action": "remove", "selfInvoke": False},
        *(
            {"action": "remove", "selfInvoke": False, "continuation": _token(n, n)}
            for n in (1, 2, 3)
        ),
    ]
    assert sleeps == []


def test_delete_past_its_time_limit_fails_the_destroy_with_the_command_to_finish() -> None:
    # GIVEN a remove that would need 10 invocations of an hour each, and a 2-hour limit
    chain = Chain(10)
    now = {"t": 0.0}

    def clock() -> float:
        now["t"] += 3600.0
        return now["t"]

    provider = LambdaInvocationProvider(
        chain, clock=clock, sleep=lambda _s: None, stop=lambda _: None
    )

    # WHEN / THEN the delete fails, naming the limit and the command that resumes the remove
    with pytest.raises(InvocationError) as raised:
        provider.delete("id", {**PROPS, "delete_time_limit_seconds": 7200})
    message = str(raised.value)
    assert "the 2 h limit was reached" in message
    assert (
        "aws lambda invoke --region eu-west-1 --function-name lambda-logs-test-subscriber"
        in message
    )
    resume = json.loads(message.split("--payload '")[1].split("'")[0])
    assert resume == {"action": "remove", "selfInvoke": False, "continuation": _token(2, 2)}
    assert "pulumi destroy" in message
    assert len(chain.payloads) == 2


def test_delete_that_stops_advancing_fails_loudly() -> None:
    # GIVEN a subscriber that answers the same position every time (throttled from its start)
    chain = Chain(1_000, stuck=True)
    sleeps: list[float] = []
    provider = LambdaInvocationProvider(
        chain, clock=lambda: 0.0, sleep=sleeps.append, stop=lambda _: None
    )

    # WHEN / THEN the delete waits a few times, then fails saying there is no progress
    with pytest.raises(InvocationError, match="no progress"):
        provider.delete("id", dict(PROPS))
    assert len(chain.payloads) == STALLED_ROUNDS + 1
    assert sleeps == [STALLED_WAIT_SECONDS] * (STALLED_ROUNDS - 1)


def test_update_reconciles_again() -> None:
    invoke = Recorder()
    LambdaInvocationProvider(invoke).update("id", dict(PROPS), {**PROPS, "triggers": "v2"})
    assert invoke.payloads == [{"action": "reconcile"}]


CHAIN = [{"role_arn": "arn:aws:iam::111122223333:role/ci", "session_name": "ci"}]


@pytest.mark.parametrize(
    "credentials",
    [
        {"deployer_roles": CHAIN},
        {"profile": "ops"},
        {"assume_role_arn": "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole"},
        {"delete_payload": json.dumps({"action": "remove", "selfInvoke": False})},  # destroy's
    ],
)
def test_a_change_of_who_invokes_alone_is_kept_without_invoking(
    credentials: dict[str, Any],
) -> None:
    # an upgrade that adds aws:assumeRoles' chain, or a new profile, runs no reconcile again
    invoke = Recorder()
    provider = LambdaInvocationProvider(invoke)
    olds = {**PROPS, "result": '{"subscribed": 3}', "__provider": "old code"}
    news = {**PROPS, **credentials, "__provider": "new code"}
    assert provider.diff("id", olds, news).changes  # so that the delete step uses them
    outs = provider.update("id", olds, news).outs
    assert invoke.payloads == []
    assert outs == {**news, "result": '{"subscribed": 3}'}
    provider.update("id", olds, {**news, "delete_time_limit_seconds": 60})  # unwatched: no
    assert invoke.payloads == []
    provider.update("id", olds, {**news, "triggers": "v2"})  # with a real change it does
    assert invoke.payloads == [{"action": "reconcile"}]


def test_diff_only_on_watched_changes() -> None:
    provider = LambdaInvocationProvider(Recorder())
    assert not provider.diff("id", dict(PROPS), {**PROPS, "result": "x"}).changes
    changed = provider.diff("id", dict(PROPS), {**PROPS, "triggers": "v2"})
    assert changed.changes
    assert changed.replaces == []
    renamed = provider.diff("id", dict(PROPS), {**PROPS, "function_name": "other"})
    assert renamed.replaces == ["function_name"]


class _Payload:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(self) -> bytes:
        return self.body


class _FakeLambda:
    class exceptions:
        class ResourceNotFoundException(Exception):
            pass

        class TooManyRequestsException(Exception):
            pass

    def __init__(
        self,
        response: dict[str, Any] | None,
        missing: bool = False,
        busy: int = 0,
        inactive: int = 0,
    ) -> None:
        self.response = response
        self.missing = missing
        self.busy = busy
        self.inactive = inactive
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if self.inactive:
            self.inactive -= 1
            error = {"Code": "ResourceNotReadyException", "Message": "The function is inactive"}
            raise ClientError({"Error": error}, "Invoke")
        if self.busy:
            self.busy -= 1
            raise self.exceptions.TooManyRequestsException("Rate Exceeded")
        if self.missing:
            raise self.exceptions.ResourceNotFoundException("gone")
        assert self.response is not None
        return self.response


class _FakeSession:
    def __init__(self, client: _FakeLambda) -> None:
        self._client = client

    def client(self, service: str, **kwargs: Any) -> _FakeLambda:
        assert service == "lambda"
        assert kwargs["region_name"] == "eu-west-1"
        return self._client


def _patch_boto3(monkeypatch: pytest.MonkeyPatch, client: _FakeLambda) -> None:
    import boto3

    monkeypatch.setattr(boto3, "Session", lambda profile_name=None: _FakeSession(client))


def test_boto3_invoke_sends_the_payload_synchronously(monkeypatch: pytest.MonkeyPatch) -> None:
    client = _FakeLambda({"StatusCode": 200, "Payload": _Payload(b'{"ok": true}')})
    _patch_boto3(monkeypatch, client)
    assert boto3_invoke(PROPS, {"action": "reconcile"}) == {"ok": True}
    (call,) = client.calls
    assert call["InvocationType"] == "RequestResponse"
    assert json.loads(call["Payload"]) == {"action": "reconcile"}


def test_function_error_fails_the_deployment(monkeypatch: pytest.MonkeyPatch) -> None:
    body = b'{"errorMessage": "boom"}'
    client = _FakeLambda({"FunctionError": "Unhandled", "Payload": _Payload(body)})
    _patch_boto3(monkeypatch, client)
    with pytest.raises(InvocationError, match="boom"):
        boto3_invoke(PROPS, {"action": "reconcile"})


def test_a_busy_subscriber_is_waited_for_then_invoked() -> None:
    # GIVEN a subscriber whose single concurrency slot is taken for three attempts
    client = _FakeLambda({"StatusCode": 200, "Payload": _Payload(b'{"ok": 1}')}, busy=3)
    sleeps: list[float] = []
    # WHEN the deploy-time invocation runs
    result = boto3_invoke(PROPS, {"action": "reconcile"}, client=client, sleep=sleeps.append)
    # THEN it waited between attempts and got the answer
    assert result == {"ok": 1}
    assert len(client.calls) == 4 and sleeps == [5.0, 5.0, 5.0]


def test_credentials_that_expire_during_the_wait_are_renewed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a busy subscriber, and the first client's credentials expiring while waiting
    class Expiring(_FakeLambda):
        def invoke(self, **kwargs: Any) -> dict[str, Any]:
            if not self.busy:
                self.calls.append(kwargs)
                error = {"Code": "ExpiredTokenException", "Message": "The security token expired"}
                raise ClientError({"Error": error}, "Invoke")
            return super().invoke(**kwargs)

    first = Expiring(None, busy=2)
    second = _FakeLambda({"StatusCode": 200, "Payload": _Payload(b'{"ok": 2}')})
    made = iter([first, second])
    import boto3

    monkeypatch.setattr(boto3, "Session", lambda profile_name=None: _FakeSession(next(made)))
    # WHEN it invokes THEN a new client (the roles assumed again) makes the call
    assert boto3_invoke(PROPS, {"action": "reconcile"}, sleep=lambda _s: None) == {"ok": 2}
    assert len(first.calls) == 3 and len(second.calls) == 1


def test_expired_credentials_that_renewing_does_not_cure_fail() -> None:
    class Expired(_FakeLambda):
        def invoke(self, **kwargs: Any) -> dict[str, Any]:
            self.calls.append(kwargs)
            error = {"Code": "ExpiredTokenException", "Message": "The security token expired"}
            raise ClientError({"Error": error}, "Invoke")

    client = Expired(None)  # given by the caller: nothing to renew it with
    with pytest.raises(ClientError):
        boto3_invoke(PROPS, {"action": "reconcile"}, client=client, sleep=lambda _s: None)
    assert len(client.calls) == 1


def test_a_subscriber_busy_beyond_its_timeout_fails_with_what_to_do() -> None:
    client = _FakeLambda(None, busy=10_000)
    with pytest.raises(InvocationError, match="run `pulumi up` again"):
        boto3_invoke(PROPS, {"action": "reconcile"}, client=client, sleep=lambda _s: None)
    assert len(client.calls) == (300 + 60) // 5 + 2


def test_remove_tolerates_an_already_deleted_function(monkeypatch: pytest.MonkeyPatch) -> None:
    client = _FakeLambda(None, missing=True)
    _patch_boto3(monkeypatch, client)
    assert boto3_invoke(PROPS, {"action": "remove"}) == {"skipped": "function not found"}
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        boto3_invoke(PROPS, {"action": "reconcile"})


def test_provider_survives_the_trip_to_the_provider_process() -> None:
    """Pulumi pickles the provider (dill) and loads it in `python -m pulumi.dynamic`, started in
    the project directory: it must load there and keep its behaviour."""
    import subprocess
    import sys
    from pathlib import Path

    from pulumi.dynamic.dynamic import serialize_provider

    root = Path(__file__).resolve().parents[2]
    script = (
        "import base64, sys, dill\n"
        "p = dill.loads(base64.b64decode(sys.stdin.read()))\n"
        "print(type(p).__module__, type(p).__name__, p._invoke)\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script],
        input=serialize_provider(LambdaInvocationProvider()),
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
    )
    assert loaded.stdout.split() == ["infra.lambda_invocation", "LambdaInvocationProvider", "None"]


def test_an_inactive_function_is_waited_for_until_lambda_recreates_it() -> None:
    # GIVEN a VPC function idle for weeks: Lambda answers ResourceNotReadyException until its
    # network interfaces are recreated
    client = _FakeLambda({"StatusCode": 200, "Payload": _Payload(b'{"ok": 1}')}, inactive=4)
    sleeps: list[float] = []
    # WHEN the deploy-time invocation runs
    result = boto3_invoke(PROPS, {"action": "reconcile"}, client=client, sleep=sleeps.append)
    # THEN it waited and retried instead of failing `pulumi up`
    assert result == {"ok": 1}
    assert len(client.calls) == 5 and sleeps == [5.0] * 4


def test_a_function_that_never_becomes_active_fails_with_what_to_do() -> None:
    client = _FakeLambda(None, inactive=10_000)
    with pytest.raises(InvocationError, match="did not become active"):
        boto3_invoke(PROPS, {"action": "reconcile"}, client=client, sleep=lambda _s: None)
    assert len(client.calls) == NOT_READY_WAIT_SECONDS // 5 + 2


def test_other_errors_are_not_retried() -> None:
    class Denied(_FakeLambda):
        def invoke(self, **kwargs: Any) -> dict[str, Any]:
            self.calls.append(kwargs)
            raise ClientError({"Error": {"Code": "AccessDeniedException"}}, "Invoke")

    client = Denied(None)
    with pytest.raises(ClientError):
        boto3_invoke(PROPS, {"action": "reconcile"}, client=client, sleep=lambda _s: None)
    assert len(client.calls) == 1

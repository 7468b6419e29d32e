"""`replay`'s settings for raw records (lambdalogs/transformer_settings.py): the failing
transformer's environment, read once per ARN; anything unreadable stops the run with an error
naming the function and the fix, never falling back to other settings."""

from __future__ import annotations

import io
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from lambdalogs.transformer_settings import SettingsUnreadable, TransformerSettings

ARN = "arn:aws:lambda:ap-southeast-2:111122223333:function:lambda-logs-transformer"


class _Lambda:
    def __init__(self, variables: dict[str, str] | None) -> None:
        self.variables = variables
        self.calls: list[str] = []

    def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:
        self.calls.append(FunctionName)
        if self.variables is None:
            error = {"Error": {"Code": "ResourceNotFoundException", "Message": "gone"}}
            raise ClientError(error, "GetFunctionConfiguration")
        return {"Environment": {"Variables": self.variables}}


def _settings(variables: dict[str, str] | None) -> tuple[TransformerSettings, _Lambda, io.StringIO]:
    client, warnings = _Lambda(variables), io.StringIO()

    def client_for(region: str) -> _Lambda:
        assert region == "ap-southeast-2"  # the ARN's region
        return client

    return TransformerSettings(client_for, warnings), client, warnings


def test_the_environment_of_the_transformer_is_read_once_per_arn() -> None:
    found, client, warnings = _settings({"LABEL_KEYS": "tenant", "MAX_MESSAGE_BYTES": "4096"})
    first, second = found.for_arn(ARN), found.for_arn(ARN)
    assert first is second and client.calls == [ARN]
    assert first.label_keys == ("tenant",) and first.max_message_bytes == 4096
    # said once, naming the function whose settings apply (a same-named one of another stack
    # would otherwise be used unnoticed)
    assert warnings.getvalue().splitlines() == [
        f"lambdalogs replay: transforming with the settings of {ARN}"
    ]


def test_no_arn_stops_without_a_call() -> None:
    found, client, _ = _settings({})
    with pytest.raises(SettingsUnreadable, match="an object name no single transformer"):
        found.for_arn(None)
    with pytest.raises(SettingsUnreadable) as raised:
        found.for_arn(None, where="processing-failed/2026/11/20/14/x")
    said = str(raised.value)
    assert "processing-failed/2026/11/20/14/x name no single transformer" in said
    assert "--settings-from environment" in said and "REDACT_RULES" in said
    assert client.calls == []


def test_a_gone_function_or_bad_settings_stop_naming_the_function_and_the_fix() -> None:
    for variables, why, fix in (
        (None, "ResourceNotFoundException", "deleted or renamed"),
        ({"MAX_MESSAGE_BYTES": "many"}, "not valid settings", "lambdalogs version"),
    ):
        found, client, warnings = _settings(variables)
        with pytest.raises(SettingsUnreadable) as raised:
            found.for_arn(ARN)
        said = str(raised.value)
        assert ARN in said and why in said and fix in said and "--settings-from environment" in said
        assert "lambda:GetFunctionConfiguration" not in said and "--transformer" not in said
        assert raised.value.exit_code == 2  # the input names what cannot be used
        assert client.calls == [ARN] and warnings.getvalue() == ""


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        ("AccessDeniedException", "grant lambda:GetFunctionConfiguration on it"),
        ("ExpiredTokenException", "refresh your credentials"),
        ("ServiceException", "repeat the command"),
    ],
)
def test_an_aws_refusal_says_its_own_fix_and_exits_3(code: str, fix: str) -> None:
    class Refusing(_Lambda):
        def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:
            raise ClientError(
                {"Error": {"Code": code, "Message": "no"}}, "GetFunctionConfiguration"
            )

    found = TransformerSettings(lambda region: Refusing({}), io.StringIO())
    with pytest.raises(SettingsUnreadable) as raised:
        found.for_arn(ARN)
    assert fix in str(raised.value) and code in str(raised.value)
    assert raised.value.exit_code == 3  # AWS refused or failed


def test_backfill_is_told_to_name_the_stacks_transformer() -> None:
    client = _Lambda(None)
    found = TransformerSettings(lambda region: client, io.StringIO(), command="backfill")
    with pytest.raises(SettingsUnreadable, match="--transformer") as raised:
        found.for_function("lambda-logs-transformer", "eu-west-1")
    assert "transformerFunctionName" in str(raised.value)


def test_a_malformed_arn_is_not_asked_for() -> None:
    found, client, _ = _settings({})
    with pytest.raises(SettingsUnreadable, match="not a Lambda function ARN"):
        found.for_arn("arn:aws:lambda:nowhere")
    assert client.calls == []


def test_an_environment_that_cannot_be_decrypted_is_unreadable() -> None:
    class Undecryptable(_Lambda):
        def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:
            self.calls.append(FunctionName)
            error = {"ErrorCode": "KMSAccessDeniedException", "Message": "cannot decrypt"}
            return {"FunctionArn": ARN, "Environment": {"Error": error}}

    client = Undecryptable({})
    found = TransformerSettings(lambda region: client, io.StringIO())
    with pytest.raises(SettingsUnreadable, match=r"cannot decrypt.*kms:Decrypt"):
        found.for_arn(ARN)


def test_the_client_retries_a_throttled_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lambda answers a throttled GetFunctionConfiguration with TooManyRequestsException (429):
    the client retries it (botocore's retry handler sees the answers `before-send` gives)
    instead of ending the run."""
    from botocore.awsrequest import AWSResponse

    from lambdalogs.transformer_settings import _lambda_client

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    waits: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", waits.append)  # the retry's backoff
    # adaptive mode's client-side rate limiter would wait ~2 s on its token bucket
    monkeypatch.setattr("botocore.retries.bucket.TokenBucket.acquire", lambda *_, **__: True)
    client = _lambda_client("ap-southeast-2")
    assert client.meta.config.retries["mode"] == "adaptive"
    answers = [
        (429, b'{"Type":"User","message":"Rate exceeded"}', "TooManyRequestsException"),
        (200, b'{"Environment":{"Variables":{"LABEL_KEYS":"t"}}}', ""),
    ]
    sent: list[str] = []

    class _Raw:
        def __init__(self, body: bytes) -> None:
            self.body = body

        def stream(self, **_: Any) -> Any:
            yield self.body

    def answer(request: Any, **_: Any) -> AWSResponse:
        sent.append(request.url)
        status, body, error = answers[len(sent) - 1]
        headers = {"x-amzn-ErrorType": error} if error else {}
        return AWSResponse(request.url, status, headers, _Raw(body))

    client.meta.events.register("before-send.lambda.GetFunctionConfiguration", answer)
    found = TransformerSettings(lambda region: client, io.StringIO())
    assert found.for_arn(ARN).label_keys == ("t",)
    assert len(sent) == 2 and len(waits) == 1  # the throttled call, a backoff, its retry


def test_an_empty_transformer_name_is_an_input_error_not_the_network() -> None:
    class Validating:
        def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:
            # what botocore raises for FunctionName="" (min length 1), before any request
            raise ParamValidationError(report="Invalid length for parameter FunctionName")

    found = TransformerSettings(lambda region: Validating(), io.StringIO(), command="backfill")
    with pytest.raises(SettingsUnreadable) as raised:
        found.for_function("", "eu-west-1")
    said = str(raised.value)
    assert "credentials and the network" not in said and "not a function name" in said
    assert "--transformer" in said and raised.value.exit_code == 2


@pytest.mark.parametrize("code", ["ValidationException", "InvalidParameterValueException"])
def test_a_malformed_transformer_name_is_not_to_be_repeated(code: str) -> None:
    class Refusing:
        def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:
            error = {"Error": {"Code": code, "Message": "failed to satisfy constraint"}}
            raise ClientError(error, "GetFunctionConfiguration")

    found = TransformerSettings(lambda region: Refusing(), io.StringIO(), command="backfill")
    with pytest.raises(SettingsUnreadable) as raised:
        found.for_function("lambda logs transformer", "eu-west-1")
    said = str(raised.value)
    assert ": repeat the command" not in said and "not a function name" in said
    assert raised.value.exit_code == 2

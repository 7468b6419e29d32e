"""`replay`'s settings for raw records (lambdalogs/transformer_settings.py): the failing
transformer's environment, read once per ARN; anything unreadable falls back to the
environment's settings with one warning naming the ARN and the fix."""

from __future__ import annotations

import io
from typing import Any

from botocore.exceptions import ClientError

from lambdalogs.transformer_settings import TransformerSettings
from transformer.settings import Settings

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

    return TransformerSettings(Settings(), client_for, warnings), client, warnings


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


def test_no_arn_is_the_fallback_without_a_call() -> None:
    found, client, _ = _settings({})
    assert found.for_arn(None) == Settings() and client.calls == []


def test_a_gone_function_or_bad_settings_fall_back_with_one_warning() -> None:
    for variables, why in (
        (None, "ResourceNotFoundException"),
        ({"MAX_MESSAGE_BYTES": "many"}, "not valid settings"),
    ):
        found, client, warnings = _settings(variables)
        assert found.for_arn(ARN) == Settings() and found.for_arn(ARN) == Settings()
        (line,) = warnings.getvalue().splitlines()
        assert ARN in line and why in line and "--settings-from environment" in line
        assert client.calls == [ARN]


def test_a_malformed_arn_is_not_asked_for() -> None:
    found, client, warnings = _settings({})
    assert found.for_arn("arn:aws:lambda:nowhere") == Settings()
    assert client.calls == [] and "not a Lambda function ARN" in warnings.getvalue()


def test_records_naming_no_single_transformer_are_said_once_per_object() -> None:
    found, client, warnings = _settings({})
    for _ in range(2):
        assert found.for_arn(None, where="processing-failed/2026/11/20/14/x") == Settings()
    assert found.for_arn(None) == Settings()  # not asked for an object: nothing to say
    (line,) = warnings.getvalue().splitlines()
    assert "processing-failed/2026/11/20/14/x name no single transformer" in line
    assert client.calls == []


def test_an_environment_that_cannot_be_decrypted_is_unreadable() -> None:
    class Undecryptable(_Lambda):
        def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:
            self.calls.append(FunctionName)
            error = {"ErrorCode": "KMSAccessDeniedException", "Message": "cannot decrypt"}
            return {"FunctionArn": ARN, "Environment": {"Error": error}}

    client, warnings = Undecryptable({}), io.StringIO()
    found = TransformerSettings(Settings(), lambda region: client, warnings)
    assert found.for_arn(ARN) == Settings()
    (line,) = warnings.getvalue().splitlines()
    assert "warning: cannot read the settings" in line and "cannot decrypt" in line

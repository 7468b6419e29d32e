"""Botocore event hooks that inject AWS behaviour moto lacks (throttling, LoggingConfig, …)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class FakeHttp:
    status_code: int
    headers: dict[str, str]
    content: bytes = b""
    text: str = ""
    raw: Any = None


def error_response(code: str, message: str, status: int = 400) -> tuple[FakeHttp, dict[str, Any]]:
    """What a before-call hook returns to make botocore raise ClientError(code)."""
    parsed = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return FakeHttp(status, {}), parsed


def ok_response(parsed: dict[str, Any]) -> tuple[FakeHttp, dict[str, Any]]:
    return FakeHttp(200, {}), {**parsed, "ResponseMetadata": {"HTTPStatusCode": 200}}


def fail_first(
    times: int, response: Callable[[], tuple[FakeHttp, dict[str, Any]]], *, skip: int = 0
) -> Callable[..., Any]:
    """A before-call hook that lets `skip` calls pass, answers `response()` to the next
    `times` calls, then lets every call pass."""
    state = {"seen": 0}

    def hook(**_: Any) -> tuple[FakeHttp, dict[str, Any]] | None:
        state["seen"] += 1
        if skip < state["seen"] <= skip + times:
            return response()
        return None

    return hook


def throttling() -> tuple[FakeHttp, dict[str, Any]]:
    return error_response("ThrottlingException", "Rate exceeded")


def with_logging_config(groups: dict[str, str]) -> Callable[..., None]:
    """An after-call hook on ListFunctions / GetFunctionConfiguration adding LoggingConfig,
    which moto does not model: `groups` maps function name → custom log group."""

    def add(configuration: dict[str, Any]) -> None:
        name = configuration.get("FunctionName", "")
        group = groups.get(name, f"/aws/lambda/{name}")
        configuration["LoggingConfig"] = {"LogFormat": "Text", "LogGroup": group}

    def hook(parsed: dict[str, Any], **_: Any) -> None:
        for configuration in parsed.get("Functions", []):
            add(configuration)
        if "FunctionName" in parsed:
            add(parsed)

    return hook


@dataclass
class InvokeRecorder:
    """A before-call hook on lambda Invoke: records async self-invocations, answers 202."""

    payloads: list[dict[str, Any]]

    def __call__(self, params: dict[str, Any], **_: Any) -> tuple[FakeHttp, dict[str, Any]]:
        assert params["headers"]["X-Amz-Invocation-Type"] == "Event"
        self.payloads.append(json.loads(params["body"]))
        return FakeHttp(202, {}), {"StatusCode": 202, "ResponseMetadata": {"HTTPStatusCode": 202}}

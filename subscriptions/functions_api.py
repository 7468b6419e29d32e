"""Thin adapter over the Lambda client: functions' log groups, and self-invocation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from botocore.exceptions import ClientError

from lambda_shared.backoff import error_code
from subscriptions.retry import BackoffApi

FUNCTIONS_PAGE_SIZE: Final = 50  # ListFunctions maximum
DEFAULT_GROUP_PREFIX: Final = "/aws/lambda/"


@dataclass(frozen=True)
class FunctionsPage:
    log_groups: tuple[str, ...]
    next_marker: str | None


def log_group_of(configuration: Mapping[str, Any]) -> str:
    """The function's log group: `LoggingConfig.LogGroup`, else `/aws/lambda/<name>`."""
    logging_config = configuration.get("LoggingConfig") or {}
    custom = logging_config.get("LogGroup") if isinstance(logging_config, Mapping) else None
    if isinstance(custom, str) and custom:
        return custom
    return DEFAULT_GROUP_PREFIX + str(configuration.get("FunctionName", ""))


class FunctionsApi(BackoffApi):
    def log_groups_page(self, marker: str | None) -> FunctionsPage:
        """The log groups of one ListFunctions page (50 functions), in function order."""
        params: dict[str, Any] = {"MaxItems": FUNCTIONS_PAGE_SIZE}
        if marker:
            params["Marker"] = marker
        response = self._call("ListFunctions", lambda: self._client.list_functions(**params))
        groups = tuple(dict.fromkeys(log_group_of(f) for f in response.get("Functions", [])))
        return FunctionsPage(groups, response.get("NextMarker") or None)

    def log_group_of_function(self, name: str) -> str | None:
        """The log group one function writes to, or None when the function does not exist."""
        try:
            configuration = self._call(
                f"GetFunctionConfiguration({name!r})",
                lambda: self._client.get_function_configuration(FunctionName=name),
            )
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return None
            raise
        return log_group_of(configuration)

    def any_function_logs_to(self, group: str) -> bool:
        """True when some function logs to `group`: its LoggingConfig names it, or it is the
        function's default `/aws/lambda/<name>` (scans every function)."""
        marker: str | None = None
        while True:
            page = self.log_groups_page(marker)
            if group in page.log_groups:
                return True
            if page.next_marker is None:
                return False
            marker = page.next_marker

    def invoke_async(self, function_arn: str, payload: Mapping[str, Any]) -> None:
        """Invoke `function_arn` asynchronously (InvocationType=Event) with `payload`."""
        body = json.dumps(payload).encode()
        self._call(
            "Invoke(Event)",
            lambda: self._client.invoke(
                FunctionName=function_arn, InvocationType="Event", Payload=body
            ),
        )

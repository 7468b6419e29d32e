"""Thin adapter over the Lambda client: functions' log groups, and self-invocation.

Each ListFunctions page also gives its functions' architectures; a listing read from its first
page to its last by one `FunctionsApi` (one invocation) is kept whole in `complete_listing`, so
the architecture map is published from the reconcile's own walk, with no second one
(docs/decisions/architecture-map.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from botocore.exceptions import ClientError

from lambda_shared.backoff import RetryPolicy, error_code
from subscriptions.pacing import CallPacer
from subscriptions.retry import BackoffApi, RetryStats

FUNCTIONS_PAGE_SIZE: Final = 50  # ListFunctions maximum
DEFAULT_GROUP_PREFIX: Final = "/aws/lambda/"


@dataclass(frozen=True)
class FunctionsPage:
    log_groups: tuple[str, ...]
    next_marker: str | None
    architectures: Mapping[str, str] = field(default_factory=dict)
    """Each function of the page: its `$LATEST` architecture (`architecture_of`)."""


def architecture_of(configuration: Mapping[str, Any]) -> str:
    """ "arm64" or "x86_64" (Lambda's default when `Architectures` is absent)."""
    found = configuration.get("Architectures") or ["x86_64"]
    return "arm64" if found[0] == "arm64" else "x86_64"


def log_group_of(configuration: Mapping[str, Any]) -> str:
    """The function's log group: `LoggingConfig.LogGroup`, else `/aws/lambda/<name>`."""
    logging_config = configuration.get("LoggingConfig") or {}
    custom = logging_config.get("LogGroup") if isinstance(logging_config, Mapping) else None
    if isinstance(custom, str) and custom:
        return custom
    return DEFAULT_GROUP_PREFIX + str(configuration.get("FunctionName", ""))


class FunctionsApi(BackoffApi):
    """ListFunctions and GetFunctionConfiguration, each attempt after `pacer`'s turn for
    Lambda's control plane (15 requests/s for the whole account, fixed: pacing.py); Invoke is
    not in that quota and is not paced."""

    def __init__(
        self, client: Any, policy: RetryPolicy, stats: RetryStats, pacer: CallPacer | None = None
    ) -> None:
        super().__init__(client, policy, stats, pacer)
        self._listing: dict[str, str] | None = None
        self._expected: str | None = None
        self.complete_listing: dict[str, str] | None = None
        """Every function's architecture, once this object has read a listing from its first
        page to its last, each page after the one before; else None."""

    def log_groups_page(self, marker: str | None) -> FunctionsPage:
        """The log groups of one ListFunctions page (50 functions), in function order."""
        params: dict[str, Any] = {"MaxItems": FUNCTIONS_PAGE_SIZE}
        if marker:
            params["Marker"] = marker
        response = self._paced("ListFunctions", None, lambda: self._client.list_functions(**params))
        functions = response.get("Functions", [])
        groups = tuple(dict.fromkeys(log_group_of(f) for f in functions))
        architectures = {str(f.get("FunctionName", "")): architecture_of(f) for f in functions}
        page = FunctionsPage(groups, response.get("NextMarker") or None, architectures)
        self._collect(marker or None, page)
        return page

    def _collect(self, marker: str | None, page: FunctionsPage) -> None:
        """Keep the listing while its pages follow each other from the first one."""
        if marker is None:
            self._listing = {}  # a first page: a new listing (a re-read one starts over)
        elif self._listing is None or marker != self._expected:
            self._listing = None  # begun in another invocation, or not the next page
            return
        self._listing.update(page.architectures)
        self._expected = page.next_marker
        if page.next_marker is None:
            self.complete_listing, self._listing = self._listing, None

    def log_group_of_function(self, name: str) -> str | None:
        """The log group one function writes to, or None when the function does not exist."""
        try:
            configuration = self._paced(
                "GetFunctionConfiguration",
                name,
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

"""Thin adapter over the CloudWatch Logs client: pagination, backoff, error translation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from botocore.exceptions import ClientError, ParamValidationError

from lambda_shared.backoff import error_code, error_message
from subscriptions.errors import (
    DestinationAccessDeniedError,
    DestinationNotReadyError,
    RoleNotAssumableError,
)
from subscriptions.retry import BackoffApi

if TYPE_CHECKING:
    from subscriptions.filter_spec import FilterSpec

GROUPS_PAGE_SIZE: Final = 50  # DescribeLogGroups maximum
EVENTS_PAGE_SIZE: Final = 10_000  # FilterLogEvents maximum
# Right after the role is created, IAM has not propagated yet: retry PutSubscriptionFilter briefly.
PROPAGATION_DELAYS_SECONDS: Final = (1.0, 2.0, 4.0, 8.0, 15.0, 15.0)
_ROLE_NOT_ASSUMABLE: Final = "permission to assume the provided role"
_DESTINATION_NOT_READY: Final = "Could not deliver test message"
_ACCESS_DENIED: Final = frozenset({"AccessDeniedException", "AccessDenied"})

PutOutcome = Literal["put", "limit_exceeded", "vanished", "unsupported_class"]
STANDARD_CLASS: Final = "STANDARD"


@dataclass(frozen=True)
class LogGroup:
    name: str
    arn: str
    created_ms: int
    log_class: str = "STANDARD"

    @property
    def account_id(self) -> str:
        """The owner account, from `arn:aws:logs:<region>:<account>:log-group:<name>`."""
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 else ""


@dataclass(frozen=True)
class SubscriptionFilter:
    name: str
    destination_arn: str
    filter_pattern: str
    role_arn: str
    created_ms: int = 0
    emit_system_fields: tuple[str, ...] = ()
    """As DescribeSubscriptionFilters returns them: only when the put specified them."""


@dataclass(frozen=True)
class GroupPage:
    groups: tuple[LogGroup, ...]
    next_token: str | None


@dataclass(frozen=True)
class LogEvent:
    event_id: str
    stream: str
    timestamp: int
    ingestion_time: int
    message: str


@dataclass(frozen=True)
class EventsPage:
    events: tuple[LogEvent, ...]
    next_token: str | None


def _group(raw: dict[str, Any]) -> LogGroup:
    arn = str(raw.get("logGroupArn") or str(raw.get("arn", "")).removesuffix(":*"))
    return LogGroup(
        str(raw["logGroupName"]),
        arn,
        int(raw.get("creationTime", 0)),
        str(raw.get("logGroupClass") or STANDARD_CLASS),
    )


class LogsApi(BackoffApi):
    """Every CloudWatch Logs call the subscriber makes, each with backoff on throttling; each
    attempt of a call whose quota is paced (the subscription-filter APIs, DescribeLogGroups,
    FilterLogEvents) waits for `pacer` (pacing.py) first."""

    def groups_page(self, prefix: str, token: str | None) -> GroupPage:
        """One DescribeLogGroups page (50 groups, in name order)."""
        params: dict[str, Any] = {"limit": GROUPS_PAGE_SIZE}
        if prefix:
            params["logGroupNamePrefix"] = prefix
        if token:
            params["nextToken"] = token
        response = self._paced(
            "DescribeLogGroups", prefix, lambda: self._client.describe_log_groups(**params)
        )
        groups = tuple(_group(raw) for raw in response.get("logGroups", []))
        return GroupPage(groups, response.get("nextToken") or None)

    def find_group(self, name: str) -> LogGroup | None:
        """The group named exactly `name`, or None when it does not exist."""
        token: str | None = None
        while True:
            page = self.groups_page(name, token)
            for group in page.groups:
                if group.name == name:
                    return group
            if page.next_token is None or any(g.name > name for g in page.groups):
                return None
            token = page.next_token

    def filters(self, group: str) -> tuple[SubscriptionFilter, ...] | None:
        """The group's subscription filters, or None when the group no longer exists."""
        found: list[SubscriptionFilter] = []
        params: dict[str, Any] = {"logGroupName": group}
        while True:
            try:
                response = self._paced(
                    "DescribeSubscriptionFilters",
                    group,
                    lambda: self._client.describe_subscription_filters(**params),
                )
            except ClientError as error:
                if error_code(error) == "ResourceNotFoundException":
                    return None
                raise
            found.extend(
                SubscriptionFilter(
                    name=str(raw.get("filterName", "")),
                    destination_arn=str(raw.get("destinationArn", "")),
                    filter_pattern=str(raw.get("filterPattern", "")),
                    role_arn=str(raw.get("roleArn", "")),
                    created_ms=int(raw.get("creationTime", 0)),
                    emit_system_fields=tuple(str(f) for f in raw.get("emitSystemFields") or ()),
                )
                for raw in response.get("subscriptionFilters", [])
            )
            if not response.get("nextToken"):
                return tuple(found)
            params["nextToken"] = response["nextToken"]

    def _put(self, params: dict[str, Any]) -> Any:
        """One PutSubscriptionFilter. A botocore older than `emitSystemFields` (the Lambda
        runtime's own, which the package does not replace) refuses the parameter before any
        call: the filter is put without it, and the records' region falls back as
        transformer/source_region.py says; the run's read-back then stops comparing the fields."""
        try:
            return self._client.put_subscription_filter(**params)
        except ParamValidationError:
            if "emitSystemFields" not in params:
                raise
            return self._client.put_subscription_filter(
                **{k: v for k, v in params.items() if k != "emitSystemFields"}
            )

    def put_filter(self, group: LogGroup, spec: FilterSpec) -> PutOutcome:
        """Create or update the pipeline's filter; wait briefly for IAM to propagate.

        A group of another class than STANDARD (Infrequent Access, Delivery) may not support
        subscription filters: its InvalidParameterException is that group's outcome, while on a
        STANDARD group it means a wrong setting and fails the run.
        """
        for delay in (*PROPAGATION_DELAYS_SECONDS, None):
            try:
                self._paced(
                    "PutSubscriptionFilter",
                    group.name,
                    lambda: self._put(_put_params(group, spec)),
                )
                return "put"
            except ClientError as error:
                code = error_code(error)
                if code in _ACCESS_DENIED and _is_logical(spec.destination_arn):
                    raise _admission_error(error, group, spec) from error
                if code == "LimitExceededException":
                    return "limit_exceeded"
                if code == "ResourceNotFoundException":
                    return "vanished"
                if code != "InvalidParameterException":
                    raise
                if not _is_propagation(error):
                    if group.log_class != STANDARD_CLASS:
                        return "unsupported_class"
                    raise
                if delay is None:
                    raise _propagation_error(error, spec) from error
                self._policy.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")

    def delete_filter(self, group: str, name: str) -> bool:
        """Delete one filter by name; False when it (or its group) is already gone."""
        try:
            self._paced(
                "DeleteSubscriptionFilter",
                group,
                lambda: self._client.delete_subscription_filter(
                    logGroupName=group, filterName=name
                ),
            )
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return False
            raise
        return True

    def events_page(self, group: str, start_ms: int, end_ms: int, token: str | None) -> EventsPage:
        """One FilterLogEvents page of every stream of the group, by event timestamp."""
        params: dict[str, Any] = {
            "logGroupName": group,
            "startTime": start_ms,
            "endTime": end_ms,
            "limit": EVENTS_PAGE_SIZE,
        }
        if token:
            params["nextToken"] = token
        response = self._paced(
            "FilterLogEvents", group, lambda: self._client.filter_log_events(**params)
        )
        events = tuple(
            LogEvent(
                event_id=str(raw.get("eventId", "")),
                stream=str(raw.get("logStreamName", "")),
                timestamp=int(raw.get("timestamp", 0)),
                ingestion_time=int(raw.get("ingestionTime", 0)),
                message=str(raw.get("message", "")),
            )
            for raw in response.get("events", [])
        )
        return EventsPage(events, response.get("nextToken") or None)


def _put_params(group: LogGroup, spec: FilterSpec) -> dict[str, Any]:
    """No roleArn for a logical destination: "You don't need to provide the ARN when you are
    working with a logical destination for cross-account delivery" (PutSubscriptionFilter)."""
    params: dict[str, Any] = {
        "logGroupName": group.name,
        "filterName": spec.name,
        "filterPattern": spec.pattern,
        "destinationArn": spec.destination_arn,
    }
    if spec.role_arn:
        params["roleArn"] = spec.role_arn
    if spec.system_fields:
        params["emitSystemFields"] = list(spec.system_fields)
    return params


def _is_logical(arn: str) -> bool:
    """A CloudWatch Logs destination (a spoke's filter to the hub), not a Firehose stream."""
    parts = arn.split(":")
    return len(parts) > 5 and parts[2] == "logs" and parts[5] == "destination"


def _admission_error(error: ClientError, group: LogGroup, spec: FilterSpec) -> Exception:
    account = group.account_id or "<this account>"
    return DestinationAccessDeniedError(
        f"PutSubscriptionFilter on {group.name} to the hub's destination {spec.destination_arn} "
        f"was refused ({error_message(error)}): the hub's destination policy does not admit "
        f"account {account}: add it to the hub's spokeAccountIds or organizationId and run "
        "pulumi up in the hub (if the message names this subscriber's own role instead, grant "
        "it logs:PutSubscriptionFilter)"
    )


def _is_propagation(error: ClientError) -> bool:
    message = error_message(error)
    return _ROLE_NOT_ASSUMABLE in message or _DESTINATION_NOT_READY in message


def _propagation_error(error: ClientError, spec: FilterSpec) -> Exception:
    if _ROLE_NOT_ASSUMABLE in error_message(error):
        return RoleNotAssumableError(
            f"CloudWatch Logs cannot assume ROLE_ARN={spec.role_arn} ({error_message(error)}): "
            "check that its trust policy allows logs.<region>.amazonaws.com and that it may "
            "firehose:PutRecord and firehose:PutRecordBatch on DESTINATION_ARN"
        )
    if _is_logical(spec.destination_arn):
        return DestinationNotReadyError(
            f"CloudWatch Logs cannot deliver to the hub's destination {spec.destination_arn} "
            f"({error_message(error)}): in the hub, check that the destination's Firehose stream "
            "exists and is ACTIVE and that the destination's role may firehose:PutRecord and "
            "firehose:PutRecordBatch on it (pulumi up in the hub)"
        )
    return DestinationNotReadyError(
        f"CloudWatch Logs cannot deliver to DESTINATION_ARN={spec.destination_arn} "
        f"({error_message(error)}): check that the Firehose stream exists and is ACTIVE"
    )

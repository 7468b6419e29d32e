"""The streams a group's backfill goes to: in a standalone or hub stack its own streams (the
subscriber's role); in a spoke the hub's, through the hub's backfill role assumed in the hub's
region (subscriptions/assumed_role.py). Each stream has its own byte budget (BytePacer): each
has its own Direct PUT quota, and in a spoke the budget is spent against the hub's stream."""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from lambda_shared.backoff import RetryPolicy
from subscriptions.assumed_role import AssumedRoleFirehose
from subscriptions.clients import Clients
from subscriptions.firehose_api import FirehoseApi
from subscriptions.pacing import BytePacer, Clock
from subscriptions.retry import RetryStats
from subscriptions.settings import Settings

SPOKE_BACKFILL_SKIPPED: Final = (
    "DESTINATION_ARN names the hub's CloudWatch Logs destinations (a spoke) and no "
    "BACKFILL_ROLE_ARN is set: a new group's events from before its filter are not sent "
    "(counted in backfillSkipped); set the spoke's hubBackfillRoleArn and hubStreamArns from "
    "the hub's outputs, or BACKFILL_LOOKBACK_HOURS=0 to silence this"
)


def backfill_skip_reason(settings: Settings) -> str:
    """Why no backfill can run at all; "" when it can."""
    return SPOKE_BACKFILL_SKIPPED if settings.spoke and not settings.hub.backfill_role_arn else ""


class BackfillStream(NamedTuple):
    """One stream's backfill client and its byte budget (the handler settles the budget last,
    so that it holds across invocations)."""

    firehose: FirehoseApi
    pacer: BytePacer


def backfill_streams(
    settings: Settings, clients: Clients, policy: RetryPolicy, stats: RetryStats, clock: Clock
) -> dict[str, BackfillStream]:
    """Destination ARN (what `route` picks) → the stream its group's backfill is put into."""
    rate = settings.backfill_bytes_per_second
    if not settings.spoke:
        return {
            d.arn: _stream(
                clients.lazy("firehose"), d.stream_name, policy, stats, BytePacer(rate, clock)
            )
            for d in settings.destinations
        }
    hub = settings.hub
    if not hub.backfill_role_arn:
        return {}
    role = AssumedRoleFirehose(clients.lazy("sts"), hub.backfill_role_arn, hub.backfill_region)
    return {
        destination.arn: _stream(role, stream.name, policy, stats, BytePacer(rate, clock))
        for destination, stream in zip(settings.destinations, hub.backfill_streams, strict=True)
    }


def _stream(
    client: Any, name: str, policy: RetryPolicy, stats: RetryStats, pacer: BytePacer
) -> BackfillStream:
    return BackfillStream(FirehoseApi(client, name, policy, stats, pacer), pacer)

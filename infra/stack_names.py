"""The physical names of the pipeline's resources, all derived from the resource prefix.

The pipeline's own log groups lie under the reserved prefix `/lambda-logs-pipeline/`
(`lambda_shared.pipeline_groups`), `/lambda-logs-pipeline/<resource prefix>/<component>`: every
subscriber of every stack excludes that prefix whatever its configuration, so no stack ever
subscribes its own or another stack's pipeline logs (docs/decisions/subscriptions.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lambda_shared.pipeline_groups import pipeline_log_group
from lambda_shared.stream_names import DESTINATION_SUFFIX, MAX_DELIVERY_STREAMS, sibling_names

__all__ = ["MAX_DELIVERY_STREAMS", "MAX_SPOKE_REGIONS", "StackNames"]

MAX_SPOKE_REGIONS: Final = 20
"""The most regions a hub serves (`spokeRegions`): each one is an AWS provider and a role, and
regions x streams destinations (200 at most) that count against CloudWatch Logs' per-region
quotas in the hub account; 20 covers every region enabled by default in the commercial
partition with room to spare. More is a sign of a mistyped list, or of a need for a second hub."""


@dataclass(frozen=True)
class StackNames:
    prefix: str
    """`resourcePrefix` (validated)."""
    stream_count: int = 1
    """`deliveryStreams` (validated): how many delivery streams share the indices and bucket."""

    @property
    def transformer(self) -> str:
        return f"{self.prefix}-transformer"

    @property
    def subscriber(self) -> str:
        return f"{self.prefix}-subscriber"

    @property
    def stream(self) -> str:
        """Stream 0's name: the stack's name, as it was with one stream (never replaced)."""
        return self.prefix

    @property
    def streams(self) -> tuple[str, ...]:
        """Every delivery stream's name, in routing order (`lambda_shared.routing`): the
        prefix, then `<prefix>-2`, `<prefix>-3`, …"""
        return sibling_names(self.stream, self.stream_count)

    @property
    def every_stream(self) -> tuple[str, ...]:
        """Every name this stack's streams could have, whatever `deliveryStreams` is or was
        (MAX_DELIVERY_STREAMS, `lambda_shared.stream_names`): what the logs role keeps, so a
        filter still on a removed stream delivers until the subscriber has re-pointed it."""
        return sibling_names(self.stream)

    @property
    def destinations(self) -> tuple[str, ...]:
        """A hub's destination names, one per stream in the order of `streams`: `<prefix>-dest`,
        then `<prefix>-dest-2`, … (the streams' own suffixes)."""
        return sibling_names(f"{self.prefix}{DESTINATION_SUFFIX}", self.stream_count)

    @property
    def filter_name(self) -> str:
        """The subscription filter the pipeline owns in every group (fixed per stack)."""
        return self.prefix

    @property
    def firehose_log_group(self) -> str:
        """Stream 0's Firehose delivery-error logs (any name may be given to the stream)."""
        return pipeline_log_group(self.prefix, "firehose")

    @property
    def firehose_log_groups(self) -> tuple[str, ...]:
        """Each stream's own delivery-error log group, in the order of `streams`."""
        others = (
            pipeline_log_group(self.prefix, f"firehose-{i + 1}")
            for i in range(1, self.stream_count)
        )
        return (self.firehose_log_group, *others)

    @property
    def transformer_log_group(self) -> str:
        """The transformer's `LoggingConfig.LogGroup`: its application and platform lines."""
        return pipeline_log_group(self.prefix, "transformer")

    @property
    def subscriber_log_group(self) -> str:
        """The subscriber's `LoggingConfig.LogGroup`."""
        return pipeline_log_group(self.prefix, "subscriber")

    @property
    def architecture_publisher(self) -> str:
        """Account-policy mode's scheduled architecture-map publisher (no subscriber there)."""
        return f"{self.prefix}-architectures"

    @property
    def architecture_publisher_log_group(self) -> str:
        return pipeline_log_group(self.prefix, "architectures")

    @property
    def alarm_relay_log_group(self) -> str:
        """The alarm relay's (infra/alarm_relay.py), when channels are configured."""
        return pipeline_log_group(self.prefix, "alarm-relay")

    @property
    def content_applier_log_group(self) -> str:
        """The in-VPC content applier's (infra/content_applier.py, `log_group_name`)."""
        return pipeline_log_group(self.prefix, "content-applier")

    @property
    def pipeline_log_groups(self) -> tuple[str, ...]:
        """The pipeline's own log groups, all under the reserved prefix: never subscribed by
        any stack (no loop). Listed by name too, for the account policy's exact-name
        `LogGroupName NOT IN [...]`, which knows no prefix: every stream's error log group, and
        the functions that exist only in some stacks (the in-VPC content applier, the
        account-policy mode's architecture publisher, the alarm relay): excluding a name no
        group has is free."""
        return (
            self.transformer_log_group,
            self.subscriber_log_group,
            *self.firehose_log_groups,
            self.content_applier_log_group,
            self.architecture_publisher_log_group,
            self.alarm_relay_log_group,
        )

"""The physical names of the pipeline's resources, all derived from the resource prefix.

The pipeline's own log groups lie under the reserved prefix `/lambda-logs-pipeline/`
(`lambda_shared.pipeline_groups`), `/lambda-logs-pipeline/<resource prefix>/<component>`: every
subscriber of every stack excludes that prefix whatever its configuration, so no stack ever
subscribes its own or another stack's pipeline logs (docs/decisions/subscriptions.md)."""

from __future__ import annotations

from dataclasses import dataclass

from lambda_shared.pipeline_groups import pipeline_log_group


@dataclass(frozen=True)
class StackNames:
    prefix: str
    """`resourcePrefix` (validated)."""

    @property
    def transformer(self) -> str:
        return f"{self.prefix}-transformer"

    @property
    def subscriber(self) -> str:
        return f"{self.prefix}-subscriber"

    @property
    def stream(self) -> str:
        return self.prefix

    @property
    def filter_name(self) -> str:
        """The subscription filter the pipeline owns in every group (fixed per stack)."""
        return self.prefix

    @property
    def firehose_log_group(self) -> str:
        """Firehose's delivery-error logs (any name may be given to the stream)."""
        return pipeline_log_group(self.prefix, "firehose")

    @property
    def transformer_log_group(self) -> str:
        """The transformer's `LoggingConfig.LogGroup`: its application and platform lines."""
        return pipeline_log_group(self.prefix, "transformer")

    @property
    def subscriber_log_group(self) -> str:
        """The subscriber's `LoggingConfig.LogGroup`."""
        return pipeline_log_group(self.prefix, "subscriber")

    @property
    def pipeline_log_groups(self) -> tuple[str, ...]:
        """The pipeline's own log groups, all under the reserved prefix: never subscribed by
        any stack (no loop). Listed by name too, for the account policy's exact-name
        `LogGroupName NOT IN [...]`."""
        return (self.transformer_log_group, self.subscriber_log_group, self.firehose_log_group)

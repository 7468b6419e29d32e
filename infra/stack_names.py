"""The physical names of the pipeline's resources, all derived from the resource prefix."""

from __future__ import annotations

from dataclasses import dataclass


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
        return f"/aws/kinesisfirehose/{self.prefix}"

    @property
    def transformer_log_group(self) -> str:
        return f"/aws/lambda/{self.transformer}"

    @property
    def subscriber_log_group(self) -> str:
        return f"/aws/lambda/{self.subscriber}"

    @property
    def pipeline_log_groups(self) -> tuple[str, ...]:
        """The pipeline's own log groups: never subscribed (no loop)."""
        return (self.transformer_log_group, self.subscriber_log_group, self.firehose_log_group)

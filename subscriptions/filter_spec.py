"""The pipeline's filter as each group must hold it: pure, no I/O.

With N delivery streams a group's filter points at `lambda_shared.routing.route(group, arns)`;
a filter of our name pointing at any of the pipeline's streams is ours (so a group routed
elsewhere after N changed is re-pointed, and `remove` deletes it wherever it points).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from lambda_shared.routing import route
from subscriptions.logs_api import SubscriptionFilter


@dataclass(frozen=True)
class FilterSpec:
    """One group's filter: our name, pattern and role, and the stream its group is routed to."""

    name: str
    pattern: str
    destination_arn: str
    role_arn: str

    def matches(self, existing: SubscriptionFilter) -> bool:
        return (
            existing.destination_arn == self.destination_arn
            and existing.filter_pattern == self.pattern
            and existing.role_arn == self.role_arn
        )

    @property
    def token(self) -> str:
        """A short digest of the spec: the group state records it to know what changed."""
        text = json.dumps([self.name, self.pattern, self.destination_arn, self.role_arn])
        return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True)
class PipelineFilters:
    """Every group's FilterSpec, routed over the pipeline's streams (DESTINATION_ARN's order)."""

    name: str
    pattern: str
    destination_arns: tuple[str, ...]
    role_arn: str
    _specs: dict[str, FilterSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.destination_arns:
            raise ValueError("the pipeline needs at least one delivery stream")
        for arn in self.destination_arns:
            self._specs[arn] = FilterSpec(self.name, self.pattern, arn, self.role_arn)

    def for_group(self, group: str) -> FilterSpec:
        return self._specs[route(group, self.destination_arns)]

    def owns(self, existing: SubscriptionFilter) -> bool:
        """Ours: our name and one of our streams (another stack may reuse the name)."""
        return existing.name == self.name and existing.destination_arn in self._specs

"""The pipeline's filter as each group must hold it: pure, no I/O.

With N delivery streams a group's filter points at `lambda_shared.routing.route(group, arns)`.
A filter of our name is ours when it points at any name this stack could have routed it to,
whatever N is or was: one of DESTINATION_ARN's, or a sibling of its first ARN (`<first>-2` …
`<first>-10`, `lambda_shared.stream_names`: the streams `<prefix>-2` …, a hub's destinations
`<prefix>-dest-2` …; same account and region). So a group routed elsewhere after N changed,
up or down, is re-pointed, and `remove` deletes it wherever it points; a filter of our name on
any other destination is another deployment's and is left alone.

Every filter emits the system fields `@aws.account` and `@aws.region` (the hub's transformer
takes the source region from them): a filter of ours without them is out of date and put again.
A spoke's spec has no role (`role_arn=""`): the hub's destination carries its own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from lambda_shared.routing import route
from lambda_shared.stream_names import every_sibling_arn
from subscriptions.logs_api import SubscriptionFilter
from subscriptions.settings import SYSTEM_FIELDS


@dataclass(frozen=True)
class FilterSpec:
    """One group's filter: our name, pattern and role ("" = none: a logical destination), the
    stream or destination its group is routed to, and the system fields it emits."""

    name: str
    pattern: str
    destination_arn: str
    role_arn: str
    system_fields: tuple[str, ...] = SYSTEM_FIELDS

    def matches(self, existing: SubscriptionFilter, *, ignore_system_fields: bool = False) -> bool:
        """Up to date; `ignore_system_fields` when the API is known not to return them."""
        return self.matches_but_system_fields(existing) and (
            ignore_system_fields
            or sorted(existing.emit_system_fields) == sorted(self.system_fields)
        )

    def matches_but_system_fields(self, existing: SubscriptionFilter) -> bool:
        return (
            existing.destination_arn == self.destination_arn
            and existing.filter_pattern == self.pattern
            and existing.role_arn == self.role_arn
        )

    @property
    def token(self) -> str:
        """A short digest of the spec: the group state records it to know what changed."""
        fields = list(self.system_fields)
        text = json.dumps([self.name, self.pattern, self.destination_arn, self.role_arn, fields])
        return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True)
class PipelineFilters:
    """Every group's FilterSpec, routed over the pipeline's streams (DESTINATION_ARN's order)."""

    name: str
    pattern: str
    destination_arns: tuple[str, ...]
    role_arn: str
    system_fields: tuple[str, ...] = SYSTEM_FIELDS
    _specs: dict[str, FilterSpec] = field(default_factory=dict, compare=False, repr=False)
    _owned: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.destination_arns:
            raise ValueError("the pipeline needs at least one delivery stream")
        for arn in self.destination_arns:
            self._specs[arn] = FilterSpec(
                self.name, self.pattern, arn, self.role_arn, self.system_fields
            )
        owned = every_sibling_arn(self.destination_arns[0]) | set(self.destination_arns)
        object.__setattr__(self, "_owned", owned)

    def for_group(self, group: str) -> FilterSpec:
        return self._specs[route(group, self.destination_arns)]

    def owns(self, existing: SubscriptionFilter) -> bool:
        """Ours: our name and a destination this stack could have routed to, now or with
        another `deliveryStreams` (another stack may reuse the name)."""
        return existing.name == self.name and existing.destination_arn in self._owned

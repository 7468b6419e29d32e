"""How a stack names its N delivery streams (and a hub its N CloudWatch Logs destinations), said
once for infra (which creates them, infra/stack_names.py) and the subscriber (which must know
every name its stack could have routed a filter to, subscriptions/filter_spec.py).

Position 0 is the base name (a stream: the resource prefix; a hub's destination:
`<prefix>-dest`); position i ≥ 1 is `<base>-<i + 1>`: `<prefix>`, `<prefix>-2`, … `<prefix>-10`.
A stream's or destination's ARN ends with its name (Firehose:
`arn:<partition>:firehose:<region>:<account>:deliverystream/<name>`; CloudWatch Logs:
`arn:<partition>:logs:<region>:<account>:destination:<name>`), so the siblings of the first ARN
are that ARN with the same suffixes: same partition, account and region."""

from __future__ import annotations

from typing import Final

DESTINATION_SUFFIX: Final = "-dest"
"""A hub's first destination is `<prefix>-dest` (infra/stack_names.py), which a spoke reads its
hub's prefix back from (infra/spoke_role_names.py)."""
MAX_DELIVERY_STREAMS: Final = 10
"""The most delivery streams a stack runs (`deliveryStreams`): 10,000 events/s of ~800-byte
documents at 80 % of the 1 MiB/s Direct PUT quota most regions have (docs/scale.md). Beyond it,
raise the quota; the subscriber's DESTINATION_ARN (every stream's ARN) must also stay well inside
Lambda's 4 KB of environment (tests/infra/test_environment_size.py)."""


def sibling_name(base: str, position: int) -> str:
    """The name at `position` (0-based) of the family whose first member is `base`."""
    if not 0 <= position < MAX_DELIVERY_STREAMS:
        raise ValueError(f"stream position must be in 0..{MAX_DELIVERY_STREAMS - 1}: {position}")
    return base if position == 0 else f"{base}-{position + 1}"


def sibling_names(base: str, count: int = MAX_DELIVERY_STREAMS) -> tuple[str, ...]:
    """The first `count` names of the family (all MAX_DELIVERY_STREAMS by default), in routing
    order (`lambda_shared.routing`)."""
    return tuple(sibling_name(base, i) for i in range(count))


def every_sibling_arn(first_arn: str) -> frozenset[str]:
    """Every ARN a stack whose first stream (or destination) is `first_arn` could have routed a
    filter to, whatever its `deliveryStreams` was: the first and its `-2` … `-10` siblings."""
    return frozenset(sibling_names(first_arn))

"""A hub that rolls out its spokes (`spokeDeployAccountIds`) shares `backfillBytesPerSecond`
between itself and them: every rolled-out spoke backfills into the hub's own streams, so the key
stays what it says, the backfill bytes per second into each stream, and each of the hub's and
the spokes' subscribers gets an equal share (its `BACKFILL_BYTES_PER_SECOND`).

Without the share, a first roll-out to N accounts × R regions backfills N × R + 1 times the
budget into the same Direct PUT quota (5 MiB/s in us-east-1, us-west-2 and eu-west-1, 1 MiB/s in
most other regions, per stream), ~17-25 times that as re-ingested documents, and throttles the
live traffic the budget exists to protect. A spoke run by hand in its own account is not known
to the hub and is not counted (docs/organisation.md)."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from infra.stack_config import StackConfig
from lambda_shared.environment import BACKFILL_BYTES_PER_SECOND, BACKFILL_LOOKBACK_HOURS


class BackfillShare(NamedTuple):
    config: StackConfig
    """The configuration with every subscriber's share as its BACKFILL_BYTES_PER_SECOND."""
    warning: str
    """Why the shares together exceed the budget ("" when they do not)."""


def backfills(config: StackConfig) -> bool:
    """Whether its subscribers backfill at all: not in account-policy mode (no subscriber),
    nor with `backfillLookbackHours` 0."""
    hours = int(config.variables.get(BACKFILL_LOOKBACK_HOURS.name, BACKFILL_LOOKBACK_HOURS.default))
    return config.subscription.mode == "reconciler" and hours > 0


def backfill_senders(config: StackConfig) -> int:
    """The subscribers that backfill into the hub's streams: the hub's and one per rolled-out
    account and spoke region (1 without a roll-out, or when nothing backfills)."""
    deployment = config.deployment
    if not backfills(config):
        return 1
    return 1 + len(deployment.spoke_deploy_account_ids) * len(deployment.spoke_regions)


def shared_backfill(config: StackConfig) -> BackfillShare:
    """`config` with the backfill budget divided between the hub and its rolled-out spokes
    (unchanged when the hub rolls out none). A share below the subscriber's least rate is
    raised to it, and the warning says by how much the total then exceeds the budget."""
    senders = backfill_senders(config)
    if senders == 1:
        return BackfillShare(config, "")
    name = BACKFILL_BYTES_PER_SECOND.name
    budget = int(config.variables.get(name, BACKFILL_BYTES_PER_SECOND.default))
    share = max(budget // senders, BACKFILL_BYTES_PER_SECOND.low)
    variables = {**config.variables, name: str(share)}
    warning = ""
    if share * senders > budget:
        warning = (
            f"backfillBytesPerSecond {budget:,} shared by {senders:,} subscribers (the hub's and "
            f"one per rolled-out account and spoke region) is below the subscriber's least rate "
            f"of {BACKFILL_BYTES_PER_SECOND.low:,} bytes/s each: together their backfills may "
            f"put {share * senders:,} bytes/s of records into each hub stream, and the "
            "transformer re-ingests ~17-25 times that. Raise backfillBytesPerSecond to what "
            "the streams' Direct PUT quota leaves spare, add streams (deliveryStreams), or roll "
            "out fewer accounts per pulumi up (docs/organisation.md)"
        )
    return BackfillShare(replace(config, variables=variables), warning)

"""What the subscriber reaches outside its own Firehose path: the bucket it publishes the
architecture map to (ARCHITECTURE_BUCKET, the hub's in a spoke) and, in a spoke, the hub's role
and streams its backfill goes through (BACKFILL_ROLE_ARN, BACKFILL_STREAM_ARNS)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from lambda_shared.environment import (
    ARCHITECTURE_BUCKET,
    ARCHITECTURE_BUCKET_REGION,
    BACKFILL_ROLE_ARN,
    BACKFILL_STREAM_ARNS,
    DESTINATION_ARN,
)
from subscriptions.errors import SettingsError

_BUCKET: Final = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_REGION: Final = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_ROLE_ARN: Final = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
_STREAM_ARN: Final = re.compile(
    r"arn:aws[a-z-]*:firehose:(?P<region>[a-z0-9-]+):(?P<account>\d{12})"
    r":deliverystream/(?P<name>[A-Za-z0-9_.-]{1,64})"
)


@dataclass(frozen=True)
class HubStream:
    arn: str
    region: str
    account_id: str
    name: str


@dataclass(frozen=True)
class HubAccess:
    architecture_bucket: str = ""
    architecture_bucket_region: str = ""
    backfill_role_arn: str = ""
    backfill_streams: tuple[HubStream, ...] = ()

    @property
    def backfill_region(self) -> str:
        return self.backfill_streams[0].region if self.backfill_streams else ""


def read_hub_access(env: Mapping[str, str], destinations: int, spoke: bool) -> HubAccess:
    """Raise SettingsError naming the variable and the fix; `destinations`: how many
    DESTINATION_ARN lists (a spoke's backfill streams must match them one to one)."""
    bucket = env.get(ARCHITECTURE_BUCKET.name, "").strip()
    if bucket and not _BUCKET.fullmatch(bucket):
        raise SettingsError(
            f"{ARCHITECTURE_BUCKET.name}={bucket!r} is not an S3 bucket name: set it to the "
            "pipeline's bucket (the hub's output bucketName in a spoke)"
        )
    region = env.get(ARCHITECTURE_BUCKET_REGION.name, "").strip()
    if region and not _REGION.fullmatch(region):
        raise SettingsError(f"{ARCHITECTURE_BUCKET_REGION.name}={region!r} is not an AWS region")
    role = env.get(BACKFILL_ROLE_ARN.name, "").strip()
    streams = _streams(env.get(BACKFILL_STREAM_ARNS.name, ""))
    if (role or streams) and not spoke:
        raise SettingsError(
            f"{BACKFILL_ROLE_ARN.name} / {BACKFILL_STREAM_ARNS.name} are for a spoke (the hub's "
            "destinations in DESTINATION_ARN); unset them: this stack backfills into its streams"
        )
    if role and not _ROLE_ARN.fullmatch(role):
        raise SettingsError(
            f"{BACKFILL_ROLE_ARN.name}={role!r} is not an IAM role ARN: set it to the hub's "
            "output hubBackfillRoleArn"
        )
    if bool(role) != bool(streams) or (streams and len(streams) != destinations):
        raise SettingsError(
            f"{BACKFILL_ROLE_ARN.name} and {BACKFILL_STREAM_ARNS.name} go together, with one "
            f"stream per destination of {DESTINATION_ARN.name} ({destinations}), in the same "
            "order: set both from the hub's outputs hubBackfillRoleArn and streamArns"
        )
    return HubAccess(bucket, region, role, streams)


def _streams(raw: str) -> tuple[HubStream, ...]:
    found: list[HubStream] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        match = _STREAM_ARN.fullmatch(item)
        if match is None:
            raise SettingsError(
                f"{BACKFILL_STREAM_ARNS.name} holds {item!r}, not a Firehose stream ARN "
                "(arn:aws:firehose:<region>:<account>:deliverystream/<name>)"
            )
        found.append(HubStream(item, match["region"], match["account"], match["name"]))
    if len({(s.region, s.account_id) for s in found}) > 1:
        raise SettingsError(
            f"{BACKFILL_STREAM_ARNS.name} mixes regions or accounts: list the hub's streams only"
        )
    return tuple(found)

"""The subscriber's configuration, read from environment variables inside the handler."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from lambda_shared import metrics
from lambda_shared.environment import (
    BACKFILL_BYTES_PER_SECOND,
    BACKFILL_LOOKBACK_HOURS,
    BACKFILL_RETRY_HOURS_DEFAULT,
    DESTINATION_ARN,
    EXCLUDE_LOG_GROUPS,
    FILTER_API_QUOTA_PERCENT,
    FILTER_NAME,
    FILTER_PATTERN,
    LOG_GROUP_GLOB,
    LOG_GROUP_NAME,
    LOG_GROUP_PREFIXES,
    PIPELINE_LOG_GROUPS,
    ROLE_ARN,
    SUBSCRIBER_STOPPED_UNTIL,
    SWEEP_INTERVAL_HOURS,
    Bounded,
)
from subscriptions.errors import SettingsError
from subscriptions.hub_access import HubAccess, read_hub_access

DEFAULT_LOOKBACK_HOURS: Final = float(BACKFILL_LOOKBACK_HOURS.default)
MAX_LOOKBACK_HOURS: Final = float(BACKFILL_LOOKBACK_HOURS.high)
DEFAULT_MARGIN_SECONDS: Final = 30.0
DEFAULT_MAX_CONTINUATIONS: Final = 100
DEFAULT_BACKFILL_RETRY_HOURS: Final = float(BACKFILL_RETRY_HOURS_DEFAULT)
MAX_FILTER_PATTERN_CHARS: Final = FILTER_PATTERN.max_chars
FIREHOSE_ERROR_LOG_PREFIX: Final = "/aws/kinesisfirehose/"

_FIREHOSE_ARN: Final = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):firehose:(?P<region>[a-z0-9-]+):(?P<account>\d{12})"
    r":deliverystream/(?P<name>[A-Za-z0-9_.-]{1,64})"
)
_LOGS_DESTINATION_ARN: Final = re.compile(
    r"arn:(?P<partition>aws(?:-cn|-us-gov)?):logs:(?P<region>[a-z0-9-]+):(?P<account>\d{12})"
    r":destination:(?P<name>[^:*]{1,512})"
)
DestinationKind = Literal["firehose", "logs"]
SYSTEM_FIELDS: Final = ("@aws.account", "@aws.region")
"""What every filter the subscriber puts emits (`emitSystemFields`): the hub's transformer reads
the source account and region from them."""
_ROLE_ARN: Final = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
_FILTER_NAME: Final = re.compile(r"[^:*]{1,512}")
_GROUP_NAME: Final = LOG_GROUP_NAME
_NAMESPACE: Final = re.compile(r"[.\-_/#:A-Za-z0-9 ]{1,255}")
_GROUP_GLOB: Final = LOG_GROUP_GLOB


@dataclass(frozen=True)
class Destination:
    """What the filters point at, parsed from DESTINATION_ARN: a Firehose delivery stream of
    this account (standalone, hub) or, in a spoke, a CloudWatch Logs destination of the hub
    (`kind="logs"`; `stream_name` is then the destination's name)."""

    arn: str
    region: str
    account_id: str
    stream_name: str
    kind: DestinationKind = "firehose"


@dataclass(frozen=True)
class Settings:
    destinations: tuple[Destination, ...]
    """Every delivery stream of the pipeline, in DESTINATION_ARN's order (same region and
    account); a group's filter points at `lambda_shared.routing.route(group, destinations)`."""
    role_arn: str
    filter_name: str
    filter_pattern: str
    log_group_prefixes: tuple[str, ...]
    exclude_patterns: tuple[str, ...]
    pipeline_log_groups: tuple[str, ...]
    backfill_lookback_hours: float = DEFAULT_LOOKBACK_HOURS
    time_budget_margin_seconds: float = DEFAULT_MARGIN_SECONDS
    max_continuations: int = DEFAULT_MAX_CONTINUATIONS
    stopped_until_s: int = 0
    """SUBSCRIBER_STOPPED_UNTIL: until then only `remove` runs (0: never stopped)."""
    metrics_namespace: str = metrics.NAMESPACE
    backfill_state_bucket: str = ""
    """Where failed backfills wait for their retry; "" = none (a failure is permanent)."""
    backfill_retry_hours: float = DEFAULT_BACKFILL_RETRY_HOURS
    sweep_interval_hours: int = SWEEP_INTERVAL_HOURS.default
    filter_api_quota_percent: int = FILTER_API_QUOTA_PERCENT.default
    backfill_bytes_per_second: int = BACKFILL_BYTES_PER_SECOND.default
    hub: HubAccess = field(default_factory=HubAccess)
    """The architecture map's bucket and, in a spoke, the hub's backfill role and streams."""

    @property
    def spoke(self) -> bool:
        """The filters point at the hub's CloudWatch Logs destinations (no role to pass;
        backfill only through the hub's role, `hub.backfill_role_arn`)."""
        return self.destination.kind == "logs"

    @property
    def destination(self) -> Destination:
        """The first stream: its account and region are every stream's."""
        return self.destinations[0]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read every setting; raise SettingsError naming the variable and the fix."""
        destinations = _destinations(env)
        # Always excluded, even if PIPELINE_LOG_GROUPS forgets them: the subscriber's own group
        # (set by Lambda) and every stream's default Firehose error-log group.
        implied = (
            env.get("AWS_LAMBDA_LOG_GROUP_NAME", "").strip(),
            *(
                f"{FIREHOSE_ERROR_LOG_PREFIX}{d.stream_name}"
                for d in destinations
                if d.kind == "firehose"
            ),
        )
        pipeline = _exact_names(env, PIPELINE_LOG_GROUPS.name)
        pipeline += tuple(name for name in dict.fromkeys(implied) if name and name not in pipeline)
        return cls(
            destinations=destinations,
            role_arn=_role_arn(env, destinations[0].kind),
            filter_name=_matching(
                env, FILTER_NAME.name, _FILTER_NAME, "1 to 512 characters without ':' or '*'"
            ),
            filter_pattern=_filter_pattern(env),
            log_group_prefixes=_prefixes(env),
            exclude_patterns=_globs(env, EXCLUDE_LOG_GROUPS.name),
            pipeline_log_groups=pipeline,
            backfill_lookback_hours=_number(
                env,
                BACKFILL_LOOKBACK_HOURS.name,
                DEFAULT_LOOKBACK_HOURS,
                BACKFILL_LOOKBACK_HOURS.low,
                MAX_LOOKBACK_HOURS,
            ),
            time_budget_margin_seconds=_number(
                env, "TIME_BUDGET_MARGIN_SECONDS", DEFAULT_MARGIN_SECONDS, 0.0, 600.0
            ),
            metrics_namespace=_namespace(env),
            backfill_state_bucket=env.get("BACKFILL_STATE_BUCKET", "").strip(),
            backfill_retry_hours=_number(
                env, "BACKFILL_RETRY_HOURS", DEFAULT_BACKFILL_RETRY_HOURS, 0.0, MAX_LOOKBACK_HOURS
            ),
            max_continuations=int(
                _number(env, "MAX_CONTINUATIONS", DEFAULT_MAX_CONTINUATIONS, 0, 10_000, whole=True)
            ),
            stopped_until_s=bounded_integer(env, SUBSCRIBER_STOPPED_UNTIL),
            sweep_interval_hours=bounded_integer(env, SWEEP_INTERVAL_HOURS),
            filter_api_quota_percent=bounded_integer(env, FILTER_API_QUOTA_PERCENT),
            backfill_bytes_per_second=bounded_integer(env, BACKFILL_BYTES_PER_SECOND),
            hub=read_hub_access(env, len(destinations), destinations[0].kind == "logs"),
        )


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name)
    if value is None:
        raise SettingsError(f"{name} is not set: set it in the subscriber's environment")
    return value


def _matching(env: Mapping[str, str], name: str, pattern: re.Pattern[str], expected: str) -> str:
    value = _required(env, name).strip()
    if not pattern.fullmatch(value):
        raise SettingsError(f"{name}={value!r} is malformed: expected {expected}")
    return value


def _role_arn(env: Mapping[str, str], kind: DestinationKind) -> str:
    """Required for Firehose streams; refused for logical destinations, which carry their own
    role in the hub ("You don't need to provide the ARN when you are working with a logical
    destination for cross-account delivery", PutSubscriptionFilter, roleArn)."""
    if kind == "firehose":
        return _matching(env, ROLE_ARN.name, _ROLE_ARN, "an IAM role ARN (arn:aws:iam::…:role/…)")
    value = env.get(ROLE_ARN.name, "").strip()
    if value:
        raise SettingsError(
            f"{ROLE_ARN.name}={value!r} is set, but DESTINATION_ARN names CloudWatch Logs "
            "destinations (a spoke), which take no role: the hub's destination has its own; "
            f"unset {ROLE_ARN.name}"
        )
    return ""


def _destination(name: str, item: str) -> Destination:
    match = _FIREHOSE_ARN.fullmatch(item)
    if match is not None:
        return Destination(item, match["region"], match["account"], match["name"])
    match = _LOGS_DESTINATION_ARN.fullmatch(item)
    if match is not None:
        return Destination(item, match["region"], match["account"], match["name"], "logs")
    raise SettingsError(
        f"{name} holds {item!r}, which is malformed: expected Firehose delivery stream ARNs "
        "(arn:aws:firehose:<region>:<account>:deliverystream/<name>) or, in a spoke, the hub's "
        "CloudWatch Logs destination ARNs (arn:aws:logs:<region>:<account>:destination:<name>), "
        "several separated by commas"
    )


def _destinations(env: Mapping[str, str]) -> tuple[Destination, ...]:
    """One or more comma-separated ARNs of one kind, all in one region and account (the filters'
    groups are: CloudWatch Logs subscribes a group only to a stream of its own region)."""
    name = DESTINATION_ARN.name
    items = _items(_required(env, name))
    if not items:
        raise SettingsError(f"{name} is empty: set it to the delivery stream's ARN")
    found = [_destination(name, item) for item in items]
    first = found[0]
    if any(d.kind != first.kind for d in found):
        raise SettingsError(
            f"{name} mixes Firehose stream ARNs and CloudWatch Logs destination ARNs: list only "
            "this account's streams (standalone, hub) or only the hub's destinations (spoke)"
        )
    _check_region(env, first)
    for other in found[1:]:
        if (other.region, other.account_id) != (first.region, first.account_id):
            raise SettingsError(
                f"{name} mixes streams of {first.region}/{first.account_id} and "
                f"{other.region}/{other.account_id}: every stream must be in the region and "
                "account of the log groups"
            )
    if len({d.arn for d in found}) != len(found):
        raise SettingsError(f"{name} lists a stream twice: list each stream once")
    return tuple(found)


def _check_region(env: Mapping[str, str], first: Destination) -> None:
    """A logical destination must be in the log groups' region (the function's)."""
    if first.kind != "logs":
        return  # read AWS_REGION (set by Lambda) only in a spoke
    region = env.get("AWS_REGION", "").strip()
    if region and first.region != region:
        raise SettingsError(
            f"{DESTINATION_ARN.name} names the destination {first.arn} in {first.region}, but "
            f"this subscriber runs in {region}: CloudWatch Logs requires the destination in the "
            f"log groups' region; use the hub's destination for {region} (add {region} to the "
            "hub's spokeRegions and run pulumi up in the hub)"
        )


def _filter_pattern(env: Mapping[str, str]) -> str:
    value = _required(env, FILTER_PATTERN.name)
    if len(value) > MAX_FILTER_PATTERN_CHARS:
        raise SettingsError(
            f"FILTER_PATTERN is {len(value)} characters long: CloudWatch Logs accepts at most "
            f"{MAX_FILTER_PATTERN_CHARS}; set it to '' to forward every event"
        )
    return value


def _namespace(env: Mapping[str, str]) -> str:
    value = env.get("METRICS_NAMESPACE", "").strip() or Settings.metrics_namespace
    if not _NAMESPACE.fullmatch(value):
        raise SettingsError(
            f"METRICS_NAMESPACE={value!r} is malformed: use 1 to 255 letters, digits and . - _ / #"
        )
    return value


def _items(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _prefixes(env: Mapping[str, str]) -> tuple[str, ...]:
    """Comma-separated prefixes; an empty value means every log group (prefix '')."""
    items = _items(_required(env, LOG_GROUP_PREFIXES.name))
    for item in items:
        if not _GROUP_NAME.fullmatch(item):
            raise SettingsError(
                f"LOG_GROUP_PREFIXES holds {item!r}, which is not a log group name prefix: "
                "use only letters, digits and . - _ / #, separated by commas"
            )
    if not items:
        return ("",)
    # A prefix covered by a shorter one would list the same groups twice: keep the shorter.
    kept = [p for p in sorted(set(items)) if not any(p != q and p.startswith(q) for q in items)]
    return tuple(kept)


def _globs(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    items = _items(_required(env, name))
    for item in items:
        if not _GROUP_GLOB.fullmatch(item):
            raise SettingsError(
                f"{name} holds {item!r}, which is neither a log group name nor a glob: "
                "use letters, digits, . - _ / # and the glob characters * ? [ ] !, "
                "separated by commas"
            )
    return tuple(items)


def _exact_names(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    items = _items(env.get(name, ""))
    for item in items:
        if not _GROUP_NAME.fullmatch(item):
            raise SettingsError(
                f"{name} holds {item!r}, which is not a log group name: list exact names "
                "(letters, digits and . - _ / #), separated by commas"
            )
    return tuple(items)


def bounded_integer(env: Mapping[str, str], variable: Bounded) -> int:
    """`variable`'s whole number in `env`, its default when unset; SettingsError outside
    its bounds."""
    default, low, high = variable.default, variable.low, variable.high
    return int(_number(env, variable.name, default, low, high, whole=True))


def _number(
    env: Mapping[str, str],
    name: str,
    default: float,
    low: float,
    high: float,
    *,
    whole: bool = False,
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise SettingsError(f"{name}={raw!r} is not {kind}: set it to {kind}") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise SettingsError(f"{name}={raw!r} is out of range: set it between {low:g} and {high:g}")
    return value

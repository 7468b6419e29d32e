"""The environment variables infra sets on the two functions: name, default and bounds, declared
once. The functions' settings parsers (`transformer/settings.py`, `subscriptions/settings.py`)
enforce exactly these, and infra's configuration keys (`infra/config_keys.py`) accept exactly
these, so anything `pulumi up` accepts, the functions accept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from lambda_shared.limits import FILTER_PATTERN_MAX_CHARS, FIREHOSE_RECORD_MAX_BYTES

LOG_GROUP_NAME: Final = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}")
"""A log group name or name prefix, as CloudWatch Logs accepts it."""
LOG_GROUP_GLOB: Final = re.compile(r"[.\-_/#A-Za-z0-9*?\[\]!]{1,512}")
"""A log group name or an fnmatch glob of names."""


@dataclass(frozen=True)
class Bounded:
    """A whole number from `low` to `high` (both included); `default` when unset."""

    name: str
    default: int
    low: int
    high: int


@dataclass(frozen=True)
class Names:
    """A comma-separated list; `default` when unset."""

    name: str
    default: tuple[str, ...]


@dataclass(frozen=True)
class Pattern:
    """Text of at most `max_chars` characters (required: infra always sets it)."""

    name: str
    max_chars: int


@dataclass(frozen=True)
class Switch:
    """`true` or `false` (also `1`/`0`, `yes`/`no`, any case); `default` when unset."""

    name: str
    default: bool


@dataclass(frozen=True)
class Required:
    """Text infra always sets (the parser checks its form)."""

    name: str


# --- the transformer ---------------------------------------------------------------------
LABEL_KEYS: Final = Names("LABEL_KEYS", ("milestone",))
TRACE_ID_KEYS: Final = Names(
    "TRACE_ID_KEYS", ("traceId", "trace_id", "correlation_id", "correlationId")
)
MAX_MESSAGE_BYTES: Final = Bounded(
    "MAX_MESSAGE_BYTES", 32 * 1024, 256, FIREHOSE_RECORD_MAX_BYTES // 4
)
"""A quarter of a Firehose record: the truncated message, the whole line in `event.original`
and the rest of the document must fit in one record."""
LOG_GROUP_PREFIXES: Final = Names("LOG_GROUP_PREFIXES", ("/aws/lambda/",))
"""Both functions: the transformer accepts these groups, the subscriber subscribes them; empty
means every group. Each item matches LOG_GROUP_NAME."""
DELIVERY_STREAM_NAMES: Final = Names("DELIVERY_STREAM_NAMES", ())
"""The pipeline's delivery streams, in order (infra sets them when it has more than one). A
document is re-ingested into `lambda_shared.routing.route(log_group, names)`: in reconciler mode
that is the stream the group's filter points at; in account-policy mode (one policy, so one
stream receives every group) it spreads the re-ingested documents, ~13-16x the raw bytes (live
deliveries, bench/backfill_amplification.py), over all of them. Empty: into the stream the
record came from."""
FOLD_PLATFORM_EVENTS: Final = Switch("FOLD_PLATFORM_EVENTS", False)
"""START and END (JSON format: platform.start, platform.runtimeDone) folded into their REPORT
document, where nothing is lost (transformer/folding.py). Unset: one document per event (the
local commands, `lambdalogs preview`/`backfill`/`replay`, index straight into OpenSearch, where
no record is billed); infra always sets it, from `foldPlatformEvents` (default true)."""
EVENT_RULES: Final = Required("EVENT_RULES")
"""Events left out before re-ingestion: `lambda_shared/event_rules.py` (syntax, validation);
infra always sets it, empty for none."""
EVENT_RULES_MAX_CHARS: Final = 1024
"""A quarter of Lambda's 4 KB for every variable of the function."""
REDACT_RULES: Final = Required("REDACT_RULES")
"""What the transformer redacts before indexing: `lambda_shared/redaction_rules.py` (syntax,
validation); infra always sets it, empty for none."""
REDACT_RULES_MAX_CHARS: Final = 1024
"""A quarter of Lambda's 4 KB for every variable of the function."""

# --- the subscriber ----------------------------------------------------------------------
DESTINATION_ARN: Final = Required("DESTINATION_ARN")
"""The delivery stream's ARN, or the pipeline's streams' ARNs comma-separated in the order of
DELIVERY_STREAM_NAMES: a group's filter points at `lambda_shared.routing.route(group, arns)`."""
ROLE_ARN: Final = Required("ROLE_ARN")
FILTER_NAME: Final = Required("FILTER_NAME")
FILTER_PATTERN: Final = Pattern("FILTER_PATTERN", FILTER_PATTERN_MAX_CHARS)
"""CloudWatch Logs accepts filter patterns of at most 1,024 characters."""
EXCLUDE_LOG_GROUPS: Final = Names("EXCLUDE_LOG_GROUPS", ())
"""Each item matches LOG_GROUP_GLOB."""
PIPELINE_LOG_GROUPS: Final = Names("PIPELINE_LOG_GROUPS", ())
"""Each item matches LOG_GROUP_NAME."""
BACKFILL_LOOKBACK_HOURS: Final = Bounded("BACKFILL_LOOKBACK_HOURS", 24, 0, 14 * 24)
SWEEP_INTERVAL_HOURS: Final = Bounded("SWEEP_INTERVAL_HOURS", 24, 1, 7 * 24)
"""A full sweep (every group's filters read again) once this long after the last one began;
between sweeps a run reads only the groups new or changed since the state recorded them."""
FILTER_API_QUOTA_PERCENT: Final = Bounded("FILTER_API_QUOTA_PERCENT", 40, 1, 100)
"""The share of each of Describe/Put/DeleteSubscriptionFilter's 5 calls/s (per account and
region, not adjustable) the subscriber may take: 40 = 2 calls/s each."""
BACKFILL_BYTES_PER_SECOND: Final = Bounded("BACKFILL_BYTES_PER_SECOND", 10 * 1024, 1024, 5 << 20)
"""Backfill record bytes put per second into each delivery stream. Each record byte also comes
back as 16.6 to 24.7 bytes of documents the transformer re-ingests into the same stream
(measured: bench/backfill_amplification.py), so the default is ~175 to ~260 KiB/s of Direct
PUT, a sixth to a quarter of the lowest regional quota (1 MiB/s): live traffic keeps at least
three quarters. (It was 20 KiB/s while the factor was taken to be ~12: that is up to half.)"""
ARCHITECTURE_BUCKET: Final = Required("ARCHITECTURE_BUCKET")
"""Both functions: the bucket holding the architecture maps (the pipeline's backup bucket; in a
spoke, the hub's). The subscriber publishes its account's and region's map there, the
transformer reads every account's (docs/decisions/architecture-map.md). Unset: none (the
subscriber publishes nothing, the transformer prices every function at DEFAULT_ARCHITECTURE)."""
ARCHITECTURE_BUCKET_REGION: Final = Required("ARCHITECTURE_BUCKET_REGION")
"""The subscriber: ARCHITECTURE_BUCKET's region when it is not the function's (a spoke's hub,
the region of BACKFILL_STREAM_ARNS / `hubStreamArns`); unset: the function's."""
BACKFILL_ROLE_ARN: Final = Required("BACKFILL_ROLE_ARN")
"""A spoke's subscriber: the hub's `<prefix>-spoke-backfill` role it assumes to put backfill
records into the hub's streams (BACKFILL_STREAM_ARNS). Unset in a spoke: no backfill."""
BACKFILL_STREAM_ARNS: Final = Required("BACKFILL_STREAM_ARNS")
"""A spoke's subscriber: the hub's delivery streams' ARNs, in the order of its destinations
(DESTINATION_ARN), so that a group's backfill goes to the stream its filter's destination
wraps; their region is the hub's, where the assumed role's Firehose client calls."""
SUBSCRIBER_STOPPED_UNTIL: Final = Bounded("SUBSCRIBER_STOPPED_UNTIL", 0, 0, 1 << 40)
"""Set only by the stack's destroy step (infra/subscriber_stop.py), never by configuration: until
this Unix time (seconds) every run of the subscriber but `remove` does nothing, so a
continuation still in Lambda's asynchronous queue cannot put back a filter the destroy removed
(it would point at the stream deleted next). Unset (0): runs as usual."""
GROUP_STATE_KEY_PREFIX: Final = "subscriber/group-state/"
"""Where in BACKFILL_STATE_BUCKET the subscriber keeps what it last verified on each group
(infra grants the subscriber exactly this prefix beside BACKFILL_STATE_KEY_PREFIX)."""

Variable = Bounded | Names | Pattern | Required | Switch
TRANSFORMER_VARIABLES: Final[tuple[Variable, ...]] = (
    LABEL_KEYS,
    TRACE_ID_KEYS,
    MAX_MESSAGE_BYTES,
    LOG_GROUP_PREFIXES,
    FOLD_PLATFORM_EVENTS,
    EVENT_RULES,
    REDACT_RULES,
)
"""What infra sets on the transformer (besides METRICS_NAMESPACE)."""
SUBSCRIBER_VARIABLES: Final[tuple[Variable, ...]] = (
    DESTINATION_ARN,
    ROLE_ARN,
    FILTER_NAME,
    FILTER_PATTERN,
    LOG_GROUP_PREFIXES,
    EXCLUDE_LOG_GROUPS,
    PIPELINE_LOG_GROUPS,
    BACKFILL_LOOKBACK_HOURS,
    SWEEP_INTERVAL_HOURS,
    FILTER_API_QUOTA_PERCENT,
    BACKFILL_BYTES_PER_SECOND,
)
"""What infra sets on the subscriber (besides METRICS_NAMESPACE)."""


BACKFILL_STATE_KEY_PREFIX: Final = "subscriber/pending-backfills/"
"""Where in BACKFILL_STATE_BUCKET the subscriber keeps failed backfills until they succeed or
are given up (infra grants the subscriber exactly this prefix)."""
ARCHITECTURE_MAP_KEY_PREFIX: Final = "architectures/"
"""Where in ARCHITECTURE_BUCKET the maps are: `architectures/<account>/<region>.json.gz`. The
transformer may read only this prefix; a spoke may write only `architectures/<its account>/`."""


def architecture_map_key(account_id: str, region: str) -> str:
    """The key of one account's and region's architecture map."""
    return f"{ARCHITECTURE_MAP_KEY_PREFIX}{account_id}/{region}.json.gz"


BACKFILL_RETRY_HOURS_DEFAULT: Final = 24
"""How long a failed backfill is retried before it is reported permanently failed."""

"""Fields of a JSON log object: Lambda's JSON log format, Powertools, pino, log4j2 JSON, EMF,
and any application's structured log."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final, NamedTuple

from transformer.jsonerrors import ERROR_KEYS, error_fields, scalar_text
from transformer.levels import normalize_level
from transformer.platform import TENANT, parse_platform_json, xray_root
from transformer.settings import Settings
from transformer.tracebacks import extract_error
from transformer.types import Fields

# Key spellings of Lambda's JSON log format (Python's uncaught errors use `log_level`:
# awslambdaric bootstrap.py), Powertools in each language and casing (.NET writes PascalCase
# or camelCase when configured: LoggingConstants.cs), log4j2/logback layouts and ECS layouts.
MESSAGE_KEYS: Final = ("message", "msg", "Message")
LEVEL_KEYS: Final = (
    *("level", "levelname", "severity", "log.level", "loglevel", "lvl", "log_level", "Level"),
)
LOGGER_KEYS: Final = ("logger", "logger_name", "loggerName", "log.logger")
REQUEST_ID_KEYS: Final = (
    "requestId",
    "function_request_id",
    "AWSRequestId",
    "awsRequestId",
    "aws_request_id",
    "FunctionRequestId",
    "functionRequestId",
    "faas.execution",
    "AwsRequestId",  # .NET RuntimeSupport's JSON format (LogLevelLoggerWriter tests)
)
SERVICE_KEYS: Final = ("service", "service.name", "serviceName", "Service")
XRAY_KEYS: Final = ("xray_trace_id", "xrayTraceId", "xray_traceid", "XrayTraceId", "trace.id")
COLDSTART_KEYS: Final = ("cold_start", "coldStart", "ColdStart", "faas.coldstart")
FUNCTION_NAME_KEYS: Final = ("function_name", "functionName", "FunctionName")
# Lambda tenant isolation: `tenantId` in application records (every runtime's JSON format) and
# in `platform.*` records' `record.tenantId` (tenant-isolation-monitor); Powertools Java
# `tenant_id`, its ECS layout `tenant.id`.
TENANT_KEYS: Final = ("tenantId", "tenant_id", "tenant.id", "TenantId")
# Powertools' logger name is `name` (snake_case, camelCase) or `Name` (PascalCase): read as the
# logger only in objects that carry one of Powertools' own keys.
POWERTOOLS_MARKERS: Final = frozenset(
    {"cold_start", "coldStart", "ColdStart", "function_request_id", "FunctionRequestId"}
    | {"functionRequestId", "sampling_rate", "samplingRate", "SamplingRate"}
)
POWERTOOLS_NAME_KEYS: Final = ("name", "Name")


def safe_name(name: str) -> str:
    """Metric names and label keys never carry dots, so `x.a` can never collide with `x.a.b`."""
    return name.replace(".", "_")


_DOUBLE_LIMIT: Final = 2**1024  # an integer this large has no double: OpenSearch cannot index it


def _is_number(value: object) -> bool:
    """A finite JSON number a double can hold (not a boolean)."""
    if type(value) is int:
        return -_DOUBLE_LIMIT < value < _DOUBLE_LIMIT
    return type(value) is float and math.isfinite(value)


# The EMF specification allows at most 100 metrics per directive ("This array MUST NOT contain
# more than 100 MetricDefinition objects"): a line within it is promoted whole. Each promoted
# metric is a field of the index, which holds at most 5,000 (index-template.json): one line
# declaring thousands of metrics would fill it, and every later new field would be refused.
MAX_PROMOTED_METRICS: Final = 100
METRICS_DROPPED: Final = "event.metrics_dropped"
# A UUID, a run of 16 hex digits (X-Ray and span ids), a run of 8 decimal digits (order ids,
# timestamps, dates): a name holding one is a new name, so a new index field, per request.
_PER_REQUEST_NAME: Final = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16}|[0-9]{8}",
    re.IGNORECASE,
)


def looks_per_request(name: str) -> bool:
    """Whether a metric name carries an id (a UUID, a long hex or digit run), so that it would
    be a new `metrics.*` field per request: such metrics are not promoted."""
    return _PER_REQUEST_NAME.search(name) is not None


def _metric_value(obj: dict[str, Any], metric: object) -> tuple[str, Any] | None:
    """(name, value) of one MetricDefinition whose value the object has, numeric, or None."""
    name = metric.get("Name") if isinstance(metric, dict) else None
    if not isinstance(name, str) or not name or name not in obj:
        return None
    value = obj[name]
    if _is_number(value) or (
        isinstance(value, list) and value and all(_is_number(v) for v in value)
    ):
        return name, value
    return None


def emf_metrics(obj: dict[str, Any]) -> dict[str, Any]:
    """`metrics.<name>` values declared by an Embedded Metric Format object: at most
    MAX_PROMOTED_METRICS, none with a per-request name. The others are counted in
    `event.metrics_dropped`; their values stay in the line (`json`, `message`)."""
    aws = obj.get("_aws")
    directives = aws.get("CloudWatchMetrics") if isinstance(aws, dict) else None
    if not isinstance(directives, list):
        return {}
    found: dict[str, Any] = {}
    dropped: set[str] = set()
    for directive in directives:
        metrics = directive.get("Metrics") if isinstance(directive, dict) else None
        for metric in metrics if isinstance(metrics, list) else ():
            named = _metric_value(obj, metric)
            if named is None:
                continue
            name, value = named
            key = "metrics." + safe_name(name)
            promoted = len(found) < MAX_PROMOTED_METRICS and not looks_per_request(name)
            if promoted or key in found:
                found[key] = value
            else:
                dropped.add(key)
    dropped.difference_update(found)
    if dropped:
        found[METRICS_DROPPED] = len(dropped)
    return found


def _coldstart(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _keyword(value: object) -> str | None:
    return scalar_text(value) or None


def _logger_name(value: object) -> str | None:
    """Powertools .NET's `name`: a logger category ("AWS.Lambda.Powertools.Logging.Logger"),
    dotted and without spaces; any other `name` (a user's key) is no logger."""
    if isinstance(value, str) and "." in value and " " not in value:
        return value
    return None


Converter = Callable[[object], object]
_CONVERTERS: Final[dict[str, Converter]] = {
    "log.level": normalize_level,
    "faas.coldstart": _coldstart,
    "aws.xray.trace_id": xray_root,
}


# (document field, the object's keys that feed it in priority order, converter)
Step = tuple[str, tuple[str, ...], Converter]
# The layouts one configuration remembers are bounded by an estimate of the bytes they keep
# alive (key tuples and key strings), not by their count: 1,024 layouts of objects with
# hundreds of ever-new keys took a warm container to 1.3 GB.
LAYOUT_CACHE_BYTES: Final = 4 * 1024 * 1024
# A layout is remembered when met a second time, so keys never seen again cost no memory; an
# object wider than this, or with keys this long, has its layout worked out every time (about
# what parsing it costs once more).
MAX_CACHED_KEYS: Final = 256
_MAX_ENTRY_BYTES: Final = 64 * 1024
_MAX_SEEN: Final = 4096  # hashes of layouts met once
_SEEN_ENTRY_BYTES: Final = 100  # a set slot and an int, generously
_LAYOUT_BYTES: Final = 1024  # a Layout, its steps and its dict slot, generously
_LAYOUTS_BUDGET: Final = LAYOUT_CACHE_BYTES - _MAX_SEEN * _SEEN_ENTRY_BYTES


class Layout(NamedTuple):
    """What to read from objects with one key layout."""

    steps: tuple[Step, ...]
    message_keys: tuple[str, ...]  # the MESSAGE_KEYS it has, in priority order
    errors: bool  # it has one of ERROR_KEYS
    emf: bool  # it has `_aws`
    typed: bool  # it has `type` and `record`: perhaps a Lambda `platform.*` record


class KeyRoles:
    """Which document field each JSON key feeds, for one configuration. What applies to an
    object is worked out once per key layout and remembered: a logger writes the same keys line
    after line, so a line costs one lookup and the conversions of the keys it has."""

    def __init__(self, trace_id_keys: tuple[str, ...], label_keys: tuple[str, ...]) -> None:
        self._roles: dict[str, tuple[str, int, Converter]] = {}
        for target, keys in (
            ("log.level", LEVEL_KEYS),
            ("log.logger", LOGGER_KEYS),
            ("faas.execution", REQUEST_ID_KEYS),
            ("service.name", SERVICE_KEYS),
            ("trace.id", trace_id_keys),
            ("faas.name", FUNCTION_NAME_KEYS),
            ("aws.xray.trace_id", XRAY_KEYS),
            ("faas.coldstart", COLDSTART_KEYS),
            (TENANT, TENANT_KEYS),
        ):
            convert = _CONVERTERS.get(target, _keyword)
            for priority, key in enumerate(keys):
                self._roles.setdefault(key, (target, priority, convert))
        self._labels = label_keys
        self._layouts: dict[tuple[str, ...], Layout] = {}
        self._layout_bytes = 0  # the estimated bytes _layouts keeps alive
        self._seen: set[int] = set()  # hashes of the layouts met once, not remembered yet

    @property
    def cached_bytes(self) -> int:
        """The estimated bytes the remembered layouts and the hashes of those met once keep
        alive: at most LAYOUT_CACHE_BYTES."""
        return self._layout_bytes + len(self._seen) * _SEEN_ENTRY_BYTES

    def layout(self, keys: tuple[str, ...]) -> Layout:
        """What to read from an object with these keys (in this order)."""
        found = self._layouts.get(keys)
        if found is None:
            found = self._layout(keys)
            self._remember(keys, found)
        return found

    def _remember(self, keys: tuple[str, ...], layout: Layout) -> None:
        """Cache a layout met the second time, within the byte budget."""
        if len(keys) > MAX_CACHED_KEYS:
            return
        size = _LAYOUT_BYTES + sys.getsizeof(keys) + sum(map(sys.getsizeof, keys))
        if size > _MAX_ENTRY_BYTES:
            return
        seen = hash(keys)
        if seen not in self._seen:
            if len(self._seen) >= _MAX_SEEN:  # layouts met once are many: start over
                self._seen.clear()
            self._seen.add(seen)
            return
        self._seen.discard(seen)
        if self._layout_bytes + size > _LAYOUTS_BUDGET:  # full: start over
            self._layouts.clear()
            self._layout_bytes = 0
        self._layouts[keys] = layout
        self._layout_bytes += size

    def _layout(self, keys: tuple[str, ...]) -> Layout:
        by_target: dict[str, list[tuple[int, str, Converter]]] = {}
        for key in keys:
            role = self._roles.get(key)
            if role is not None:
                by_target.setdefault(role[0], []).append((role[1], key, role[2]))
        steps: list[Step] = []
        for target, candidates in by_target.items():
            candidates.sort(key=lambda candidate: candidate[0])
            steps.append((target, tuple(key for _, key, _ in candidates), candidates[0][2]))
        present = set(keys)
        if "log.logger" not in by_target and not POWERTOOLS_MARKERS.isdisjoint(present):
            for key in POWERTOOLS_NAME_KEYS:
                if key in present:
                    steps.append(("log.logger", (key,), _logger_name))
                    break
        for key in self._labels:
            if key in present:
                steps.append(("labels." + safe_name(key), (key,), scalar_text))
        return Layout(
            steps=tuple(steps),
            message_keys=tuple(key for key in MESSAGE_KEYS if key in present),
            errors=not ERROR_KEYS.isdisjoint(present),
            emf="_aws" in present,
            typed="type" in present and "record" in present,
        )


@lru_cache(maxsize=16)
def key_roles(trace_id_keys: tuple[str, ...], label_keys: tuple[str, ...]) -> KeyRoles:
    return KeyRoles(trace_id_keys, label_keys)


# The settings of the batch being read and their key roles, as one pair (replaced whole, so a
# reader never sees one batch's settings with another's roles): a batch asks once per JSON line
# with the same Settings object, so an identity check replaces key_roles' hashing of two tuples
# (the reference kept here keeps that object, and so its identity, alive).
_last_roles: tuple[Settings | None, KeyRoles | None] = (None, None)


def roles_of(settings: Settings) -> KeyRoles:
    """key_roles(settings.trace_id_keys, settings.label_keys), remembered for `settings`."""
    global _last_roles
    known, roles = _last_roles
    if known is not settings or roles is None:
        roles = key_roles(settings.trace_id_keys, settings.label_keys)
        _last_roles = (settings, roles)
    return roles


def _as_text(value: object, encode: Any) -> str:
    """A message that is not a string: a number or boolean spelled out, anything else as JSON."""
    text = scalar_text(value)
    return text if text is not None else bytes(encode(value)).decode("utf-8")


def _application_fields(obj: dict[str, Any], layout: Layout) -> Fields:
    fields: Fields = {}
    for target, keys, convert in layout.steps:
        for key in keys:
            value = convert(obj[key])
            if value is not None:
                fields[target] = value
                break
    if layout.errors:
        fields.update(error_fields(obj))
    if layout.emf:
        fields.update(emf_metrics(obj))
    return fields


def _error_message(message: dict[str, Any], fields: Fields) -> str | None:
    """A `message` that is a serialised error (Node.js's JSON format logs `console.error(err)`
    as {"message": {"errorType", "errorMessage", "stackTrace"}}: LogPatch.js): its error.*
    fields, and the human message `<type>: <message>`; None for any other object."""
    for key, value in error_fields(message).items():  # also {"error": {"errorType", …}, …}
        fields.setdefault(key, value)
    if "errorType" not in message and "errorMessage" not in message:
        return None
    kind, text = scalar_text(message.get("errorType")), scalar_text(message.get("errorMessage"))
    return f"{kind}: {text}" if kind and text else kind or text or None


def _message(obj: dict[str, Any], layout: Layout, fields: Fields, encode: Any) -> None:
    for key in layout.message_keys:  # the first that is not null
        message = obj[key]
        if message is None:
            continue
        if type(message) is str:
            fields["message"] = message
            if (
                "\n" in message
                and "error.type" not in fields
                and fields.get("log.level")
                in (
                    "ERROR",
                    "FATAL",
                )
            ):  # Java's JSON format logs an uncaught exception as text with its trace
                found = extract_error(message)
                if found is not None:
                    fields.update(found.fields())
            return
        text = _error_message(message, fields) if type(message) is dict else None
        fields["message"] = text if text is not None else _as_text(message, encode)
        return


def parse_json_object(obj: dict[str, Any], settings: Settings, encode: Any) -> Fields:
    """Every field a JSON log object yields; `message` when it has one (`message`, `msg`).

    Level, logger, request id, service, trace ids, labels: for each, the value of the best key
    the object has that converts (a lower priority wins)."""
    layout = roles_of(settings).layout(tuple(obj))
    kind = obj["type"] if layout.typed else None
    if isinstance(kind, str) and kind.startswith("platform."):
        fields = parse_platform_json(obj, kind)
    else:
        fields = _application_fields(obj, layout)
        if layout.errors and "log.level" not in fields and "errorType" in obj:
            # the runtimes' error response, logged as it is sent (aws-lambda-go's reportFailure,
            # aws_lambda_ric's LambdaLogger): {"errorMessage", "errorType", "stackTrace"}
            fields["log.level"] = "ERROR"
    if layout.message_keys:
        _message(obj, layout, fields, encode)
    return fields

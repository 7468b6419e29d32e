"""Fields of a JSON log object: Lambda's JSON log format, Powertools, pino, log4j2 JSON, EMF,
and any application's structured log."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final

from transformer.errors import ErrorInfo, from_exception_text
from transformer.levels import normalize_level
from transformer.platform import parse_platform_json, xray_root
from transformer.settings import Settings

Fields = dict[str, Any]

MESSAGE_KEYS: Final = ("message", "msg")
LEVEL_KEYS: Final = ("level", "levelname", "severity", "log.level", "loglevel", "lvl")
LOGGER_KEYS: Final = ("logger", "logger_name", "loggerName", "log.logger")
REQUEST_ID_KEYS: Final = (
    "requestId",
    "function_request_id",
    "AWSRequestId",
    "awsRequestId",
    "aws_request_id",
)
SERVICE_KEYS: Final = ("service", "service.name", "serviceName")
XRAY_KEYS: Final = ("xray_trace_id", "xrayTraceId", "xray_traceid")
COLDSTART_KEYS: Final = ("cold_start", "coldStart")
FUNCTION_NAME_KEYS: Final = ("function_name", "functionName")


def scalar_text(value: object) -> str | None:
    """A keyword value: strings as they are, numbers and booleans spelled out."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return str(value)
    return None


def _first_text(obj: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in obj:
            text = scalar_text(obj[key])
            if text:
                return text
    return None


def safe_name(name: str) -> str:
    """Metric names and label keys never carry dots, so `x.a` can never collide with `x.a.b`."""
    return name.replace(".", "_")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def emf_metrics(obj: dict[str, Any]) -> dict[str, Any]:
    """`metrics.<name>` values declared by an Embedded Metric Format object."""
    aws = obj.get("_aws")
    directives = aws.get("CloudWatchMetrics") if isinstance(aws, dict) else None
    if not isinstance(directives, list):
        return {}
    found: dict[str, Any] = {}
    for directive in directives:
        metrics = directive.get("Metrics") if isinstance(directive, dict) else None
        for metric in metrics if isinstance(metrics, list) else ():
            name = metric.get("Name") if isinstance(metric, dict) else None
            if not isinstance(name, str) or not name or name not in obj:
                continue
            value = obj[name]
            if _is_number(value) or (
                isinstance(value, list) and value and all(_is_number(v) for v in value)
            ):
                found["metrics." + safe_name(name)] = value
    return found


def _joined_stack(value: object) -> str | None:
    if isinstance(value, str):
        return value.rstrip() or None
    if isinstance(value, list) and all(isinstance(v, str) for v in value) and value:
        separator = "" if all(v.endswith("\n") for v in value) else "\n"
        return separator.join(value).rstrip() or None
    return None


def _error_object(value: object) -> ErrorInfo | None:
    """pino/bunyan `err` and `error` objects: {type|name, message, stack}."""
    if isinstance(value, dict):
        kind = _first_text(value, ("type", "name", "errorType"))
        message = _first_text(value, ("message", "errorMessage"))
        stack = _joined_stack(value.get("stack", value.get("stack_trace")))
        if kind or message or stack:
            return ErrorInfo(kind, message, stack)
    return None


ERROR_KEYS: Final = frozenset(
    {"errorType", "errorMessage", "exception", "exception_name", "err", "error"}
)


def error_fields(obj: dict[str, Any]) -> Fields:
    """error.type / error.message / error.stack_trace from the keys runtimes and libraries use."""
    if ERROR_KEYS.isdisjoint(obj):
        return {}
    info: ErrorInfo | None = None
    if "errorType" in obj or "errorMessage" in obj:
        stack = _joined_stack(obj.get("stackTrace", obj.get("stack")))
        info = ErrorInfo(
            scalar_text(obj.get("errorType")), scalar_text(obj.get("errorMessage")), stack
        )
    elif isinstance(obj.get("exception"), str) and obj["exception"].strip():
        info = from_exception_text(obj["exception"])
    else:
        info = _error_object(obj.get("err")) or _error_object(obj.get("error"))
    name = scalar_text(obj.get("exception_name"))
    fields: Fields = dict(info.fields()) if info is not None else {}
    if name:
        fields["error.type"] = name
    return fields


def _coldstart(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _keyword(value: object) -> str | None:
    return scalar_text(value) or None


Converter = Callable[[object], object]
_CONVERTERS: Final[dict[str, Converter]] = {
    "log.level": normalize_level,
    "faas.coldstart": _coldstart,
    "aws.xray.trace_id": xray_root,
}


@lru_cache(maxsize=16)
def _roles(trace_id_keys: tuple[str, ...]) -> dict[str, tuple[str, int, Converter]]:
    """JSON key → (document field, priority, converter); a lower priority wins when several
    keys of one field appear."""
    roles: dict[str, tuple[str, int, Converter]] = {}
    for target, keys in (
        ("log.level", LEVEL_KEYS),
        ("log.logger", LOGGER_KEYS),
        ("faas.execution", REQUEST_ID_KEYS),
        ("service.name", SERVICE_KEYS),
        ("trace.id", trace_id_keys),
        ("faas.name", FUNCTION_NAME_KEYS),
        ("aws.xray.trace_id", XRAY_KEYS),
        ("faas.coldstart", COLDSTART_KEYS),
    ):
        convert = _CONVERTERS.get(target, _keyword)
        for priority, key in enumerate(keys):
            roles.setdefault(key, (target, priority, convert))
    return roles


def _identity_fields(obj: dict[str, Any], settings: Settings, fields: Fields) -> None:
    """Level, logger, request id, service, trace ids, …: only the keys the object has are
    visited (one set intersection in C), the best-priority usable value of each field kept."""
    roles = _roles(settings.trace_id_keys)
    best: dict[str, tuple[int, object]] = {}
    for key in roles.keys() & obj.keys():
        target, priority, convert = roles[key]
        converted = convert(obj[key])
        if converted is not None:
            current = best.get(target)
            if current is None or priority < current[0]:
                best[target] = (priority, converted)
    for target, (_, converted) in best.items():
        fields[target] = converted
    for key in settings.label_keys:
        if key in obj:
            label = scalar_text(obj[key])
            if label is not None:
                fields["labels." + safe_name(key)] = label


def json_message(obj: dict[str, Any], encode: Any) -> str | None:
    """The human message of a JSON log: `message` or `msg`; objects are written as JSON."""
    for key in MESSAGE_KEYS:
        value = obj.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            return value
        text = scalar_text(value)
        return text if text is not None else bytes(encode(value)).decode("utf-8")
    return None


def parse_json_object(obj: dict[str, Any], settings: Settings) -> Fields:
    """Every field a JSON log object yields (message excluded; see json_message)."""
    kind = obj.get("type")
    if isinstance(kind, str) and kind.startswith("platform.") and "record" in obj:
        return parse_platform_json(obj, kind)
    fields: Fields = {}
    _identity_fields(obj, settings, fields)
    fields.update(error_fields(obj))
    if "_aws" in obj:
        fields.update(emf_metrics(obj))
    return fields

"""error.* of JSON log objects: the error keys runtimes and libraries write, their stack traces
as strings, lists of lines or lists of frame objects."""

from __future__ import annotations

import math
from typing import Any, Final

from transformer.tracebacks import ErrorInfo, from_exception_text
from transformer.types import Fields


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


def _frame_text(frame: object) -> str | None:
    """One stack frame written as an object: aws-lambda-go's {label, path, line}
    (lambda/messages InvokeResponse_Error_StackFrame), log4j2 JsonTemplateLayout's
    {class, method, file, line}."""
    if not isinstance(frame, dict):
        return None
    where = scalar_text(frame.get("path", frame.get("file")))
    line = scalar_text(frame.get("line"))
    name = scalar_text(frame.get("label", frame.get("method")))
    owner = scalar_text(frame.get("class"))
    if owner and name:
        name = f"{owner}.{name}"
    if not (where or name):
        return None
    location = f"{where}:{line}" if where and line else where
    return f"{name} ({location})" if name and location else name or location


def _joined_frames(frames: list[Any]) -> str | None:
    texts = [_frame_text(frame) for frame in frames]
    if not texts or any(text is None for text in texts):
        return None
    return "\n".join(text for text in texts if text)


def _joined_stack(value: object) -> str | None:
    """A stack trace written as one string, or as a list of lines (with or without their line
    breaks); None for anything else."""
    if isinstance(value, str):
        return value.rstrip() or None
    if not isinstance(value, list) or not value:
        return None
    try:
        joined = "\n".join(value)  # TypeError unless every item is a string
    except TypeError:
        return _joined_frames(value)
    if value[0].endswith("\n") and all(line.endswith("\n") for line in value):
        joined = "".join(value)
    return joined.rstrip() or None


_STACK_KEYS: Final = ("stack", "stack_trace", "stackTrace", "StackTrace")


def _error_object(value: object) -> ErrorInfo | None:
    """pino/bunyan `err` and `error` objects ({type|name, message, stack}), Powertools .NET's
    `exception` / `Exception` ({type, message, source, stack_trace} in its casing), Powertools
    Java's `error` ({name, message, stack}), and Node's serialised errors (errorType, …)."""
    if isinstance(value, dict):
        kind = _first_text(value, ("type", "name", "errorType", "Type"))
        message = _first_text(value, ("message", "errorMessage", "Message"))
        stack = None
        for key in _STACK_KEYS:
            if key in value:
                stack = _joined_stack(value[key])
                break
        if kind or message or stack:
            return ErrorInfo(kind, message, stack)
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _ecs_error(obj: dict[str, Any]) -> ErrorInfo | None:
    """ECS layouts' flat `error.type`, `error.message`, `error.stack_trace` (Powertools Java)."""
    info = ErrorInfo(
        scalar_text(obj.get("error.type")),
        scalar_text(obj.get("error.message")),
        _joined_stack(obj.get("error.stack_trace")),
    )
    return info if any(info) else None


ERROR_KEYS: Final = frozenset(
    {"errorType", "errorMessage", "exception", "exception_name", "err", "error", "Exception"}
    | {"error.type", "error.message", "error.stack_trace"}
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
    elif _text(obj.get("exception")) or _text(obj.get("Exception")):
        # Powertools Python's `exception`; .NET RuntimeSupport's JSON `Exception` (its ToString())
        info = from_exception_text(_text(obj.get("exception")) or obj["Exception"])
    else:
        info = (
            _error_object(obj.get("err"))
            or _error_object(obj.get("error"))
            or _error_object(obj.get("exception"))
            or _error_object(obj.get("Exception"))
            or _ecs_error(obj)
        )
    name = scalar_text(obj.get("exception_name"))
    fields: Fields = info.fields() if info is not None else {}
    if name:
        fields["error.type"] = name
    return fields

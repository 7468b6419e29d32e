"""One log line → the fields of its document. Pure: no I/O, no clock, no configuration reads.

The first character decides what is tried: `{` a JSON object; a platform word's initial
(START, END, REPORT, INIT_…, …) a platform line; a digit a timeout; then the runtime prefixes
(with a JSON object or a Node.js error object behind the prefix), and plain text. Every line
yields at least `message`. This runs once per log event: the common paths are kept short."""

from __future__ import annotations

import re
from typing import Any, Final

from transformer.crashes import ruby_banner, unknown_error
from transformer.document import line_is_oversized, truncate
from transformer.jsonerrors import error_fields
from transformer.jsonlib import LOADS_ERRORS, Codec, may_hold_long_integer, too_deep
from transformer.jsonlog import parse_json_object
from transformer.platform import PLATFORM_FIRST_CHARS, parse_platform_text, parse_timeout
from transformer.runtimes import parse_prefix, trace_prefix
from transformer.settings import Settings
from transformer.tracebacks import extract_error
from transformer.types import Fields

# Node.js runtime: "Invoke Error \t{"errorType": …}" and "Uncaught Exception \t{…}"
_NODE_ERROR: Final = re.compile(
    r"(?:Invoke Error|Uncaught Exception|Unhandled Promise Rejection)\s*\t(\{.*\})\s*", re.S
)


UNPARSED: Final = "event.unparsed"


class _TooDeep(Exception):
    """JSON nested deeper than the JSON libraries go."""


def _object(text: str, codec: Codec) -> dict[str, Any] | None:
    """The JSON object a text holds entirely, or None; raises _TooDeep for one nested deeper
    than the codec reads."""
    if text[:1] != "{" or text[-1:] != "}":
        text = text.strip()
        if not (text.startswith("{") and text.endswith("}")):
            return None
    # A JSON object's first member starts with a quote. Node.js prints objects without them
    # ("{ sku: 'SKU-1' }"): those are told apart here, without the cost of a failed parse.
    if text[1:2] != '"' and text[1:].lstrip()[:1] not in ('"', "}"):
        return None
    try:
        value = codec.raw_loads(text)
    except LOADS_ERRORS as error:
        if too_deep(error):
            raise _TooDeep from None
        return codec.retry_object(text)  # what orjson refuses: lone surrogates, huge integers
    if type(value) is not dict:
        return None
    if codec.rounds_long_integers and may_hold_long_integer(text):
        return codec.exact_object(text, value)  # integers beyond 64 bits, which orjson rounds
    return value


def _node_error(text: str, codec: Codec) -> dict[str, Any] | None:
    try:
        return _object(text, codec)
    except _TooDeep:  # only its error.* fields are read: none then
        return None


def _text_error(message: str, fields: Fields) -> None:
    """error.* of the exception a multi-line message carries."""
    found = extract_error(message)
    if found is not None:
        fields.update(found.fields())


def _json_line(
    obj: dict[str, Any], text: str, settings: Settings, codec: Codec, keep_json: bool
) -> Fields:
    fields = parse_json_object(obj, settings, codec.dumps)
    if "message" not in fields:
        fields["message"] = text.strip()
    if keep_json:
        fields["json"] = obj
    return fields


def _behind_prefix(
    prefix_fields: Fields, message: str, settings: Settings, codec: Codec, keep_json: bool
) -> Fields:
    first = message[:1]
    if first == "[":  # "<runtime prefix>[dd.trace_id=… dd.span_id=…] <message>"
        traced = trace_prefix(message)
        if traced is not None:
            prefix_fields.update(traced[0])
            message = traced[1]
            first = message[:1]
    if first == "{":
        obj = _object(message, codec)
        if obj is not None:
            fields = _json_line(obj, message, settings, codec, keep_json)
            for key, value in prefix_fields.items():
                fields.setdefault(key, value)
            if "faas.execution" in prefix_fields:  # the runtime's request id is authoritative
                fields["faas.execution"] = prefix_fields["faas.execution"]
            return fields
    fields = prefix_fields
    fields["message"] = message
    if first == "I" or first == "U" or first == "u":
        node_error = _NODE_ERROR.fullmatch(message)
        error_obj = _node_error(node_error.group(1), codec) if node_error else None
        if error_obj is not None:
            fields.update(error_fields(error_obj))
            return fields
    if "\n" in message or "\r" in message:
        _text_error(message, fields)
    return fields


def parse_line(line: str, settings: Settings, codec: Codec, *, keep_json: bool = True) -> Fields:
    """The fields one log line yields; `keep_json=False` leaves its JSON object out. JSON nested
    deeper than the codec reads is the line as plain text, flagged `event.unparsed`: the same
    document as one whose fields cannot be encoded (records.py), whichever codec meets it."""
    text = line.rstrip("\r\n")
    first = text[:1]
    try:
        if first == "{":
            obj = _object(text, codec)
            if obj is not None:
                return _json_line(obj, text, settings, codec, keep_json)
        elif first in PLATFORM_FIRST_CHARS:
            platform = parse_platform_text(text)
            if platform is not None:
                platform["message"] = text.rstrip()
                return platform
        elif first.isdigit() and "Task timed out after" in text:
            timeout = parse_timeout(text)
            if timeout is not None:
                timeout[0]["message"] = timeout[1]
                return timeout[0]
        prefixed = parse_prefix(text)
        if prefixed is not None:
            return _behind_prefix(prefixed[0], prefixed[1], settings, codec, keep_json)
    except _TooDeep:
        return {"message": line, UNPARSED: True}
    if first in _SPECIAL_FIRST:
        special = _special_text(text, codec)
        if special is not None:
            return special
    fields: Fields = {"message": text}
    if "\n" in text or "\r" in text:
        _text_error(text, fields)
    return fields


# The first characters of the unprefixed lines read below (the rest are plain text).
_SPECIAL_FIRST: Final = frozenset("UCEIpf")
_GO_FATAL: Final = ("panic: ", "fatal error: ")


def _special_text(text: str, codec: Codec) -> Fields | None:
    """Unprefixed lines that still say something: a crashed runtime's "Unknown application
    error occurred", Ruby's handler-error banners (with the error JSON after them), and the Go
    runtime's `panic: …` / `fatal error: …` (the first line of a crash on provided.al2023)."""
    first = text[0]
    if first == "U":
        fields = unknown_error(text)
    elif first in ("p", "f"):
        if not text.startswith(_GO_FATAL):
            return None
        head = text.split("\n", 1)[0]
        kind, _, reason = head.partition(": ")
        fields = {"log.level": "FATAL", "error.type": kind, "error.message": reason}
        found = extract_error(text)
        if found is not None and found.stack_trace:
            fields["error.stack_trace"] = found.stack_trace
    else:
        banner = ruby_banner(text)
        if banner is None:
            return None
        fields = {"log.level": "ERROR"}
        error = _node_error(banner[1], codec) if banner[1][:1] == "{" else None
        if error is not None:
            fields.update(error_fields(error))
    if fields is not None:
        fields["message"] = text
    return fields


def parse_capped(line: str, settings: Settings, codec: Codec) -> Fields:
    """The fields of a line that may be over the configured size: truncated and flagged if so
    (its JSON object then left out)."""
    oversized = line_is_oversized(line, settings.max_message_bytes)
    fields = parse_line(line, settings, codec, keep_json=not oversized)
    if oversized:
        truncate(fields, line, settings.max_message_bytes)
    return fields

"""The prefixes each Lambda runtime (or its default logger) writes before a message.

Each parser takes the line without its trailing line breaks and returns the fields it found and
the rest of the line (the message), or None when the line is not in its format."""

from __future__ import annotations

import re
from typing import Final

from transformer.javalog import colon_level, pattern_default, spring_boot
from transformer.levels import normalize_level
from transformer.types import Fields

Prefixed = tuple[Fields, str]

_UUID: Final = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# Python: "[INFO]\t2026-11-20T09:14:07.120Z\t<request id>\t<message>"
_PYTHON: Final = re.compile(r"\[([A-Za-z]+)\]\t(\d{4}-\d\d-\d\dT[^\t]*)\t([^\t]*)\t(.*)", re.S)
# Python's unhandled-exception format, Java's "[WARN] text" and similar: "[LEVEL] message"; the
# Python runtime writes a bare "[ERROR]" before the traceback of an exception with neither type
# nor message, joined by "\r" (stdout) or "\n" (the telemetry pipe) (awslambdaric bootstrap.py)
_BRACKET: Final = re.compile(r"\[([A-Za-z]+)\](?:[ \t]+|(?=[\r\n])|$)(.*)", re.S)
# Node.js and .NET: "<ISO ts>\t<request id>\t<LEVEL>\t<message>", the level being optional.
# Cut at the tabs, then the timestamp checked: several times faster than one regex.
_TABBED_TIMESTAMP: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?")
# the level words of Node.js's console and of .NET's logger
_TABBED_LEVELS: Final = frozenset(
    {
        *("TRACE", "DEBUG", "INFO", "WARN", "WARNING", "ERROR", "CRITICAL", "FATAL"),
        *("trce", "dbug", "info", "warn", "fail", "crit"),
        *("Trace", "Debug", "Information", "Warning", "Error", "Critical"),
    }
)
# log4j2 with the Lambda appender: "2026-11-20 12:00:01 <request id> INFO  Logger - message"
_LOG4J: Final = re.compile(
    rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d(?:[.,]\d+)?\s+(?:({_UUID})\s+)?"
    rf"(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\s+(?:([\w$.]+)(?::\d+)?\s+-\s)?(.*)",
    re.S,
)
# Ruby's Logger: "I, [2026-11-20T12:30:00.123456 #8]  INFO <request id> -- progname: message"
_RUBY: Final = re.compile(
    rf"[DIWEFAU], \[[^\]]*\]\s+([A-Z]+)\s+(?:({_UUID})\s+)?--\s?([^:]*?):\s?(.*)", re.S
)
# Go's standard log package: "2026/11/20 12:10:00 message"
_GO: Final = re.compile(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? (.*)", re.S)


_NO_REQUEST_ID: Final = frozenset({"", "undefined", "-"})
_UUID_SHAPE: Final = re.compile(_UUID)


# The request ids met lately: an invocation's lines all carry its id, so most lines ask about
# an id already seen (a dict lookup instead of a regular expression). Bounded: started over
# when full.
_KNOWN_IDS: dict[str, bool] = {}
_KNOWN_IDS_MAX: Final = 4096


def looks_like_request_id(value: str) -> bool:
    """Whether a token has the shape of a Lambda request id: a UUID (8-4-4-4-12 hex digits),
    the only shape the runtimes' prefixes carry (`context.awsRequestId`)."""
    if len(value) != 36 or value[8] != "-":
        return False
    known = _KNOWN_IDS.get(value)
    if known is None:
        if len(_KNOWN_IDS) >= _KNOWN_IDS_MAX:
            _KNOWN_IDS.clear()
        known = _KNOWN_IDS[value] = _UUID_SHAPE.fullmatch(value) is not None
    return known


def _request_id(value: str | None) -> Fields:
    if value is None or not looks_like_request_id(value):
        return {}
    return {"faas.execution": value}


def _with_level(fields: Fields, word: str | None) -> Fields:
    level = normalize_level(word) if word else None
    if level:
        fields["log.level"] = level
    return fields


def python_prefix(line: str) -> Prefixed | None:
    match = _PYTHON.match(line)
    if match is None:
        return None
    word, _, request_id, message = match.groups()
    level = normalize_level(word)
    if level is None:
        return None
    fields = _request_id(request_id)
    fields["log.level"] = level
    return fields, message


def bracket_prefix(line: str) -> Prefixed | None:
    match = _BRACKET.match(line)
    if match is None:
        return None
    level = normalize_level(match.group(1))
    if level is None:
        return None
    message = match.group(2)
    if message[:1] in ("\r", "\n"):  # "[ERROR]\rTraceback …": an error with no type or message
        message = message.lstrip("\r\n")
    return {"log.level": level}, message or line


# Trace ids some tracers write in front of the message: Datadog's console patch
# (datadog-lambda-js trace/patch-console.ts: "[dd.trace_id=123 dd.span_id=456] Hello") and
# ddtrace's log injection ("[dd.service=… dd.env=… dd.version=… dd.trace_id=… dd.span_id=…]").
_TRACE_PREFIX: Final = re.compile(r"\[((?:dd\.[\w.]+=[^\s\]]*\s*)+)\] ?(.*)", re.S)


def trace_prefix(line: str) -> Prefixed | None:
    """`[dd.trace_id=… dd.span_id=…] <message>` → ({trace.id}, message)."""
    if not line.startswith("[dd."):
        return None
    match = _TRACE_PREFIX.match(line)
    if match is None:
        return None
    fields: Fields = {}
    for pair in match.group(1).split():
        key, _, value = pair.partition("=")
        if key == "dd.trace_id" and value and value != "0":
            fields["trace.id"] = value
    return fields, match.group(2)


def tabbed_prefix(line: str) -> Prefixed | None:
    parts = line.split("\t", 3)
    if len(parts) < 3 or _TABBED_TIMESTAMP.fullmatch(parts[0]) is None:
        return None
    request_id = parts[1]
    if request_id in _TABBED_LEVELS:  # "<ts>\t<LEVEL>\t<message>": no request id
        rest = line[len(parts[0]) + len(request_id) + 2 :]
        return {"log.level": normalize_level(request_id)}, rest
    if request_id not in _NO_REQUEST_ID and not looks_like_request_id(request_id):
        return None  # "<ts>\t<word>\t…": not a runtime prefix, the whole line is the message
    fields: Fields = {}
    if len(parts) == 4 and parts[2] in _TABBED_LEVELS:
        fields["log.level"] = normalize_level(parts[2])
        message = parts[3]
    else:
        message = line[len(parts[0]) + len(request_id) + 2 :]
    if request_id not in _NO_REQUEST_ID:
        fields["faas.execution"] = request_id
    return fields, message


def log4j_prefix(line: str) -> Prefixed | None:
    match = _LOG4J.match(line)
    if match is None:
        return None
    fields = _with_level(_request_id(match.group(1)), match.group(2))
    if match.group(3):
        fields["log.logger"] = match.group(3)
    return fields, match.group(4)


def ruby_prefix(line: str) -> Prefixed | None:
    match = _RUBY.match(line)
    if match is None:
        return None
    fields = _with_level(_request_id(match.group(2)), match.group(1))
    if match.group(3).strip():
        fields["log.logger"] = match.group(3).strip()
    return fields, match.group(4)


# log/slog's default handler writes through the log package: "<date> <time> INFO msg k=v"
_SLOG_LEVELS: Final = ("DEBUG ", "INFO ", "WARN ", "ERROR ")


def go_prefix(line: str) -> Prefixed | None:
    match = _GO.match(line)
    if match is None:
        return None
    message = match.group(1)
    if message[:1] in "DIWE" and message.startswith(_SLOG_LEVELS):
        word, _, rest = message.partition(" ")
        return {"log.level": normalize_level(word)}, rest
    return {}, message


def _digit_prefix(line: str) -> Prefixed | None:
    if len(line) < 20:
        return None
    separator = line[10]
    if separator == "T":
        return tabbed_prefix(line) or spring_boot(line)
    if separator == " " and line[4] == "-":
        return log4j_prefix(line) or spring_boot(line)
    if line[4] == "/":
        return go_prefix(line)
    if line[2] == ":":
        return pattern_default(line)
    return None


_RUBY_FIRST: Final = frozenset("DIWEFAU")


def parse_prefix(line: str) -> Prefixed | None:
    """Fields and message of a runtime-prefixed line, or None for a line with no known prefix."""
    first = line[:1]
    if first == "[":
        return python_prefix(line) or bracket_prefix(line) or trace_prefix(line)
    if "0" <= first <= "9":
        return _digit_prefix(line)
    if "A" <= first <= "Z":
        if line[1:3] == ", ":
            return ruby_prefix(line) if first in _RUBY_FIRST else None
        return colon_level(line)
    return None

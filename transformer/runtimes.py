"""The prefixes each Lambda runtime (or its default logger) writes before a message.

Each parser takes the line without its trailing line breaks and returns the fields it found and
the rest of the line (the message), or None when the line is not in its format."""

from __future__ import annotations

import re
from typing import Final

from transformer.levels import normalize_level
from transformer.types import Fields

Prefixed = tuple[Fields, str]

_UUID: Final = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# Python: "[INFO]\t2026-11-20T09:14:07.120Z\t<request id>\t<message>"
_PYTHON: Final = re.compile(r"\[([A-Za-z]+)\]\t(\d{4}-\d\d-\d\dT[^\t]*)\t([^\t]*)\t(.*)", re.S)
# Python's unhandled-exception format, Java's "[WARN] text" and similar: "[LEVEL] message"
_BRACKET: Final = re.compile(r"\[([A-Za-z]+)\][ \t]+(.*)", re.S)
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
    rf"(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\s+(?:([\w$.]+)\s+-\s)?(.*)",
    re.S,
)
# Ruby's Logger: "I, [2026-11-20T12:30:00.123456 #8]  INFO <request id> -- progname: message"
_RUBY: Final = re.compile(
    rf"[DIWEFAU], \[[^\]]*\]\s+([A-Z]+)\s+(?:({_UUID})\s+)?--\s?([^:]*?):\s?(.*)", re.S
)
# Go's standard log package: "2026/11/20 12:10:00 message"
_GO: Final = re.compile(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? (.*)", re.S)


_NO_REQUEST_ID: Final = frozenset({"", "undefined", "-"})


def _request_id(value: str | None) -> Fields:
    return {} if value is None or value in _NO_REQUEST_ID else {"faas.execution": value}


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
    return ({"log.level": level}, match.group(2)) if level is not None else None


def tabbed_prefix(line: str) -> Prefixed | None:
    parts = line.split("\t", 3)
    if len(parts) < 3 or _TABBED_TIMESTAMP.fullmatch(parts[0]) is None:
        return None
    request_id = parts[1]
    if not request_id or "\n" in request_id:
        return None
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


def go_prefix(line: str) -> Prefixed | None:
    match = _GO.match(line)
    return ({}, match.group(1)) if match else None


def _digit_prefix(line: str) -> Prefixed | None:
    if len(line) < 20:
        return None
    separator = line[10]
    if separator == "T":
        return tabbed_prefix(line)
    if separator == " " and line[4] == "-":
        return log4j_prefix(line)
    if line[4] == "/":
        return go_prefix(line)
    return None


_RUBY_FIRST: Final = frozenset("DIWEFAU")


def parse_prefix(line: str) -> Prefixed | None:
    """Fields and message of a runtime-prefixed line, or None for a line with no known prefix."""
    first = line[:1]
    if first == "[":
        return python_prefix(line) or bracket_prefix(line)
    if "0" <= first <= "9":
        return _digit_prefix(line)
    if first in _RUBY_FIRST:
        return ruby_prefix(line)
    return None

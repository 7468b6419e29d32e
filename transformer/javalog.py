"""Java's text logging defaults, as a Lambda function's stdout carries them.

- logback's and log4j2's documented default pattern `%d{HH:mm:ss.SSS} [%thread] %-5level
  %logger{36} - %msg%n`: `12:00:01.123 [main] INFO  com.example.Handler - message`;
- Spring Boot's console pattern: `2026-11-20T12:00:01.123Z  INFO 9 --- [main]
  c.e.Handler : message` (Boot 3; Boot 2 writes a space instead of the `T`);
- java.util.logging's SimpleFormatter, whose second line is `LEVEL: message` (`SEVERE: …`,
  `WARNING: …`, `INFO: …`), a convention System.out users follow too (`ERROR: …`)."""

from __future__ import annotations

import re
from typing import Final

from transformer.levels import normalize_level
from transformer.types import Fields

Prefixed = tuple[Fields, str]

_LEVEL: Final = r"(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)"
_PATTERN_DEFAULT: Final = re.compile(
    rf"\d\d:\d\d:\d\d[.,]\d{{3}} \[[^\]]*\] {_LEVEL}\s+([\w$.]+) - (.*)", re.S
)
_SPRING_BOOT: Final = re.compile(
    rf"\d{{4}}-\d\d-\d\d[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?\s+{_LEVEL}\s+\d+ --- "
    r"(?:\[[^\]]*\]\s+)+([\w$.\[\]/-]+)\s*: (.*)",
    re.S,
)
# java.util.logging's levels and the words System.out conventions use before ": "
_COLON_LEVELS: Final = frozenset(
    {
        *("SEVERE", "WARNING", "INFO", "CONFIG", "FINE", "FINER", "FINEST"),
        *("ERROR", "WARN", "DEBUG", "TRACE", "FATAL", "CRITICAL"),
    }
)
_LONGEST_COLON_LEVEL: Final = max(map(len, _COLON_LEVELS))


def _fields(level: str, logger: str) -> Fields:
    fields: Fields = {"log.logger": logger}
    found = normalize_level(level)
    if found:
        fields["log.level"] = found
    return fields


def pattern_default(line: str) -> Prefixed | None:
    """`HH:mm:ss.SSS [thread] LEVEL logger - message`."""
    match = _PATTERN_DEFAULT.match(line)
    return (_fields(match.group(1), match.group(2)), match.group(3)) if match else None


def spring_boot(line: str) -> Prefixed | None:
    """`<timestamp>  LEVEL <pid> --- [thread] logger : message`."""
    if " --- " not in line:
        return None
    match = _SPRING_BOOT.match(line)
    return (_fields(match.group(1), match.group(2)), match.group(3)) if match else None


def colon_level(line: str) -> Prefixed | None:
    """`LEVEL: message`: java.util.logging's second line and System.out's convention."""
    colon = line.find(": ", 0, _LONGEST_COLON_LEVEL + 1)
    if colon < 4 or line[:colon] not in _COLON_LEVELS:
        return None
    level = normalize_level(line[:colon])
    return ({"log.level": level} if level else {}), line[colon + 2 :]

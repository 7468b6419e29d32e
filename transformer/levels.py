"""Log levels of every runtime and logging library, normalised to the DESIGN set."""

from __future__ import annotations

from typing import Final

LEVEL_WORDS: Final[dict[str, str]] = {
    "trace": "TRACE",
    "trce": "TRACE",
    "verbose": "DEBUG",
    "debug": "DEBUG",
    "dbug": "DEBUG",
    "info": "INFO",
    "information": "INFO",
    "informational": "INFO",
    "notice": "INFO",
    "config": "INFO",
    "fine": "DEBUG",
    "finer": "TRACE",
    "finest": "TRACE",
    "severe": "ERROR",
    "warn": "WARN",
    "warning": "WARN",
    "error": "ERROR",
    "err": "ERROR",
    "fail": "ERROR",
    "exception": "ERROR",
    "fatal": "FATAL",
    "critical": "FATAL",
    "crit": "FATAL",
    "alert": "FATAL",
    "emerg": "FATAL",
    "emergency": "FATAL",
    "panic": "FATAL",
}

# pino / bunyan numeric levels, the most common numeric scheme in Lambda JSON logs.
LEVEL_NUMBERS: Final[dict[int, str]] = {
    10: "TRACE",
    20: "DEBUG",
    30: "INFO",
    40: "WARN",
    50: "ERROR",
    60: "FATAL",
}


# The spellings met most, looked up as they are: "info", "INFO", "Info".
_AS_WRITTEN: Final[dict[str, str]] = {
    spelling: level
    for word, level in LEVEL_WORDS.items()
    for spelling in (word, word.upper(), word.capitalize())
}


def normalize_level(value: object) -> str | None:
    """`WARNING` → `WARN`, `CRITICAL` → `FATAL`, `fail` → `ERROR`, 30 → `INFO`; None if unknown."""
    if isinstance(value, str):
        found = _AS_WRITTEN.get(value)
        return found if found is not None else LEVEL_WORDS.get(value.strip().lower())
    if isinstance(value, int) and not isinstance(value, bool):
        return LEVEL_NUMBERS.get(value)
    return None

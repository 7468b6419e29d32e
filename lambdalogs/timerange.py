"""Times on the command line and in documents: ISO 8601 (UTC unless an offset is given), `now`,
or an age; and the one ISO-to-epoch-milliseconds conversion."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Final

from lambdalogs.errors import InputError

_AGE: Final = re.compile(r"(\d+)\s*([smhdw])")
_UNITS: Final = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
HINT: Final = "use ISO 8601 (2026-11-20 or 2026-11-20T14:00:00Z), `now`, or an age like 90m, 6h, 2d"


def parse(text: str, *, now: datetime | None = None) -> datetime:
    current = now or datetime.now(UTC)
    cleaned = text.strip()
    if cleaned.lower() == "now":
        return current
    age = _AGE.fullmatch(cleaned)
    if age:
        return current - timedelta(**{_UNITS[age.group(2)]: int(age.group(1))})
    moment = from_iso(cleaned)
    if moment is None:
        raise InputError(f"{text!r} is not a time; {HINT}")
    return moment


def from_iso(text: str) -> datetime | None:
    """An ISO 8601 time (`Z` or an offset; UTC when it has neither), None when it is not one."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def to_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def iso_to_ms(text: str) -> int | None:
    """An ISO 8601 time in epoch milliseconds, None when it is not one."""
    moment = from_iso(text)
    return None if moment is None else to_ms(moment)

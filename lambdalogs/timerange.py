"""Times on the command line: ISO 8601 (UTC unless an offset is given), `now`, or an age."""

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
    try:
        moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{text!r} is not a time; {HINT}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def to_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)

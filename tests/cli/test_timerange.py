"""Times: one ISO 8601 to epoch-milliseconds conversion for options, log files and documents."""

from __future__ import annotations

import pytest

from lambdalogs import timerange
from lambdalogs.documents import timestamp_ms
from lambdalogs.errors import InputError

MS = 1_795_166_047_120  # 2026-11-20T09:14:07.120Z


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-20T09:14:07.120Z",
        "2026-11-20T09:14:07.120000000Z",  # nanoseconds, as some exports write them
        "2026-11-20T10:14:07.120+01:00",
        "2026-11-20T09:14:07.120",  # no offset: UTC
    ],
)
def test_iso_to_ms_reads_every_form(text: str) -> None:
    assert timerange.iso_to_ms(text) == MS
    assert timestamp_ms({"@timestamp": text}) == MS
    assert timerange.to_ms(timerange.parse(text)) == MS


@pytest.mark.parametrize("text", ["2026-13-20T09:14:07Z", "yesterday", ""])
def test_what_is_not_a_time(text: str) -> None:
    assert timerange.iso_to_ms(text) is None
    assert timestamp_ms({"@timestamp": text}) == 0
    with pytest.raises(InputError, match="ISO 8601"):
        timerange.parse(text or "x")


def test_an_age_counts_back_from_now() -> None:
    now = timerange.parse("2026-11-20T12:00:00Z")
    assert timerange.parse("90m", now=now) == timerange.parse("2026-11-20T10:30:00Z")

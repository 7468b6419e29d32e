"""An operator's own log files for `preview`: filter-log-events JSON, an export, or plain lines."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

from lambdalogs.errors import InputError
from lambdalogs.gzipped import gunzip
from lambdalogs.local.logevents import CloudWatchEvent, LogBatch
from lambdalogs.timerange import iso_to_ms

Format = Literal["auto", "filter-log-events", "export", "lines"]
FORMATS: Final = ("auto", "filter-log-events", "export", "lines")
DEFAULT_GROUP: Final = "/aws/lambda/preview"

# An export line: "<ISO timestamp> <message>" (a Lambda timeout line has the same shape, so a
# file whose first line is one is read as plain lines).
_EXPORT_LINE: Final = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z) (.*)\Z", re.S)
_ANY_TIME: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z")
_TRACEBACK: Final = "Traceback (most recent call last):"
_TIMEOUT: Final = re.compile(r"\S+ Task timed out after ")
_STREAM_IN_PATH: Final = re.compile(r"\d{4}/\d\d/\d\d/\[[^\]/]+\][0-9a-fA-F]+")
_FORMAT_HINT: Final = (
    "pass the JSON of `aws logs filter-log-events`, a CloudWatch Logs export (.gz or lines "
    "'<ISO time> <message>') or plain log lines with --log-group"
)


def read(
    path: Path, *, fmt: Format = "auto", log_group: str | None = None, log_stream: str | None = None
) -> tuple[list[LogBatch], Format]:
    """The file's log events grouped by stream, and the format it was read as."""
    text = _text(path)
    chosen = _detect(text) if fmt == "auto" else fmt
    if chosen == "filter-log-events":
        return _from_json(path, text, log_group, log_stream), chosen
    if not text.strip():
        raise InputError(f"{path} holds no log lines; {_FORMAT_HINT}")
    stream = log_stream or _stream_from_path(path)
    if chosen == "export":
        return [_batch(log_group or DEFAULT_GROUP, stream, _export_events(path, text))], chosen
    if not log_group:
        raise InputError(
            f"{path} holds plain log lines: name their log group with --log-group "
            "(e.g. --log-group /aws/lambda/my-function)"
        )
    return [_batch(log_group, stream, _line_events(text))], chosen


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as error:
        raise InputError(f"{path} does not exist; {_FORMAT_HINT}") from error
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from error
    raw = gunzip(raw, damaged=f"{path} is a damaged gzip file; download it again")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path} is not UTF-8 text; {_FORMAT_HINT}") from error


def _detect(text: str) -> Format:
    head = text.lstrip()
    if head.startswith(("{", "[")) and _is_event_listing(head):
        return "filter-log-events"
    first = head.split("\n", 1)[0]
    if _EXPORT_LINE.match(first) and not _TIMEOUT.match(first):
        return "export"
    return "lines"


def _is_event_listing(text: str) -> bool:
    """The whole text is JSON holding log events (not, say, one JSON log line)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return False
    events = data.get("events") if isinstance(data, dict) else data
    return isinstance(events, list) and all(isinstance(e, dict) and "message" in e for e in events)


def _from_json(
    path: Path, text: str, log_group: str | None, log_stream: str | None
) -> list[LogBatch]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path} is not valid JSON (line {error.lineno}); {_FORMAT_HINT}"
        ) from None
    raw_events = data.get("events") if isinstance(data, dict) else data
    if not isinstance(raw_events, list) or not all(isinstance(e, dict) for e in raw_events):
        raise InputError(f"{path} has no 'events' list; {_FORMAT_HINT}")
    batches: dict[str, LogBatch] = {}
    group = log_group or DEFAULT_GROUP
    for number, raw in enumerate(raw_events):
        event = _json_event(path, number, raw)
        stream = log_stream or str(raw.get("logStreamName") or _default_stream(event["timestamp"]))
        batches.setdefault(stream, LogBatch(group, stream)).events.append(event)
    for batch in batches.values():
        batch.events.sort(key=lambda e: e["timestamp"])
    return list(batches.values())


def _json_event(path: Path, number: int, raw: dict[str, Any]) -> CloudWatchEvent:
    timestamp, message = raw.get("timestamp"), raw.get("message")
    if not isinstance(timestamp, int) or not isinstance(message, str):
        raise InputError(
            f"{path}: event {number} lacks a numeric 'timestamp' or a 'message'; {_FORMAT_HINT}"
        )
    event_id = raw.get("eventId")
    return {
        "id": str(event_id) if event_id else _synthetic_id(timestamp, number, message),
        "timestamp": timestamp,
        "message": message,
    }


def _export_events(path: Path, text: str) -> list[CloudWatchEvent]:
    """Lines '<ISO time> <message>'; lines without a time continue the previous message."""
    events: list[CloudWatchEvent] = []
    for line in text.splitlines(keepends=True):
        found = _EXPORT_LINE.match(line)
        if found:
            timestamp = iso_to_ms(found.group(1))
            if timestamp is None:
                raise InputError(f"{path}: {found.group(1)!r} is not a valid time; {_FORMAT_HINT}")
            message = found.group(2)
            events.append(
                {
                    "id": _synthetic_id(timestamp, len(events), message),
                    "timestamp": timestamp,
                    "message": message,
                }
            )
        elif events:
            events[-1]["message"] += line
        elif line.strip():
            raise InputError(f"{path} does not start with '<ISO time> <message>'; {_FORMAT_HINT}")
    return events


def _line_events(text: str, now_ms: int | None = None) -> list[CloudWatchEvent]:
    """One event per line; indented lines and Python tracebacks continue the previous one."""
    base = now_ms if now_ms is not None else int(time.time() * 1000)
    messages: list[str] = []
    in_traceback = False
    for line in text.splitlines(keepends=True):
        indented = line[:1] in (" ", "\t", "\xa0")
        if messages and (indented or in_traceback or line.startswith(_TRACEBACK)):
            messages[-1] += line
            in_traceback = line.startswith(_TRACEBACK) or (in_traceback and indented)
        elif line.strip():
            messages.append(line)
    times = _line_times(messages, base)
    return [
        {"id": _synthetic_id(times[n], n, m), "timestamp": times[n], "message": m}
        for n, m in enumerate(messages)
    ]


def _line_times(messages: list[str], base: int) -> list[int]:
    """The time each line names (runtime prefixes carry one); lines without one take the time of
    the nearest line before (or, at the start, after) them; no time at all: now, 1 ms apart."""
    found: list[int | None] = []
    for message in messages:
        stamp = _ANY_TIME.search(message[:80])
        found.append(iso_to_ms(stamp.group(0)) if stamp else None)
    known = [t for t in found if t is not None]
    if not known:
        return [base + n for n in range(len(messages))]
    times, last = [], known[0]
    for value in found:
        last = value if value is not None else last
        times.append(last)
    return times


def _batch(group: str, stream: str | None, events: Iterable[CloudWatchEvent]) -> LogBatch:
    listed = sorted(events, key=lambda e: e["timestamp"])
    first = listed[0]["timestamp"] if listed else int(time.time() * 1000)
    return LogBatch(group, stream or _default_stream(first), listed)


def _stream_from_path(path: Path) -> str | None:
    found = _STREAM_IN_PATH.search(path.as_posix())
    return found.group(0) if found else None


def _default_stream(timestamp_ms: int) -> str:
    day = datetime.fromtimestamp(timestamp_ms / 1000, UTC).strftime("%Y/%m/%d")
    return f"{day}/[$LATEST]{'0' * 32}"


def _synthetic_id(timestamp: int, number: int, message: str) -> str:
    """A stable 56-digit id (like CloudWatch's) for events whose source does not carry one,
    increasing with time and then with the order in the file."""
    digest = int(hashlib.sha256(f"{timestamp}:{number}:{message}".encode()).hexdigest(), 16)
    return f"{timestamp:013d}{number:010d}{digest % 10**33:033d}"

"""Log events in JSON or CSV, as the AWS CLI and the Logs Insights console write them.

- `filter-log-events`: `aws logs filter-log-events` / `get-log-events`: `{"events": [{"timestamp":
  <epoch ms>, "message", "logStreamName"?, "eventId"?}]}` (a bare list of events too);
- `json-lines`: one such event object a line (`sam logs --output json`, CWLogEventJSONMapper);
- `insights`: `aws logs get-query-results`: `{"results": [[{"field": "@timestamp", "value":
  "2024-05-19 06:10:35.743"}, {"field": "@message", …}, {"field": "@logStream", …}, …]]}`
  (awscli/examples/logs/get-query-results.rst; newest first, UTC), or the console's JSON download
  (a list of `{"@timestamp": …, "@message": …}` rows);
- `insights-csv`: the console's CSV download, a header row naming `@timestamp` and `@message`
  (`@logStream`, `@log` = `<account>:<log group>` when the query kept them).

The JSON documents are parsed whole (a JSON file is read into memory); CSV is read a row at a time.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any, Final

from lambdalogs.errors import InputError
from lambdalogs.local.entries import Entry, event
from lambdalogs.timerange import iso_to_ms

JSON_FORMATS: Final = ("filter-log-events", "json-lines", "insights", "insights-csv")
_INSIGHTS_KEYS: Final = ("@timestamp", "@message")


def document_format(data: Any) -> str | None:
    """Which listing a parsed JSON document is, None when it is none (say, one JSON log line)."""
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return "insights"
    events = data.get("events") if isinstance(data, dict) else data
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        return None
    if events and all("@message" in e for e in events):
        return "insights"
    if all("message" in e for e in events) and (isinstance(data, dict) or events):
        return "filter-log-events"
    return None


def is_event_line(line: str) -> bool:
    """One event object of `sam logs --output json` (not a JSON log message)."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return False
    return (
        isinstance(value, dict)
        and isinstance(value.get("timestamp"), int)
        and isinstance(value.get("message"), str)
    )


def is_insights_header(line: str) -> bool:
    row = next(csv.reader([line.lstrip("\ufeff")]), [])
    return all(key in row for key in _INSIGHTS_KEYS)


def document_entries(name: str, fmt: str, data: Any, numbers: Iterator[int]) -> Iterator[Entry]:
    if fmt == "insights":
        rows = data["results"] if isinstance(data, dict) and "results" in data else data
        for number, row in enumerate(rows):
            yield _insights_entry(name, number, _fields(name, number, row), numbers)
        return
    events = data.get("events") if isinstance(data, dict) else data
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise InputError(f"{name} has no 'events' list; pass the JSON filter-log-events prints")
    for number, raw in enumerate(events):
        yield _cloudwatch_entry(name, number, raw, numbers)


def json_line_entries(name: str, lines: Iterable[str], numbers: Iterator[int]) -> Iterator[Entry]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError:
            raise InputError(f"{name}:{number} is not JSON; each line must be one event") from None
        yield _cloudwatch_entry(name, number, raw if isinstance(raw, dict) else {}, numbers)


def csv_entries(name: str, lines: Iterable[str], numbers: Iterator[int]) -> Iterator[Entry]:
    rows = csv.DictReader(line.lstrip("\ufeff") if n == 0 else line for n, line in enumerate(lines))
    for number, row in enumerate(rows, start=1):
        yield _insights_entry(name, number, {k: v for k, v in row.items() if k}, numbers)


def _cloudwatch_entry(name: str, number: int, raw: dict[str, Any], numbers: Iterator[int]) -> Entry:
    timestamp, message = raw.get("timestamp"), raw.get("message")
    if not isinstance(timestamp, int) or not isinstance(message, str):
        raise InputError(
            f"{name}: event {number} lacks a numeric 'timestamp' or a 'message'; pass the JSON "
            "filter-log-events prints"
        )
    stream = raw.get("logStreamName")
    event_id = raw.get("eventId")
    return Entry(
        None,
        str(stream) if stream else None,
        event(timestamp, next(numbers), message, str(event_id) if event_id else None),
    )


def _fields(name: str, number: int, row: Any) -> dict[str, Any]:
    if isinstance(row, dict):
        return row
    if isinstance(row, list) and all(isinstance(f, dict) and "field" in f for f in row):
        return {str(f["field"]): f.get("value") for f in row}
    raise InputError(f"{name}: result {number} is not a list of {{field, value}}")


def _insights_entry(
    name: str, number: int, fields: dict[str, Any], numbers: Iterator[int]
) -> Entry:
    stamp, message = fields.get("@timestamp"), fields.get("@message")
    if not isinstance(message, str) or not isinstance(stamp, str):
        raise InputError(
            f"{name}: result {number} lacks @timestamp or @message; end the query with "
            "`| fields @timestamp, @message, @logStream, @log`"
        )
    timestamp = iso_to_ms(stamp)
    if timestamp is None:
        raise InputError(f"{name}: result {number}: {stamp!r} is not a valid @timestamp")
    log = fields.get("@log")
    group = log.split(":", 1)[1] if isinstance(log, str) and ":" in log else None
    stream = fields.get("@logStream")
    return Entry(
        group,
        stream if isinstance(stream, str) and stream else None,
        event(timestamp, next(numbers), message),
    )

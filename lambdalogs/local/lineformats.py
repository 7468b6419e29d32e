"""Log files of one event per line (or per header line and its continuation lines), read lazily.

The shapes, from the tools that write them:

- `tail`: `aws logs tail` (AWS CLI v2, awscli/customizations/logs/tail.py,
  DetailedLogEventsFormatter): `<isoformat(timespec='microseconds')> <stream> <message>`, the time
  in UTC (`2026-11-21T09:14:07.120000+00:00`), the message right-stripped; `--format json` is the
  same with `isoformat()` (no fraction on a whole second) and a JSON message pretty-printed on the
  lines after the header;
- `tail-short`: `aws logs tail --format short` (ShortLogEventsFormatter):
  `<%Y-%m-%dT%H:%M:%S> <message>`, UTC, whole seconds (the milliseconds of a runtime prefix of
  the same second are taken);
- `sam-logs`: `sam logs` (aws-sam-cli, samcli/lib/observability/cw_logs/cw_log_formatters.py,
  CWPrettyPrintFormatter): `<stream> <isoformat()> <message>`, JSON messages indented;
- `export`: a CreateExportTask object in S3: `<ISO time>Z <message>`;
- `console`: rows copied from the CloudWatch console's log events table with its timestamp
  column: `<time>\\t<message>` (UTC `Z` or the browser's offset);
- `lines`: messages only (the console without the timestamp column, a local log file): one event
  per line, indented lines and Python tracebacks continue the one before.

On a terminal `aws logs tail` and `sam logs` colour the time and stream; the colour codes are
dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Final

from lambdalogs.errors import InputError
from lambdalogs.local.entries import Entry, event
from lambdalogs.timerange import iso_to_ms

_DATE: Final = r"\d{4}-\d\d-\d\d"
_UTC_MICROS: Final = rf"{_DATE}T\d\d:\d\d:\d\d(?:\.\d{{6}})?\+00:00"
_HEADERS: Final = {
    "tail": re.compile(rf"(?P<time>{_UTC_MICROS}) (?P<stream>\S+)(?: (?P<message>.*))?\Z", re.S),
    "sam-logs": re.compile(
        rf"(?P<stream>\S+) (?P<time>{_UTC_MICROS})(?: (?P<message>.*))?\Z", re.S
    ),
    "export": re.compile(
        rf"(?P<time>{_DATE}T\d\d:\d\d:\d\d(?:\.\d{{1,9}})?Z) (?P<message>.*)\Z", re.S
    ),
    "tail-short": re.compile(rf"(?P<time>{_DATE}T\d\d:\d\d:\d\d) (?P<message>.*)\Z", re.S),
    "console": re.compile(
        rf"(?P<time>{_DATE}[T ]\d\d:\d\d:\d\d(?:\.\d{{1,9}})?(?:Z|[+-]\d\d:?\d\d)?)\t+"
        r"(?P<message>.*)\Z",
        re.S,
    ),
}
LINE_FORMATS: Final = (*_HEADERS, "lines")
_ANSI: Final = re.compile(r"\x1b\[[0-9;]*m")
_NODE_PREFIX: Final = re.compile(r"[0-9a-fA-F-]{36}\t[A-Z]+\t")  # after Node's own time + tab
_TIMEOUT: Final = re.compile(r"\S+ Task timed out after ")
_CONSOLE_BANNERS: Final = ("No older events at this moment", "No newer events at this moment")
_TRACEBACK: Final = "Traceback (most recent call last):"
_EXCEPTION: Final = re.compile(r"[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)\b")
_ANY_TIME: Final = re.compile(rf"{_DATE}T\d\d:\d\d:\d\d(?:\.\d{{1,9}})?Z")
_LAMBDA_LINE: Final = re.compile(
    r"(?:START|END|REPORT) RequestId: |INIT_START |INIT_REPORT |Task timed out after "
    r"|EXTENSION\t|TELEMETRY\t|\[[A-Za-z]+\]\t\d{4}-\d\d-\d\dT"
    r"|\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-fA-F-]{36}\t"
    r'|"(?:requestId|AWSRequestId|aws_request_id|xray_trace_id)"\s*:|"type"\s*:\s*"platform\.'
)
MAX_UNTIMED: Final = 10_000  # lines held back while waiting for the first line with a time


def clean(line: str) -> str:
    return _ANSI.sub("", line) if "\x1b[" in line else line


def is_lambda_line(message: str) -> bool:
    """START/END/REPORT, a platform line, a runtime's prefix or a JSON line with a request id."""
    return _LAMBDA_LINE.search(message[:500]) is not None


def not_lambda(name: str, read_as: str, events: int) -> str:
    return (
        f"no line of {name} looked like a Lambda log line (read as {read_as}: {events:,} events, "
        "none with START/END/REPORT or a runtime's prefix); pass the log of a function "
        "(/aws/lambda/<name>), or name the format with --format"
    )


def detect(head: Iterable[str]) -> str:
    """The format of the first non-blank line (colour codes dropped)."""
    first = next(
        (clean(line) for line in head if line.strip() and not line.startswith(_CONSOLE_BANNERS)),
        "",
    )
    for name, pattern in _HEADERS.items():
        found = pattern.match(first)
        if not found:
            continue
        if name == "export" and _TIMEOUT.match(first):
            continue  # a Lambda timeout line has the shape of an export line
        if name == "console" and _NODE_PREFIX.match(found["message"]):
            continue  # a Node.js runtime line: its own time, tab, request id, level
        return name
    return "lines"


def entries(fmt: str, name: str, lines: Iterable[str], numbers: Iterator[int]) -> Iterator[Entry]:
    """The events of `lines` read as `fmt`; `numbers` orders events of the same millisecond."""
    if fmt == "lines":
        yield from _line_entries(name, lines, numbers)
        return
    pattern = _HEADERS[fmt]
    current: list[str] = []
    stream: str | None = None
    timestamp, started = 0, False
    for raw in lines:
        line = clean(raw)
        found = pattern.match(line)
        if found and not (fmt == "console" and line.startswith(_CONSOLE_BANNERS)):
            if started:
                yield Entry(None, stream, event(timestamp, next(numbers), "".join(current)))
            message = found["message"] or ""
            timestamp, started = _time(name, found["time"]), True
            if fmt == "tail-short":
                timestamp = _within_second(timestamp, message)
            stream = found.groupdict().get("stream")
            current = [message] if message.strip() else []  # tail --format json: JSON below
        elif started:
            current.append(line)
        elif line.strip() and not line.startswith(_CONSOLE_BANNERS):
            raise InputError(f"{name} does not start with a line of `{fmt}` ({_shape(fmt)})")
    if started:
        yield Entry(None, stream, event(timestamp, next(numbers), "".join(current)))


def _shape(fmt: str) -> str:
    return {
        "tail": "'<time>+00:00 <stream> <message>'",
        "sam-logs": "'<stream> <time>+00:00 <message>'",
        "export": "'<ISO time>Z <message>'",
        "tail-short": "'<YYYY-MM-DDTHH:MM:SS> <message>'",
        "console": "'<time><tab><message>'",
    }[fmt]


def _within_second(second_ms: int, message: str) -> int:
    """`tail --format short` prints whole seconds; a runtime prefix of the same second in the
    message (`[INFO]\t2026-…T09:14:07.120Z\t…`) gives the milliseconds."""
    stamp = _ANY_TIME.search(message[:80])
    exact = iso_to_ms(stamp.group(0)) if stamp else None
    return exact if exact is not None and exact // 1000 * 1000 == second_ms else second_ms


def _time(name: str, text: str) -> int:
    timestamp = iso_to_ms(text.replace(",", "."))
    if timestamp is None:
        raise InputError(f"{name}: {text!r} is not a valid time; check the file is not damaged")
    return timestamp


def _line_entries(name: str, lines: Iterable[str], numbers: Iterator[int]) -> Iterator[Entry]:
    """One event per message; the time each names (runtime prefixes carry one); a message without
    one takes the time of the nearest before it (at the start: after it). Never the clock."""
    waiting: list[str] = []
    last: int | None = None
    for message in _messages(lines):
        stamp = _ANY_TIME.search(message[:80])
        found = iso_to_ms(stamp.group(0)) if stamp else None
        if found is None and last is None:
            waiting.append(message)
            if len(waiting) > MAX_UNTIMED:
                break
            continue
        last = found if found is not None else last
        assert last is not None
        for held in waiting:
            yield Entry(None, None, event(last, next(numbers), held))
        waiting = []
        yield Entry(None, None, event(last, next(numbers), message))
    if waiting and not any(is_lambda_line(m) for m in waiting):
        raise InputError(not_lambda(name, "lines", len(waiting)))
    if waiting:
        raise InputError(
            f"{name}: no line names its time (the first {len(waiting):,} lines); copy the lines "
            "with the console's timestamp column, or use `aws logs tail` or filter-log-events"
        )


def _messages(lines: Iterable[str]) -> Iterator[str]:
    """Lines joined into messages: indented lines and a Python traceback (its frames and its
    closing `Error: …` line) continue the message before; any other line starts a new one, so
    Lambda's `END RequestId` after a traceback is an event of its own."""
    current: list[str] = []
    in_traceback = False
    for raw in lines:
        line = clean(raw)
        indented = line[:1] in (" ", "\t", "\xa0")
        if current and line.startswith(_TRACEBACK):
            current.append(line)
            in_traceback = True
        elif current and (indented or (in_traceback and _EXCEPTION.match(line))):
            current.append(line)
            in_traceback = in_traceback and indented
        elif line.strip() and not line.startswith(_CONSOLE_BANNERS):
            if current:
                yield "".join(current)
            current, in_traceback = [line], False
    if current:
        yield "".join(current)

"""An operator's own log files for `preview`: every format detected (see lineformats.py and
jsonformats.py for their shapes), read lazily and grouped by stream a chunk at a time."""

from __future__ import annotations

import io
import itertools
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Final, cast

from lambdalogs.errors import InputError
from lambdalogs.gzipped import gunzip, is_gzip
from lambdalogs.local import jsonformats, lineformats, textinput
from lambdalogs.local.entries import Entry
from lambdalogs.local.logevents import LogBatch
from lambdalogs.local.textinput import FORMAT_HINT, Source

FORMATS: Final = ("auto", *jsonformats.JSON_FORMATS, *lineformats.LINE_FORMATS)
DEFAULT_GROUP: Final = "/aws/lambda/preview"
CHUNK_EVENTS: Final = 5_000  # events through the transformer at a time (about 0.4 s)
_NEEDS_GROUP: Final = ("lines", "console")  # messages that do not say where they come from
_HEAD_LINES: Final = 20
_SNIFF: Final = 4096  # bytes looked at for gzip, a BOM, UTF-16 or binary
STDIN: Final = "-"
_WRITE_TEST: Final = "aws-logs-write-test"  # the object CreateExportTask writes to check access
_STREAM_IN_PATH: Final = re.compile(r"\d{4}/\d\d/\d\d/\[[^\]/]+\][0-9a-fA-F]+")


@dataclass
class Reading:
    """A file's events, read as they are consumed; `formats` fills in as each input is opened."""

    name: str
    entries: Iterator[Entry]
    formats: list[str] = field(default_factory=list)
    events: int = 0


def read(
    path: Path, *, fmt: str = "auto", log_group: str | None = None, log_stream: str | None = None
) -> Reading:
    reading = Reading(str(path), iter(()))
    reading.entries = _checked(reading, _all_entries(reading, path, fmt, log_group, log_stream))
    return reading


def batches(reading: Reading, chunk: int | None = None) -> Iterator[list[LogBatch]]:
    """The events `chunk` (CHUNK_EVENTS) at a time, grouped by log stream, in time order."""
    while True:
        taken = list(itertools.islice(reading.entries, chunk or CHUNK_EVENTS))
        if not taken:
            return
        by_stream: dict[tuple[str, str], LogBatch] = {}
        for entry in taken:
            group, stream = entry.group or DEFAULT_GROUP, entry.stream or ""
            by_stream.setdefault((group, stream), LogBatch(group, stream)).events.append(
                entry.event
            )
        for batch in by_stream.values():
            batch.events.sort(key=lambda e: e["timestamp"])
        yield list(by_stream.values())


def _all_entries(
    reading: Reading, path: Path, fmt: str, log_group: str | None, log_stream: str | None
) -> Iterator[Entry]:
    numbers = itertools.count()
    for source in sources(path):
        chosen, lines = _detect(source) if fmt == "auto" else (fmt, source.lines)
        reading.formats.append(chosen)
        if chosen in _NEEDS_GROUP and not log_group:
            _without_group(source.name, chosen, lines)
        from_path = _stream_from_path(source.path)
        for entry in _source_entries(source, chosen, lines, numbers):
            stream = log_stream or entry.stream or from_path
            yield Entry(
                log_group or entry.group,
                stream or _default_stream(entry.event["timestamp"]),
                entry.event,
            )


def _without_group(name: str, fmt: str, lines: Iterator[str]) -> None:
    """Lines that do not name their log group: first say when they are no Lambda log at all."""
    head = [line for line in itertools.islice(lines, _HEAD_LINES) if line.strip()]
    if head and not any(lineformats.is_lambda_line(line) for line in head):
        raise InputError(lineformats.not_lambda(name, fmt, len(head)))
    raise InputError(
        f"{name} holds log lines without their log group ({fmt}): name it with "
        "--log-group (e.g. --log-group /aws/lambda/my-function)"
    )


def _source_entries(
    source: Source, fmt: str, lines: Iterable[str], numbers: Iterator[int]
) -> Iterator[Entry]:
    if fmt in ("filter-log-events", "insights"):
        return jsonformats.document_entries(source.name, fmt, _json(source.name, lines), numbers)
    if fmt == "json-lines":
        return jsonformats.json_line_entries(source.name, lines, numbers)
    if fmt == "insights-csv":
        return jsonformats.csv_entries(source.name, lines, numbers)
    return lineformats.entries(fmt, source.name, lines, numbers)


def _detect(source: Source) -> tuple[str, Iterator[str]]:
    """The format of a source from its first lines, and all its lines (those read put back)."""
    head = list(itertools.islice(source.lines, _HEAD_LINES))
    lines = itertools.chain(head, source.lines)
    first = next((line.lstrip("\ufeff").strip() for line in head if line.strip()), "")
    if first.startswith(("{", "[")):
        found = _json_format(first, head)
        if found == "document":
            text = "".join(lines)
            data = _json_or_none(text)
            listing = jsonformats.document_format(data) if data is not None else None
            if listing is None and first in ("{", "["):
                _json(source.name, [text])  # says where the JSON is broken
            return (listing or "lines"), iter(text.splitlines(keepends=True))
        if found:
            return found, lines
    if jsonformats.is_insights_header(first):
        return "insights-csv", lines
    return lineformats.detect(head), lines


def _json_format(first: str, head: list[str]) -> str | None:
    """`json-lines`, a listing on one line, `document` (to be parsed whole), or None (lines)."""
    if jsonformats.is_event_line(first):
        return "json-lines"
    value = _json_or_none(first)
    if value is None:
        return "document" if first in ("{", "[") or first.startswith(('{"', "[{")) else None
    listing = jsonformats.document_format(value)
    return "document" if listing else None


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _json(name: str, lines: Iterable[str]) -> Any:
    try:
        return json.loads("".join(lines))
    except json.JSONDecodeError as error:
        raise InputError(f"{name} is not valid JSON (line {error.lineno}); {FORMAT_HINT}") from None


def _checked(reading: Reading, entries: Iterator[Entry]) -> Iterator[Entry]:
    """The entries, counted; at the end, an error when none was a Lambda log line."""
    lambda_lines = 0
    for entry in entries:
        reading.events += 1
        if lambda_lines == 0 and lineformats.is_lambda_line(entry.event["message"]):
            lambda_lines += 1
        yield entry
    read_as = "/".join(dict.fromkeys(reading.formats)) or "nothing"
    if reading.events == 0:
        raise InputError(f"{reading.name} holds no log lines; {FORMAT_HINT}")
    if lambda_lines == 0:
        raise InputError(lineformats.not_lambda(reading.name, read_as, reading.events))


def sources(path: Path) -> Iterator[Source]:
    """The inputs `path` names: itself, every object of a folder (in key order), or stdin."""
    if str(path) == STDIN:
        yield _source("standard input", None, sys.stdin.buffer, None)
        return
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _is_object(p))
        if not files:
            raise InputError(f"{path} is a folder without log files; {FORMAT_HINT}")
        for file in files:
            yield _open(file)
        return
    yield _open(path)


def _is_object(path: Path) -> bool:
    return path.name != _WRITE_TEST and not path.name.startswith(".")


def _open(path: Path) -> Source:
    try:
        handle = path.open("rb")
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise InputError(f"{path} does not exist; {FORMAT_HINT}") from error
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from error
    return _source(str(path), path, handle, size)


def _source(name: str, path: Path | None, raw: BinaryIO, size: int | None) -> Source:
    stream = _buffered(raw)
    head = stream.peek(_SNIFF)[:_SNIFF]
    if is_gzip(head):
        # An export object is a few MB; the shared gzip check decompresses it in one piece.
        data = gunzip(stream.read(), damaged=f"{name} is a damaged gzip file; download it again")
        stream.close()
        stream = _buffered(io.BytesIO(data))
        head, size = data[:_SNIFF], len(data)
    encoding = textinput.encoding_of(head)
    if b"\x00" in head and not encoding.startswith("utf-16"):
        raise InputError(
            f"{name} is not UTF-8 or UTF-16 text (it holds binary bytes); {FORMAT_HINT}"
        )
    source = Source(name, path, iter(()), encoding)
    source.lines = textinput.lines(stream, encoding, name, size)
    return source


def _buffered(raw: BinaryIO) -> io.BufferedReader[Any]:
    """A reader that can peek at the first bytes (stdin replaced by a test is a BytesIO)."""
    return raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast(Any, raw))


def _stream_from_path(path: Path | None) -> str | None:
    found = _STREAM_IN_PATH.search(path.as_posix()) if path else None
    return found.group(0) if found else None


def _default_stream(timestamp_ms: int) -> str:
    day = datetime.fromtimestamp(timestamp_ms / 1000, UTC).strftime("%Y/%m/%d")
    return f"{day}/[$LATEST]{'0' * 32}"

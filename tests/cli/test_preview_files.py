"""`preview` of the files people have: console copies, S3 export folders, standard input, UTF-16
and Latin-1 bytes, and files that are no Lambda log; large files read lazily."""

from __future__ import annotations

import gzip
import io
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.local import logfiles, textinput
from tests.cli.conftest import bulk_documents
from tests.cli.test_preview_cli_tools import EVENTS, GROUP, REQUEST, STREAM, assert_invocation

# The invocation as the Lambda Python runtime writes it, messages only: START, a line with the
# runtime's prefix, the unhandled error (message first, then the traceback), END, REPORT.
MESSAGES = [m for _, m in EVENTS]


def run(cli: Any, tmp_path: Path, path: str, *args: str) -> tuple[Any, list[dict[str, Any]]]:
    out = tmp_path / "docs.ndjson"
    result = cli("preview", path, "--out", str(out), *args)
    assert result.code == 0, result.err
    return result, bulk_documents(out)


def test_console_rows_with_the_timestamp_column(cli: Any, tmp_path: Path) -> None:
    # GIVEN rows selected in the console's log events table and copied: time, tab, message, with
    # the table's banners copied along (their text as the console shows it)
    text = (
        "No older events at this moment. Retry\n"
        + "".join(f"{t}Z\t{m}" for t, m in EVENTS)
        + "No newer events at this moment. Auto retry paused. Resume\n"
    )
    path = tmp_path / "console.txt"
    path.write_text(text)
    result, documents = run(cli, tmp_path, str(path), "--log-group", GROUP)
    assert "5 log events (console)" in result.out
    assert_invocation(documents, [t + "Z" for t, _ in EVENTS])


def test_console_rows_without_the_timestamp_column(cli: Any, tmp_path: Path) -> None:
    # GIVEN the messages only: START and the error carry no time; the runtime's line does
    path = tmp_path / "console.txt"
    path.write_text("".join(MESSAGES))
    result, documents = run(cli, tmp_path, str(path), "--log-group", GROUP)
    assert "5 log events (lines)" in result.out
    # THEN the traceback and the END after it stay two events (Lambda prints the exception
    # before the traceback, so no `KeyError:` line closes it)
    assert [d.get("aws.lambda.event") for d in documents] == ["start", None, None, "end", "report"]
    assert documents[2]["message"].rstrip().endswith('unit_price = catalog[line["sku"]]')
    # and every time is the one the runtime's line names (none is "now")
    assert {d["@timestamp"] for d in documents} == {"2026-11-21T09:14:07.120Z"}


def test_lines_that_name_no_time_say_so(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "platform.txt"
    path.write_text(f"START RequestId: {REQUEST} Version: $LATEST\nEND RequestId: {REQUEST}\n")
    result = cli("preview", str(path), "--log-group", GROUP)
    assert result.code == 2 and result.err.count("\n") == 1
    assert "no line names its time" in result.err and "timestamp column" in result.err


def test_a_file_of_no_lambda_lines_says_so_with_the_fix(cli: Any, tmp_path: Path) -> None:
    # GIVEN an nginx access log passed by mistake
    path = tmp_path / "access.log"
    path.write_text(
        '10.0.3.7 - - [21/Nov/2026:09:14:07 +0000] "GET /orders HTTP/1.1" 200 512\n' * 3
    )
    for args in (("--log-group", GROUP), ()):  # without --log-group: this, not "--log-group"
        result = cli("preview", str(path), *args)
        assert result.code == 2 and result.err.count("\n") == 1
        assert "no line of" in result.err and "looked like a Lambda log line" in result.err
        assert "read as lines" in result.err and "--format" in result.err


def export_object(events: list[tuple[str, str]]) -> bytes:
    # a CreateExportTask object: "<ISO time>Z <message>" lines, gzip (not sorted by time, as the
    # CreateExportTask documentation warns)
    return gzip.compress("".join(f"{t}Z {m}" for t, m in reversed(events)).encode())


def test_a_folder_of_s3_export_objects(cli: Any, tmp_path: Path) -> None:
    # GIVEN `aws s3 cp --recursive s3://bucket/exportedlogs .`: <prefix>/<task id>/<stream>/00000n.gz
    # and the aws-logs-write-test object CloudWatch writes to check its access
    root = tmp_path / "exportedlogs"
    other = "2026/11/21/[$LATEST]0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    for stream, events in ((STREAM, EVENTS[:3]), (other, EVENTS[3:])):
        folder = root / "7d1f0a2c-task" / Path(stream)
        folder.mkdir(parents=True)
        (folder / "000000.gz").write_bytes(export_object(events))
    (root / "aws-logs-write-test").write_text("Permission Check Successful")
    result, documents = run(cli, tmp_path, str(root), "--log-group", GROUP)
    assert "5 log events (export) in 2 log stream(s)" in result.out
    assert_invocation(documents, [t + "Z" for t, _ in EVENTS])
    assert [d["aws.cloudwatch.log_stream"] for d in documents] == [STREAM] * 3 + [other] * 2


def test_standard_input(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN `aws logs tail /aws/lambda/orders-api | python -m lambdalogs preview - …`
    text = "".join(f"{t}000+00:00 {STREAM} {m.rstrip()}\n" for t, m in EVENTS)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    result, documents = run(cli, tmp_path, "-", "--log-group", GROUP)
    assert "-: 5 log events (tail)" in result.out
    assert_invocation(documents, [t + "Z" for t, _ in EVENTS])


def test_utf16_from_powershell(cli: Any, tmp_path: Path) -> None:
    # GIVEN `aws logs tail … > tail.txt` in Windows PowerShell 5.1: UTF-16 LE with a BOM, CRLF
    text = "".join(f"{t}000+00:00 {STREAM} {m.rstrip()}\n" for t, m in EVENTS)
    path = tmp_path / "tail.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-16"))
    assert path.read_bytes()[:2] == b"\xff\xfe"
    result, documents = run(cli, tmp_path, str(path), "--log-group", GROUP)
    assert "5 log events (tail)" in result.out
    assert_invocation(documents, [t + "Z" for t, _ in EVENTS])
    assert not any("\r" in d["message"] for d in documents)


def test_stray_latin1_bytes_are_kept_as_escapes(cli: Any, tmp_path: Path) -> None:
    # GIVEN a UTF-8 log with one line written in Latin-1 (a customer name "Café")
    path = tmp_path / "app.log"
    line = f"[INFO]\t2026-11-21T09:14:07.120Z\t{REQUEST}\tOrder for Caf\xe9 Noir\n"
    path.write_bytes(MESSAGES[0].encode() + line.encode("latin-1") + MESSAGES[3].encode())
    result, documents = run(cli, tmp_path, str(path), "--log-group", GROUP)
    assert "3 log events (lines)" in result.out
    assert documents[1]["message"] == "Order for Caf\\xe9 Noir"


def test_a_large_input_goes_through_a_chunk_at_a_time(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN chunks of two events: the five events go through the transformer in three runs
    monkeypatch.setattr(logfiles, "CHUNK_EVENTS", 2)
    path = tmp_path / "tail.txt"
    path.write_text("".join(f"{t}000+00:00 {STREAM} {m.rstrip()}\n" for t, m in reversed(EVENTS)))
    result, documents = run(cli, tmp_path, str(path), "--log-group", GROUP, "--show", "2")
    # THEN all are written and counted, and the two shown are the earliest of all chunks
    assert len(documents) == 5 and "→ 5 documents" in result.out
    assert "Documents (2 of 5" in result.out
    shown = result.out.split("Documents (2 of 5", 1)[1].split("Field summary", 1)[0]
    assert f"START RequestId: {REQUEST}" in shown and "Loaded 3 orders" in shown
    assert "END RequestId" not in shown


def test_reading_streams_the_file(tmp_path: Path) -> None:
    # GIVEN a 50 MB export object (long messages, so it stays quick)
    path = tmp_path / "000000"
    padding = "x" * 1000
    line = f"2026-11-21T09:14:07.120Z [INFO]\t2026-11-21T09:14:07.120Z\t{REQUEST}\t{padding}\n"
    with path.open("w") as file:
        for _ in range(50 * 1024 * 1024 // len(line)):
            file.write(line)
    # WHEN its events are read one after another
    tracemalloc.start()
    try:
        reading = logfiles.read(path, log_group=GROUP)
        assert isinstance(reading.entries, Iterator)
        count = sum(1 for _ in reading.entries)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # THEN all are read, never more than a few MB at a time
    assert count == 50 * 1024 * 1024 // len(line)
    assert peak < 8 * 1024 * 1024, peak


def test_progress_shows_while_reading(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(textinput, "_SHOW_PROGRESS_FROM", 0)
    path = tmp_path / "tail.txt"
    path.write_text("".join(f"{t}000+00:00 {STREAM} {m.rstrip()}\n" for t, m in EVENTS))
    result = cli("preview", str(path), "--log-group", GROUP)
    assert result.code == 0, result.err
    assert f"reading {path}" in result.err and "KiB" in result.err

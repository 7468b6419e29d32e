"""`preview` on each accepted input format, built from the shared corpus's real log lines."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import bulk_documents

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def case(file: str, name: str) -> dict[str, Any]:
    cases = json.loads((CORPUS / file).read_text())
    return next(c for c in cases if c["name"] == name)


def iso(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    )


def assert_expected(
    documents: list[dict[str, Any]], expected: list[dict[str, Any]], keys: tuple[str, ...]
) -> None:
    assert len(documents) == len(expected)
    for document, wanted in zip(documents, expected, strict=True):
        for key in keys:
            if key in wanted:
                assert document.get(key) == wanted[key], (key, document)


def test_preview_reads_filter_log_events_json(cli: Any, tmp_path: Path) -> None:
    # GIVEN the JSON `aws logs filter-log-events` prints for a Python function's lines
    source = case("python.json", "python-orders-api-levels-and-traceback")
    listing = {
        "events": [
            {
                "logStreamName": source["logStream"],
                "timestamp": e["timestamp"],
                "message": e["message"],
                "ingestionTime": e["timestamp"] + 400,
                "eventId": e["id"],
            }
            for e in source["events"]
        ],
        "searchedLogStreams": [{"logStreamName": source["logStream"], "searchedCompletely": True}],
    }
    path = tmp_path / "events.json"
    path.write_text(json.dumps(listing, indent=2))
    out = tmp_path / "docs.ndjson"
    # WHEN it is previewed
    result = cli(
        "preview", str(path), "--log-group", source["logGroup"], "--out", str(out), "--show", "2"
    )
    # THEN each event becomes the corpus's expected document, with the CloudWatch event ids
    assert result.code == 0, result.err
    documents = bulk_documents(out)
    assert_expected(
        documents,
        source["expected"],
        ("faas.name", "log.level", "faas.execution", "aws.cloudwatch.event_id", "error.type"),
    )
    assert "(filter-log-events)" in result.out
    assert "Documents (2 of 7" in result.out
    levels = sum(1 for d in documents if "log.level" in d)
    assert any(line.split()[:2] == ["log.level", str(levels)] for line in result.out.splitlines())


@pytest.mark.parametrize("compressed", [True, False])
def test_preview_reads_a_cloudwatch_logs_export(cli: Any, tmp_path: Path, compressed: bool) -> None:
    # GIVEN an export object: '<ISO time> <message>' lines, the stream name in the S3 key
    source = case("platform.json", "platform-warm-report-with-xray")
    text = "".join(f"{iso(e['timestamp'])} {e['message']}" for e in source["events"])
    folder = tmp_path / "exportedlogs" / "a1b2c3" / Path(source["logStream"])
    folder.mkdir(parents=True)
    path = folder / ("000000.gz" if compressed else "000000")
    path.write_bytes(gzip.compress(text.encode()) if compressed else text.encode())
    out = tmp_path / "docs.ndjson"
    result = cli("preview", str(path), "--log-group", source["logGroup"], "--out", str(out))
    assert result.code == 0, result.err
    documents = bulk_documents(out)
    # THEN the two-line REPORT (X-Ray on its own line) is one event, parsed as in the corpus
    assert_expected(
        documents, source["expected"], ("aws.lambda.event", "faas.execution", "@timestamp")
    )
    assert {d["aws.cloudwatch.log_stream"] for d in documents} == {source["logStream"]}
    report = next(d for d in documents if d.get("aws.lambda.event") == "report")
    assert report["aws.xray.trace_id"] == "1-6b001356-b229ddd4d1f944a1a1a1ce65"
    assert "(export)" in result.out


def test_preview_reads_plain_lines_with_a_log_group(cli: Any, tmp_path: Path) -> None:
    source = case("python.json", "python-orders-api-levels-and-traceback")
    path = tmp_path / "lines.log"
    path.write_text(
        "".join(
            e["message"] if e["message"].endswith("\n") else e["message"] + "\n"
            for e in source["events"]
        )
    )
    out = tmp_path / "docs.ndjson"
    result = cli("preview", str(path), "--log-group", "/aws/lambda/orders-api", "--out", str(out))
    assert result.code == 0, result.err
    documents = bulk_documents(out)
    # the multi-line traceback stays one event
    assert_expected(
        documents, source["expected"], ("faas.name", "log.level", "error.type", "message")
    )
    assert "(lines)" in result.out
    # times come from the runtime prefixes; a line without one takes the time before it
    stamps = [d["@timestamp"] for d in documents]
    assert stamps[:4] == [
        "2026-11-20T09:14:07.120Z",
        "2026-11-20T09:14:07.129Z",
        "2026-11-20T09:14:08.969Z",
        "2026-11-20T09:14:08.969Z",
    ]


def test_preview_of_plain_lines_without_log_group_says_what_to_do(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "lines.log"
    path.write_text(
        "[INFO]\t2026-11-20T09:14:07.120Z\tbaa2919c-0ded-47bb-bec0-c9226ed91f2e\thello\n"
    )
    result = cli("preview", str(path))
    assert result.code == 2
    assert result.err.count("\n") == 1 and "--log-group" in result.err


def test_preview_uses_the_transformer_settings_from_the_environment(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = case("json-formats.json", "conference-app-create-session")
    path = tmp_path / "events.json"
    path.write_text(json.dumps({"events": source["events"]}))
    monkeypatch.setenv("LABEL_KEYS", "milestone,sessionId")
    out = tmp_path / "docs.ndjson"
    assert cli("preview", str(path), "--log-group", source["logGroup"], "--out", str(out)).code == 0
    assert {d.get("labels.sessionId") for d in bulk_documents(out)} == {"sess-2291"}


def test_an_export_line_with_an_impossible_time_is_one_line(cli: Any, tmp_path: Path) -> None:
    # GIVEN an export whose first line has the shape of a time but is none (month 13)
    path = tmp_path / "000000"
    path.write_text("2026-13-20T09:14:07.120Z START RequestId: 1 Version: $LATEST\n")
    # WHEN it is previewed THEN the operator reads what is wrong, not a traceback
    result = cli("preview", str(path), "--log-group", "/aws/lambda/orders-api")
    assert result.code == 2
    assert (
        result.err.count("\n") == 1
        and "'2026-13-20T09:14:07.120Z' is not a valid time" in result.err
    )


def test_preview_writes_its_bulk_file_into_a_directory_given_as_out(
    cli: Any, tmp_path: Path
) -> None:
    path = tmp_path / "app.log"
    path.write_text("[INFO]\t2026-11-20T09:14:07.120Z\t1f2e\thello\n")
    result = cli(
        "preview", str(path), "--log-group", "/aws/lambda/orders-api", "--out", str(tmp_path)
    )
    assert result.code == 0, result.err
    assert len(bulk_documents(tmp_path / "lambda-logs-preview.ndjson")) == 1

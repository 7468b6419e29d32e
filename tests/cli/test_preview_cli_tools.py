"""`preview` of what the AWS tools print: `aws logs tail`, `sam logs`, Logs Insights results.

Each sample is one invocation of the orders-api function (START, a log line, an error with its
traceback as Lambda's Python runtime prints it, END, REPORT) in the shape the tool writes; the
source of each shape is named above its test."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from tests.cli.conftest import bulk_documents

GROUP = "/aws/lambda/orders-api"
STREAM = "2026/11/21/[$LATEST]ec964d3d4496eba592913bcbacbb07b7"
REQUEST = "baa2919c-0ded-47bb-bec0-c9226ed91f2e"
# (UTC time, message) of the invocation; the messages' own times differ from the event times on
# purpose (by a millisecond), so a test sees which one a document took.
EVENTS = [
    ("2026-11-21T09:14:07.100", f"START RequestId: {REQUEST} Version: $LATEST\n"),
    ("2026-11-21T09:14:07.121", f"[INFO]\t2026-11-21T09:14:07.120Z\t{REQUEST}\tLoaded 3 orders\n"),
    (
        "2026-11-21T09:14:09.190",
        "[ERROR] KeyError: 'SKU-0091'\nTraceback (most recent call last):\n"
        '  File "/var/task/pricing.py", line 41, in price_order\n'
        '    unit_price = catalog[line["sku"]]\n',
    ),
    ("2026-11-21T09:14:09.230", f"END RequestId: {REQUEST}\n"),
    (
        "2026-11-21T09:14:09.231",
        f"REPORT RequestId: {REQUEST}\tDuration: 2128.52 ms\tBilled Duration: 2129 ms\t"
        "Memory Size: 512 MB\tMax Memory Used: 91 MB\t\n",
    ),
]


def preview(cli: Any, tmp_path: Path, name: str, content: bytes, *args: str) -> Any:
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "docs.ndjson"
    result = cli("preview", str(path), "--out", str(out), *args)
    assert result.code == 0, result.err
    return result, bulk_documents(out)


def assert_invocation(documents: list[dict[str, Any]], stamps: list[str]) -> None:
    """The five events, in time order, with the tool's times and the messages intact."""
    assert [d["@timestamp"] for d in documents] == stamps
    assert [d.get("aws.lambda.event") for d in documents][::3] == ["start", "end"]
    assert documents[-1].get("aws.lambda.event") == "report"
    error = documents[2]
    assert error["log.level"] == "ERROR"
    assert "Traceback (most recent call last):" in error["message"]
    assert 'unit_price = catalog[line["sku"]]' in error["message"]
    assert {d.get("faas.execution") for d in documents} - {None} == {REQUEST}


def millis(text: str) -> str:
    return text + "Z"


def test_aws_logs_tail_detailed(cli: Any, tmp_path: Path) -> None:
    # GIVEN `aws logs tail /aws/lambda/orders-api` (AWS CLI v2, awscli/customizations/logs/tail.py,
    # DetailedLogEventsFormatter: isoformat(timespec='microseconds') in UTC, the stream, the
    # message right-stripped plus one newline; a multi-line message keeps its lines)
    text = "".join(f"{t}000+00:00 {STREAM} {m.rstrip()}\n" for t, m in EVENTS)
    result, documents = preview(cli, tmp_path, "tail.txt", text.encode(), "--log-group", GROUP)
    assert "5 log events (tail) in 1 log stream(s)" in result.out
    assert_invocation(documents, [millis(t) for t, _ in EVENTS])
    assert {d["aws.cloudwatch.log_stream"] for d in documents} == {STREAM}
    assert documents[0]["faas.name"] == "orders-api"


def test_aws_logs_tail_in_colour(cli: Any, tmp_path: Path) -> None:
    # GIVEN `aws logs tail --color on` piped to a file: colorama's green time, cyan stream
    # (BaseLogEventsFormatter._color_if_configured: colour + text + Style.RESET_ALL)
    green, cyan, reset = "\x1b[32m", "\x1b[36m", "\x1b[0m"
    text = "".join(
        f"{green}{t}000+00:00{reset} {cyan}{STREAM}{reset} {m.rstrip()}\n" for t, m in EVENTS
    )
    result, documents = preview(cli, tmp_path, "tail.txt", text.encode(), "--log-group", GROUP)
    assert "(tail)" in result.out
    assert_invocation(documents, [millis(t) for t, _ in EVENTS])
    assert not any("\x1b" in d["message"] for d in documents)


def test_aws_logs_tail_format_json(cli: Any, tmp_path: Path) -> None:
    # GIVEN `aws logs tail --format json` (PrettyJSONLogEventsFormatter: isoformat() without a
    # fraction on a whole second; a JSON message pretty-printed, indent 4, on the lines below)
    line = {"level": "INFO", "requestId": REQUEST, "message": "order priced", "total": 42.5}
    pretty = "\n" + json.dumps(line, indent=4)
    text = (
        f"2026-11-21T09:14:07+00:00 {STREAM} START RequestId: {REQUEST} Version: $LATEST\n"
        f"2026-11-21T09:14:08.250000+00:00 {STREAM} {pretty}".rstrip()
        + "\n"
        f"2026-11-21T09:14:08.300000+00:00 {STREAM} END RequestId: {REQUEST}\n"
    )
    result, documents = preview(cli, tmp_path, "tail.json.txt", text.encode(), "--log-group", GROUP)
    assert "3 log events (tail)" in result.out
    stamps = ["2026-11-21T09:14:07.000Z", "2026-11-21T09:14:08.250Z", "2026-11-21T09:14:08.300Z"]
    assert [d["@timestamp"] for d in documents] == stamps
    # the pretty-printed JSON is one event, parsed as the JSON log line it was
    assert documents[1]["json"]["total"] == 42.5 and documents[1]["log.level"] == "INFO"


def test_aws_logs_tail_format_short(cli: Any, tmp_path: Path) -> None:
    # GIVEN `aws logs tail --format short` (ShortLogEventsFormatter: strftime('%Y-%m-%dT%H:%M:%S')
    # in UTC, no stream): whole seconds only
    text = "".join(f"{t[:19]} {m.rstrip()}\n" for t, m in EVENTS)
    result, documents = preview(cli, tmp_path, "short.txt", text.encode(), "--log-group", GROUP)
    assert "5 log events (tail-short)" in result.out
    # THEN whole seconds, but the runtime's line takes the milliseconds its prefix names
    stamps = [t[:19] + ".000Z" for t, _ in EVENTS]
    stamps[1] = "2026-11-21T09:14:07.120Z"
    assert_invocation(documents, stamps)


def test_sam_logs(cli: Any, tmp_path: Path) -> None:
    # GIVEN `sam logs -n OrdersFunction` (aws-sam-cli, cw_log_formatters.py CWPrettyPrintFormatter:
    # "<stream> <timestamp_to_iso(ms)> <message>", isoformat() of a UTC datetime; then
    # CWAddNewLineIfItDoesntExist)
    text = "".join(f"{STREAM} {t}000+00:00 {m}" for t, m in EVENTS)
    result, documents = preview(cli, tmp_path, "sam.txt", text.encode(), "--log-group", GROUP)
    assert "5 log events (sam-logs) in 1 log stream(s)" in result.out
    assert_invocation(documents, [millis(t) for t, _ in EVENTS])
    assert {d["aws.cloudwatch.log_stream"] for d in documents} == {STREAM}


def test_sam_logs_output_json(cli: Any, tmp_path: Path) -> None:
    # GIVEN `sam logs --output json` (CWLogEventJSONMapper: json.dumps of the FilterLogEvents event)
    lines = [
        json.dumps(
            {
                "logStreamName": STREAM,
                "timestamp": 1795252447100 + n,
                "message": m,
                "ingestionTime": 1795252447500 + n,
                "eventId": f"{37000000000000000000000000000000000000000000000000000000 + n}",
            }
        )
        for n, (_, m) in enumerate(EVENTS)
    ]
    result, documents = preview(
        cli, tmp_path, "sam.json", "\n".join(lines).encode(), "--log-group", GROUP
    )
    assert "5 log events (json-lines)" in result.out
    assert [d["@timestamp"] for d in documents] == [
        f"2026-11-21T09:14:07.{100 + n}Z" for n in range(5)
    ]
    assert (
        documents[0]["aws.cloudwatch.event_id"]
        == "37000000000000000000000000000000000000000000000000000000"
    )


def insights_rows() -> list[dict[str, str]]:
    # newest first, as Logs Insights sorts by default; times "YYYY-MM-DD HH:MM:SS.mmm" in UTC
    return [
        {
            "@timestamp": t.replace("T", " "),
            "@message": m,
            "@logStream": STREAM,
            "@log": f"123456789012:{GROUP}",
        }
        for t, m in reversed(EVENTS)
    ]


def test_get_query_results(cli: Any, tmp_path: Path) -> None:
    # GIVEN `aws logs get-query-results` (awscli/examples/logs/get-query-results.rst: "results", a
    # list of rows, each a list of {"field", "value"}, @ptr included; "statistics", "status")
    rows = [
        [{"field": k, "value": v} for k, v in row.items()]
        + [{"field": "@ptr", "value": "ClQKGAo="}]
        for row in insights_rows()
    ]
    body = {"results": rows, "statistics": {"recordsMatched": 5.0}, "status": "Complete"}
    result, documents = preview(cli, tmp_path, "results.json", json.dumps(body, indent=4).encode())
    # THEN the log group comes from @log (no --log-group), the events in time order
    assert f"5 log events (insights) in 1 log stream(s) of {GROUP}" in result.out
    assert_invocation(documents, [millis(t) for t, _ in EVENTS])


def test_logs_insights_json_download(cli: Any, tmp_path: Path) -> None:
    # GIVEN the console's "Export results → Download table (JSON)": a list of row objects (the
    # console's own shape; not in a public source, modelled on get-query-results' fields)
    text = json.dumps(insights_rows(), indent=2)
    result, documents = preview(cli, tmp_path, "logs-insights-results.json", text.encode())
    assert "5 log events (insights)" in result.out
    assert_invocation(documents, [millis(t) for t, _ in EVENTS])


def test_logs_insights_csv_download(cli: Any, tmp_path: Path) -> None:
    # GIVEN the console's "Download table (CSV)": a header of the query's fields, one row a result,
    # a multi-line @message quoted (the traceback)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["@timestamp", "@message", "@logStream", "@log"])
    writer.writeheader()
    writer.writerows(insights_rows())
    result, documents = preview(
        cli, tmp_path, "logs-insights-results.csv", buffer.getvalue().encode()
    )
    assert f"5 log events (insights-csv) in 1 log stream(s) of {GROUP}" in result.out
    assert_invocation(documents, [millis(t) for t, _ in EVENTS])


def test_get_log_events(cli: Any, tmp_path: Path) -> None:
    # GIVEN `aws logs get-log-events --log-group-name … --log-stream-name …`
    # (awscli/examples/logs/get-log-events.rst: events without logStreamName or eventId, tokens)
    base = 1795252447100  # 2026-11-21T09:14:07.100Z
    body = {
        "nextForwardToken": "f/31961209122447488583055879464742346735121166569214640130",
        "events": [
            {"ingestionTime": base + 400 + n, "timestamp": base + n, "message": m}
            for n, (_, m) in enumerate(EVENTS)
        ],
        "nextBackwardToken": "b/31961209122358285602261756944988674324553373268216709120",
    }
    result, documents = preview(
        cli,
        tmp_path,
        "events.json",
        json.dumps(body, indent=4).encode(),
        "--log-group",
        GROUP,
        "--log-stream",
        STREAM,
    )
    # THEN the stream is the one named, the times the events'
    assert f"5 log events (filter-log-events) in 1 log stream(s) of {GROUP}" in result.out
    assert_invocation(documents, [f"2026-11-21T09:14:07.{100 + n}Z" for n in range(5)])
    assert {d["aws.cloudwatch.log_stream"] for d in documents} == {STREAM}

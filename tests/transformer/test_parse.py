"""Formats and shapes the shared corpus does not cover, one line at a time (pure parsing)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from transformer.jsonlib import STDLIB
from transformer.parse import parse_capped, parse_line
from transformer.platform import common_report, tolerant_report
from transformer.settings import Settings

SETTINGS = Settings(region="eu-west-1", label_keys=("milestone", "tenant.id"))
ABSENT = object()


def parse(line: str) -> dict[str, Any]:
    return parse_line(line, SETTINGS, STDLIB)


CASES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "init-report-timeout",
        "INIT_REPORT Init Duration: 10000.44 ms\tPhase: init\tStatus: timeout\n",
        {
            "aws.lambda.event": "init_report",
            "aws.lambda.init_duration_ms": 10000.44,
            "aws.lambda.status": "timeout",
        },
    ),
    (
        "snapstart-restore-report",
        "RESTORE_REPORT Restore Duration: 451.72 ms\n",
        {"aws.lambda.event": "restore_report", "log.level": ABSENT},
    ),
    (
        "report-xray-same-line-restore-not-coldstart",
        "REPORT RequestId: 5c9b2b16-52d2-4d5b-9c8c-0a5d6f0d3d19\tDuration: 5.5 ms\tBilled Duration: "
        "97 ms\tMemory Size: 1024 MB\tMax Memory Used: 70 MB\tRestore Duration: 480.1 ms\tBilled "
        "Restore Duration: 91 ms\tXRAY TraceId: 1-6b001356-aaaabbbbccccddddeeeeffff\tSegmentId: "
        "0c3c8d9f5f1e2a3b\tSampled: true\n",
        {
            "faas.coldstart": False,  # a SnapStart restore runs no INIT (snapstart-monitoring)
            "aws.lambda.restore_duration_ms": 480.1,
            "aws.lambda.billed_restore_duration_ms": 91,
            "aws.lambda.billed_duration_ms": 97,
            "aws.xray.trace_id": "1-6b001356-aaaabbbbccccddddeeeeffff",
            "aws.lambda.memory_size_mb": 1024,
        },
    ),
    (
        "runtime-exit-error",
        "RequestId: 7c9b2b16-52d2-4d5b-9c8c-0a5d6f0d3d19 Error: Runtime exited with error: signal: "
        "killed\nRuntime.ExitError\n",
        {
            "aws.lambda.event": "runtime_error",
            "log.level": "ERROR",
            "error.type": "Runtime.ExitError",
            "faas.execution": "7c9b2b16-52d2-4d5b-9c8c-0a5d6f0d3d19",
        },
    ),
    (
        "logs-api-subscription",
        "LOGS\tName: datadog-agent\tState: Subscribed\tTypes: [function, platform]\n",
        {"aws.lambda.event": "logs_subscription"},
    ),
    (
        "telemetry-api-subscription",
        "TELEMETRY\tName: otel\tState: Subscribed\tTypes: [Platform]\n",
        {"aws.lambda.event": "telemetry_subscription"},
    ),
    (
        "a-word-that-only-starts-like-a-platform-line",
        "STARTING the batch now\n",
        {"aws.lambda.event": ABSENT, "message": "STARTING the batch now"},
    ),
    (
        "json-platform-start-with-xray",
        json.dumps(
            {
                "time": "2026-11-20T11:00:00.101Z",
                "type": "platform.start",
                "record": {
                    "requestId": "r-1",
                    "version": "3",
                    "tracing": {
                        "type": "X-Amzn-Trace-Id",
                        "value": "Root=1-6b002830-7cf7788185c581f83634ccf8;"
                        "Parent=1d0e5b0d4c3cff01;Sampled=1",
                    },
                },
            }
        ),
        {
            "aws.lambda.event": "start",
            "faas.version": "3",
            "aws.xray.trace_id": "1-6b002830-7cf7788185c581f83634ccf8",
        },
    ),
    (
        "json-platform-runtime-done-and-unknown-types",
        json.dumps(
            {
                "time": "t",
                "type": "platform.runtimeDone",
                "record": {"requestId": "r-2", "status": "failure", "metrics": {"durationMs": 3.2}},
            }
        ),
        {
            "aws.lambda.event": "runtime_done",
            "aws.lambda.status": "failure",
            "aws.lambda.duration_ms": ABSENT,
        },
    ),
    (
        "lambda-json-message-is-an-object",
        json.dumps(
            {
                "timestamp": "t",
                "level": "INFO",
                "requestId": "r-3",
                "message": {"order": 7, "ok": True},
            }
        ),
        {"message": '{"order":7,"ok":true}', "json.message.order": 7},
    ),
    (
        "pino-err-object",
        json.dumps(
            {
                "level": 50,
                "time": 1,
                "msg": "charge failed",
                "err": {
                    "type": "StripeError",
                    "message": "card_declined",
                    "stack": "StripeError: card_declined\n    at charge (/var/task/pay.js:3:9)",
                },
            }
        ),
        {
            "log.level": "ERROR",
            "error.type": "StripeError",
            "error.message": "card_declined",
            "message": "charge failed",
        },
    ),
    (
        "numeric-and-boolean-label-values-become-keywords-and-dotted-label-keys-are-safe",
        json.dumps({"message": "m", "milestone": 3, "tenant.id": True}),
        {"labels.milestone": "3", "labels.tenant_id": "true"},
    ),
    (
        "emf-metric-names-with-dots-cannot-collide",
        json.dumps(
            {
                "_aws": {
                    "Timestamp": 1,
                    "CloudWatchMetrics": [
                        {
                            "Namespace": "N",
                            "Dimensions": [[]],
                            "Metrics": [{"Name": "db.latency"}, {"Name": "Bad"}, {"Name": "Flag"}],
                        }
                    ],
                },
                "db.latency": 12.5,
                "Bad": "fast",
                "Flag": True,
            }
        ),
        {"metrics.db_latency": 12.5, "metrics.Bad": ABSENT, "metrics.Flag": ABSENT},
    ),
    (
        "nan-is-not-json",
        '{"value": NaN, "message": "x"}',
        {"json": ABSENT, "message": '{"value": NaN, "message": "x"}'},
    ),
    (
        "go-panic",
        "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\n"
        "main.handler()\n\t/src/main.go:12 +0x1d\n",
        {
            "error.type": "panic",
            "error.message": "runtime error: index out of range [3] with length 3",
        },
    ),
    (
        "dotnet-exception-with-frames",
        "2026-11-20T12:20:00.474Z\tc0ccb48d-e812-47d2-826f-b6f24349b291\tfail\tSystem.InvalidOperation"
        "Exception: Sequence contains no elements\n   at System.Linq.ThrowHelper.ThrowNoElementsException()"
        "\n   at Invoices.Function.Handler(Input input) in /src/Function.cs:line 42\n",
        {
            "log.level": "ERROR",
            "error.type": "System.InvalidOperationException",
            "error.message": "Sequence contains no elements",
        },
    ),
    (
        "python-chained-exceptions-report-the-last",
        "[ERROR]\t2026-11-20T09:14:09.189Z\tbaa2919c-0ded-47bb-bec0-c9226ed91f2e\tboom\nTraceback (most "
        "recent call last):\n  File \"a.py\", line 1, in f\n    x()\nKeyError: 'a'\n\nDuring handling of "
        "the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  "
        "File \"a.py\", line 3, in g\n    raise ValueError('bad')\nValueError: bad\n",
        {
            "error.type": "ValueError",
            "error.message": "bad",
            "message": "boom\nTraceback (most "
            "recent call last):\n  File \"a.py\", line 1, in f\n    x()\nKeyError: 'a'\n\nDuring "
            "handling of the above exception, another exception occurred:\n\nTraceback (most recent "
            "call last):\n  File \"a.py\", line 3, in g\n    raise ValueError('bad')\nValueError: bad",
        },
    ),
    (
        "node-carriage-returns-in-a-stack",
        "2026-11-20T10:01:05.419Z\t76d8fb30-c9c2-4dd6-80c0-25423d6a857f\tERROR\tTypeError: x is not a "
        "function\r    at run (/var/task/index.js:3:5)\r    at Runtime.handler (/var/task/index.js:9:3)",
        {"error.type": "TypeError", "error.message": "x is not a function", "log.level": "ERROR"},
    ),
    (
        "ruby-logger-without-request-id",
        "E, [2026-11-20T12:30:00.123456 #8] ERROR -- mailer: SMTP refused\n",
        {
            "log.level": "ERROR",
            "log.logger": "mailer",
            "message": "SMTP refused",
            "faas.execution": ABSENT,
        },
    ),
    (
        "unknown-bracket-word-is-plain-text",
        "[Container] started\n",
        {"log.level": ABSENT, "message": "[Container] started"},
    ),
    (
        "powertools-xray-and-sampling",
        json.dumps(
            {
                "level": "DEBUG",
                "message": "m",
                "service": "svc",
                "cold_start": False,
                "xray_trace_id": "1-6b002f38-95b8c5cabad92b40908addbe",
                "sampling_rate": 0.1,
                "function_request_id": "r-9",
                "function_name": "other-name",
            }
        ),
        {
            "log.level": "DEBUG",
            "faas.coldstart": False,
            "service.name": "svc",
            "faas.execution": "r-9",
        },
    ),
    (
        "node-object-literal-is-text-not-json",
        "{ sku: 'SKU-1', qty: 2 }\n",
        {"message": "{ sku: 'SKU-1', qty: 2 }", "json": ABSENT, "log.level": ABSENT},
    ),
    (
        "json-object-with-spaces-inside-the-braces",
        '{ \n "level": "warn", "message": "spaced" }\n',
        {"message": "spaced", "log.level": "WARN", "json": {"level": "warn", "message": "spaced"}},
    ),
    (
        "empty-json-object",
        "{}\n",
        {"message": "{}", "json": {}},
    ),
    (
        "node-stack-with-windows-line-breaks",
        "2026-11-20T10:01:05.419Z\t76d8fb30-c9c2-4dd6-80c0-25423d6a857f\tERROR\tTypeError: x is "
        "undefined\r\n    at f (/var/task/a.js:1:2)\r\n    at g (/var/task/a.js:3:4)\r\n",
        {
            "error.type": "TypeError",
            "error.message": "x is undefined",
            "error.stack_trace": "TypeError: x is undefined\n    at f (/var/task/a.js:1:2)\n"
            "    at g (/var/task/a.js:3:4)",
        },
    ),
    (
        "multi-line-text-mentioning-at-without-frames",
        "Retrying at noon\nnothing failed",
        {"error.type": ABSENT, "error.stack_trace": ABSENT},
    ),
    (
        "python-json-stack-lines-with-their-line-breaks",
        '{"errorType": "KeyError", "errorMessage": "x", "stackTrace": ["  File \\"a.py\\", line '
        '1\\n", "    f()\\n"]}',
        {"error.type": "KeyError", "error.stack_trace": '  File "a.py", line 1\n    f()'},
    ),
    (
        "json-stack-list-with-a-non-string-is-no-stack",
        '{"errorType": "E", "errorMessage": "m", "stackTrace": ["at a", 3]}',
        {"error.type": "E", "error.message": "m", "error.stack_trace": ABSENT},
    ),
]


def lookup(fields: dict[str, Any], key: str) -> Any:
    if key.startswith("json."):
        current: Any = fields.get("json", ABSENT)
        for part in key[5:].split("."):
            current = current.get(part, ABSENT) if isinstance(current, dict) else ABSENT
        return current
    return fields.get(key, ABSENT)


@pytest.mark.parametrize(("line", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_line(line: str, expected: dict[str, Any]) -> None:
    fields = parse(line)
    assert isinstance(fields["message"], str)
    for key, want in expected.items():
        assert lookup(fields, key) == want, key


def test_an_oversized_line_is_truncated_in_message_and_kept_whole_in_event_original() -> None:
    # GIVEN a JSON line of 100 KB with the default 32 KiB limit
    line = json.dumps({"level": "INFO", "message": "y" * 100_000, "user": "u-1"}) + "\n"
    # WHEN it is parsed for a document
    fields = parse_capped(line, Settings(), STDLIB)
    # THEN message is cut to the limit, flagged, the full line kept, and the JSON not indexed
    assert len(fields["message"].encode()) == 32 * 1024
    assert fields["log.truncated"] is True
    assert fields["event.original"] == line
    assert "json" not in fields
    assert fields["log.level"] == "INFO"


def test_truncation_never_splits_a_multibyte_character() -> None:
    line = "é" * 40_000
    fields = parse_capped(line, Settings(max_message_bytes=1001), STDLIB)
    assert fields["message"] == "é" * 500
    assert fields["log.truncated"] is True


def test_a_line_under_the_limit_is_not_flagged() -> None:
    fields = parse_capped("short line", Settings(), STDLIB)
    assert "log.truncated" not in fields and "event.original" not in fields


def test_a_line_too_large_for_a_firehose_record_is_cut_for_real_and_flagged() -> None:
    from tests.transformer.helpers import cw_record, run

    # GIVEN a 1.2 MB line of control characters (each escapes to six bytes in JSON)
    line = "\x01" * 1_200_000
    # WHEN it is transformed
    result = run([cw_record([{"id": "1", "timestamp": 1_795_169_647_000, "message": line}])])
    # THEN its document fits a Firehose record, flagged as cut, with as much of the line as fits
    data = result.response["records"][0]["data"]
    import base64

    raw = base64.b64decode(data)
    assert len(raw) <= 1_000 * 1024
    document = json.loads(raw)
    assert document["event.original_truncated"] is True
    assert document["log.truncated"] is True
    assert 100_000 < len(document["event.original"]) < len(line)


@pytest.mark.parametrize("codec_name", ["STDLIB", "ORJSON"])
def test_lone_surrogate_escapes_parse_with_either_codec_and_encode_as_replacement(
    codec_name: str,
) -> None:
    from transformer import jsonlib

    codec = getattr(jsonlib, codec_name)
    if codec is None:
        pytest.skip("orjson is not installed (requirements.txt installs it)")
    fields = parse_line('{"message": "bad \\ud800 char", "level": "info"}', SETTINGS, codec)
    assert fields["message"] == "bad \ud800 char" and fields["log.level"] == "INFO"
    assert json.loads(codec.dumps(fields))["message"] == "bad \ufffd char"
    assert parse_line('{"message": "x", oops}', SETTINGS, codec).get("json") is None


@pytest.mark.parametrize(
    "line",
    [
        "REPORT RequestId: r\tDuration: 1e400 ms\tBilled Duration: 99999999999999999999999 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 12 MB\tInit Duration: 1.2.3 ms\t",
        '{"type": "platform.report", "record": {"requestId": "r", "metrics": {"durationMs": '
        '"x", "billedDurationMs": 1000000000000000000000000000000, "memorySizeMB": 128}}}',
    ],
    ids=["text", "json"],
)
def test_report_numbers_outside_their_types_are_left_out_not_written(line: str) -> None:
    fields = parse(line)
    assert "aws.lambda.billed_duration_ms" not in fields
    assert "aws.lambda.duration_ms" not in fields
    assert fields["aws.lambda.memory_size_mb"] == 128
    assert json.loads(STDLIB.dumps(fields))["aws.lambda.event"] == "report"


@pytest.mark.parametrize("codec_name", ["STDLIB", "ORJSON"])
def test_a_json_line_with_a_number_beyond_double_range_is_indexed_as_text(codec_name: str) -> None:
    from transformer import jsonlib

    codec = getattr(jsonlib, codec_name)
    if codec is None:
        pytest.skip("orjson is not installed (requirements.txt installs it)")
    line = '{"message": "big", "value": 1e400}'
    fields = parse_line(line, SETTINGS, codec)
    assert fields["message"] == line and "json" not in fields


def _corpus_reports() -> list[str]:
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    return [
        event["message"].rstrip("\r\n")
        for path in sorted(corpus.glob("*.json"))
        for case in json.loads(path.read_text())
        for event in case["events"]
        if event["message"].startswith("REPORT ")
        # the layouts the fast path reads: Lambda's tabs (not a console copy's spaces), no
        # SnapStart restore (tolerant path, see below)
        and "\t" in event["message"]
        and "Restore Duration" not in event["message"]
    ]


_HEAD = (
    "REPORT RequestId: 0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6\tDuration: 12.5 ms\t"
    "Billed Duration: 13 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\t"
)
_XRAY = "XRAY TraceId: 1-6b001356-b229ddd4d1f944a1a1a1ce65\tSegmentId: c91c2fcf\tSampled: true\t"
REPORT_LAYOUTS = [
    _HEAD,
    _HEAD + "Init Duration: 220.01 ms\t",
    _HEAD + "Status: timeout",
    _HEAD + "Status: error\tError Type: Runtime.ExitError",
    _HEAD + "Init Duration: 9.1 ms\tStatus: error\tError Type: Runtime.OutOfMemory\t",
    _HEAD + "\n" + _XRAY,
    _HEAD + "Init Duration: 220.01 ms\t\n" + _XRAY,
    _HEAD + "Status: timeout\t\n" + _XRAY,
    _HEAD + "Status: error\tError Type:  \t",
    _HEAD + "Status: unknown\t",
    _HEAD.replace("13 ms\t", "13 ms \t"),
]


@pytest.mark.parametrize("line", REPORT_LAYOUTS + _corpus_reports())
def test_the_fast_report_path_gives_what_the_tolerant_path_gives(line: str) -> None:
    fast = common_report(line)
    assert fast is not None, "today's REPORT layouts take the fast path"
    assert fast == tolerant_report(line, "report")
    assert parse(line + "\n")["aws.lambda.event"] == "report"


@pytest.mark.parametrize(
    "line",
    [
        _HEAD + "Restore Duration: 480.1 ms\tBilled Restore Duration: 91 ms\t",
        _HEAD.replace("Duration: 12.5 ms", "Duration: 1e400 ms"),
        _HEAD + "Future Field: 1\t",
        _HEAD + "Status: Timeout\t",
    ],
)
def test_other_report_layouts_take_the_tolerant_path(line: str) -> None:
    assert common_report(line) is None
    assert parse(line)["aws.lambda.event"] == "report"


def test_platform_report_metrics_keep_their_document_types() -> None:
    fields = parse(
        '{"type": "platform.report", "record": {"requestId": "r", "metrics": {"durationMs": 12, '
        '"billedDurationMs": 12.9, "memorySizeMB": true, "maxMemoryUsedMB": 9223372036854775807, '
        '"initDurationMs": 1e308}}}'
    )
    assert fields["aws.lambda.duration_ms"] == 12.0
    assert isinstance(fields["aws.lambda.duration_ms"], float)  # a double, even when written whole
    assert fields["aws.lambda.billed_duration_ms"] == 12  # a long, even when written with decimals
    assert isinstance(fields["aws.lambda.billed_duration_ms"], int)
    assert "aws.lambda.memory_size_mb" not in fields  # a boolean is no number
    assert fields["aws.lambda.max_memory_used_mb"] == 2**63 - 1
    assert fields["aws.lambda.init_duration_ms"] == 1e308
    assert fields["faas.coldstart"] is True

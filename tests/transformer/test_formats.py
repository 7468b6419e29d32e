"""Issue 15's formats, property by property: what the golden cases (tests/corpus) show by example,
checked here for the rule behind it, with both JSON codecs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdalogs.local.firehose import deliver, subscription_record
from transformer import jsonlib
from transformer.parse import parse_line
from transformer.runtimes import looks_like_request_id
from transformer.settings import Prices, Settings

CODECS = [jsonlib.STDLIB] + ([jsonlib.ORJSON] if jsonlib.ORJSON is not None else [])
RID = "3604209a-e9a3-11e6-939a-754dd98c7be3"
FIELDS = [
    f"RequestId: {RID}",
    "Duration: 12.34 ms",
    "Billed Duration: 100 ms",
    "Memory Size: 128 MB",
    "Max Memory Used: 18 MB",
    "Init Duration: 120.5 ms",
    "Restore Duration: 325.93 ms",
    "Billed Restore Duration: 26 ms",
    "Status: error",
    "Error Type: Runtime.ExitError",
    "XRAY TraceId: 1-66d978e5-56c7378e556e94b5461da07c",
    "SegmentId: 29c3839e6ecb5895",
    "Sampled: true",
]


def parse(line: str, codec: jsonlib.Codec = jsonlib.STDLIB) -> dict[str, Any]:
    return parse_line(line, Settings(), codec)


@pytest.mark.parametrize("count", range(2, len(FIELDS) + 1))
def test_a_report_separated_by_spaces_reads_as_the_tab_separated_one(count: int) -> None:
    tabs = parse("REPORT " + "\t".join(FIELDS[:count]) + "\t\n")
    spaces = parse("REPORT " + " ".join(FIELDS[:count]))
    tabs.pop("message"), spaces.pop("message")
    assert spaces == tabs
    assert spaces["faas.execution"] == RID  # the request id no longer swallows the line


def test_restore_durations_are_typed_and_a_restore_is_no_cold_start() -> None:
    fields = parse("REPORT " + "\t".join(FIELDS[:5] + FIELDS[6:8]))
    assert fields["aws.lambda.restore_duration_ms"] == 325.93
    assert fields["aws.lambda.billed_restore_duration_ms"] == 26
    assert type(fields["aws.lambda.billed_restore_duration_ms"]) is int
    assert fields["faas.coldstart"] is False
    assert parse("REPORT " + "\t".join(FIELDS[:6]))["faas.coldstart"] is True


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (RID, True),
        (RID.upper(), True),
        ("starting", False),
        ("undefined", False),
        (RID[:-1], False),
        (RID.replace("-", "_"), False),
        (RID[:-1] + "g", False),
    ],
)
def test_a_request_id_is_only_a_uuid_shaped_token(token: str, expected: bool) -> None:
    assert looks_like_request_id(token) is expected
    fields = parse(f"2026-11-20T10:00:00.000Z\t{token}\tINFO\tmessage")
    assert ("faas.execution" in fields) is expected


@pytest.mark.parametrize("codec", CODECS, ids=lambda c: "orjson" if c is jsonlib.ORJSON else "std")
def test_python_uncaught_error_in_json_mode_keeps_its_level(codec: jsonlib.Codec) -> None:
    line = json.dumps({"log_level": "ERROR", "errorType": "KeyError", "errorMessage": "'x'"})
    fields = parse(line, codec)
    assert (fields["log.level"], fields["error.type"]) == ("ERROR", "KeyError")


@pytest.mark.parametrize("codec", CODECS, ids=lambda c: "orjson" if c is jsonlib.ORJSON else "std")
def test_a_node_error_message_object_is_not_stringified(codec: jsonlib.Codec) -> None:
    error = {"errorType": "TypeError", "errorMessage": "x is undefined", "stackTrace": ["a", "b"]}
    fields = parse(json.dumps({"level": "ERROR", "message": error}), codec)
    assert fields["message"] == "TypeError: x is undefined"
    assert fields["error.stack_trace"] == "a\nb"


def _report_document(message: str, memory_mb: int | None = None) -> dict[str, Any]:
    record = subscription_record(
        "/aws/lambda/priced",
        "2026/11/20/[7]0123456789abcdef0123456789abcdef",
        "123456789012",
        [{"id": "1" * 56, "timestamp": 1795170000000, "message": message}],
    )
    delivery = deliver([record], settings=Settings(region="eu-west-1"))
    (document,) = delivery.documents
    return document


def test_a_snapstart_invocation_is_priced_on_billed_duration_alone() -> None:
    # Billed Duration already holds Billed Restore Duration (149.53 + 163 → 313 in a real line)
    line = (
        f"REPORT RequestId: {RID}\tDuration: 149.53 ms\tBilled Duration: 313 ms\tMemory Size: "
        "2048 MB\tMax Memory Used: 163 MB\tRestore Duration: 789.64 ms\tBilled Restore "
        "Duration: 163 ms\t\n"
    )
    prices = Prices()
    expected = 0.313 * 2.0 * prices.x86_64_gb_second + prices.per_request
    assert _report_document(line)["aws.lambda.cost_usd"] == pytest.approx(expected, rel=1e-9)


def test_a_managed_instances_report_has_no_per_invocation_cost() -> None:
    record = {"requestId": RID, "status": "success", "metrics": {"durationMs": 1.148}}
    document = _report_document(json.dumps({"type": "platform.report", "record": record}))
    assert document["aws.lambda.event"] == "report"
    assert document["aws.lambda.duration_ms"] == 1.148
    assert "aws.lambda.cost_usd" not in document
    assert "aws.lambda.billed_duration_ms" not in document


@pytest.mark.parametrize(
    ("name", "logger"),
    [
        ("AWS.Lambda.Powertools.Logging.Logger", "AWS.Lambda.Powertools.Logging.Logger"),
        ("Alice", None),
        ("Order 7.1", None),
    ],
)
def test_powertools_name_is_a_logger_only_when_it_is_a_category(name: str, logger: Any) -> None:
    line = json.dumps({"level": "INFO", "message": "m", "cold_start": True, "name": name})
    assert parse(line).get("log.logger") == logger
    assert "log.logger" not in parse(json.dumps({"level": "INFO", "name": name}))

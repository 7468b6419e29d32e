"""Hardening of the parse path: integers beyond 64 bits stay exact with both JSON codecs."""

from __future__ import annotations

import pytest

from lambdalogs.local.firehose import deliver
from tests.transformer.helpers import cw_record
from transformer import jsonlib
from transformer.jsonlib import may_hold_long_integer
from transformer.parse import parse_line
from transformer.settings import Settings

CODECS = [jsonlib.STDLIB] + ([jsonlib.ORJSON] if jsonlib.ORJSON is not None else [])
CODEC_IDS = ["orjson" if codec is jsonlib.ORJSON else "stdlib" for codec in CODECS]
SETTINGS = Settings(region="eu-west-1")
TRACE = 123456789012345678901234  # a numeric trace id of 24 digits
LONG_LINE = (
    '{"message": "paid", "trace_id": 123456789012345678901234, "low": -9223372036854775809,'
    ' "edge": [18446744073709551615, 18446744073709551616, -9223372036854775808],'
    ' "ok": 12, "f": 1.5}'
)


@pytest.mark.parametrize("codec", CODECS, ids=CODEC_IDS)
def test_integers_beyond_64_bits_stay_exact(codec: jsonlib.Codec) -> None:
    # GIVEN a JSON line with integers beyond 64 bits, at the top and nested
    # WHEN one codec parses it
    fields = parse_line(LONG_LINE, SETTINGS, codec)
    # THEN every integer is the exact int the line wrote, never a rounded float
    assert fields["trace.id"] == str(TRACE)
    obj = fields["json"]
    assert obj["trace_id"] == TRACE and type(obj["trace_id"]) is int
    assert obj["low"] == -(2**63) - 1 and type(obj["low"]) is int
    assert obj["edge"] == [2**64 - 1, 2**64, -(2**63)]
    assert all(type(n) is int for n in obj["edge"])
    assert obj["f"] == 1.5


def test_both_codecs_make_the_same_document_of_long_integers() -> None:
    # GIVEN the same line through the whole transformer with each codec
    record = cw_record([{"id": "e1", "timestamp": 1_795_169_647_000, "message": LONG_LINE}])
    documents = [deliver([record], settings=SETTINGS, codec=codec).documents for codec in CODECS]
    encoded = [codec.dumps(parse_line(LONG_LINE, SETTINGS, codec)) for codec in CODECS]
    # THEN the documents are identical, and exact
    assert all(docs == documents[0] for docs in documents)
    assert all(data == encoded[0] for data in encoded)
    assert documents[0][0]["json"]["trace_id"] == TRACE
    assert b"123456789012345678901234" in encoded[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a":1}', False),
        ('{"ts":1795169647121,"id":"c0ccb48d-e812-47d2-826f-b6f24349b291"}', False),
        ('{"n":922337203685477580}', False),  # 18 digits: within 64 bits
        ('{"n":9223372036854775808}', True),
        ('{"n": -9223372036854775809}', True),
        ('{"s":"12345678901234567890"}', True),  # a false positive: only costs an exact parse
        ('{"é":"\ud800", "n":18446744073709551616}', True),  # a lone surrogate does not break it
    ],
)
def test_may_hold_long_integer(text: str, expected: bool) -> None:
    assert may_hold_long_integer(text) is expected


HUGE = "9" * 400  # an integer beyond any double: orjson refuses it, the standard library reads it
EMF_XY = '{"_aws":{"CloudWatchMetrics":[{"Metrics":[{"Name":"x"},{"Name":"y"}]}]},'
HUGE_LINES = [
    EMF_XY + '"x":' + HUGE + ',"y":2}',
    '{"time":"2026-11-20T10:14:07.121Z","type":"platform.report","record":{"requestId":"r1",'
    '"metrics":{"durationMs":' + HUGE + ',"billedDurationMs":' + HUGE + ',"memorySizeMB":128}}}',
    '{"time":"2026-11-20T10:14:07.121Z","type":"platform.initReport","record":{"metrics":'
    '{"durationMs":' + HUGE + "}}}",
]


@pytest.mark.parametrize("line", HUGE_LINES, ids=["emf", "platform-report", "init-report"])
def test_integers_beyond_a_double_are_json_but_never_a_number_field(line: str) -> None:
    # GIVEN a JSON line with an integer no double can hold, where a number field is read
    # WHEN each codec parses it
    results = [parse_line(line, SETTINGS, codec) for codec in CODECS]
    # THEN it is still the JSON object it is (exact), the same with both codecs, and the
    # number fields that cannot hold it are left out instead of failing the line
    for fields in results:
        assert fields["json"] == results[0]["json"]
        assert int(HUGE) in [*fields["json"].values(), *_nested_numbers(fields["json"])]
        assert "metrics.x" not in fields and "aws.lambda.duration_ms" not in fields
    assert [codec.dumps(f) for codec, f in zip(CODECS, results, strict=True)] == [
        CODECS[0].dumps(results[0])
    ] * len(CODECS)
    if "metrics.y" in results[0]:
        assert results[0]["metrics.y"] == 2


def _nested_numbers(obj: dict[str, object]) -> list[object]:
    record = obj.get("record")
    metrics = record.get("metrics") if isinstance(record, dict) else None
    return list(metrics.values()) if isinstance(metrics, dict) else []


def test_may_hold_long_integer_finds_every_run_of_19_digits_wherever_it_is() -> None:
    # No offset, length or neighbour may hide a run (or make one of a shorter run)
    for offset in range(14):
        for length in (12, 13, 17, 18, 19, 20, 25):
            for filler in ("a", "1a", "é", "12345678901234567 "):
                text = filler * offset + "7" * length + '"}'
                assert may_hold_long_integer(text) is ("7" * 19 in text), (offset, length, filler)

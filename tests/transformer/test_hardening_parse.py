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

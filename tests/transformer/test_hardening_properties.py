"""Hypothesis over the parse → document path with hostile JSON lines: deep nesting (built
iteratively), thousands of keys, numbers beyond 64 bits and beyond a double, NaN-like strings,
lone surrogates. Every line yields exactly one document, a JSON object OpenSearch accepts (no
duplicate field names), and both codecs write the same document: the same fields, values and
types (the bytes may differ in how a float is spelled: orjson 1.5e-7, the standard library
1.5e-07).

Nesting beyond what the libraries read (orjson 1,024 levels; the standard library about the
interpreter's recursion limit, 1,000 by default as in Lambda) is tested without Hypothesis,
which raises the recursion limit while it runs."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lambdalogs.local.firehose import opensearch_document
from tests.transformer.helpers import cw_record
from transformer import jsonlib
from transformer.cost import StaticArchitectures
from transformer.parse import parse_line
from transformer.records import Context, transform_record
from transformer.settings import Settings

CODECS = [jsonlib.STDLIB] + ([jsonlib.ORJSON] if jsonlib.ORJSON is not None else [])
SETTINGS = Settings(region="eu-west-1", label_keys=("milestone", "tenant.id"))

numbers = st.one_of(
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**64 + 2),
    st.integers(min_value=-(2**63) - 2, max_value=-(2**63) + 2),
    st.integers(min_value=10**18, max_value=10**40),
    st.sampled_from([10**400, -(10**400), 2**1024, 0, -0]),
    st.floats(allow_nan=False, allow_infinity=False),
).map(lambda n: json.dumps(n))
texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["NaN", "-Infinity", "1e400", "\ud800", "a\udfffb", "\ud83d\ude43", ""]),
).map(lambda s: json.dumps(s, ensure_ascii=st_ascii(s)))
raw_texts = st.sampled_from(['"\ud800 raw"', '"\\ud800"', '"\\udc00x"', '"\\u0000"', '"é"'])
scalars = st.one_of(numbers, texts, raw_texts, st.sampled_from(["true", "false", "null"]))
members = st.sampled_from(
    [
        "message",
        "msg",
        "level",
        "trace_id",
        "traceId",
        "requestId",
        "milestone",
        "tenant.id",
        "errorType",
        "errorMessage",
        "stackTrace",
        "err",
        "cold_start",
        "type",
        "record",
        "x",
        "k",
    ]
)


def st_ascii(text: str) -> bool:
    """A lone surrogate is written as an escape (UTF-8 cannot hold it), others as they are."""
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def nested(depth: int, pattern: int, leaf: str) -> str:
    """A value nested `depth` levels (objects and arrays, by the bits of `pattern`), built
    without recursion."""
    kinds = [(pattern >> (level % 61)) & 1 for level in range(depth)]
    opening = "".join('{"d":' if kind else "[" for kind in kinds)
    closing = "".join("}" if kind else "]" for kind in reversed(kinds))
    return opening + leaf + closing


def wide(count: int, value: str) -> str:
    """An object of `count` members, some names repeated (the last one wins)."""
    return "{" + ",".join(f'"w{i % 997}":{value}' for i in range(count)) + "}"


def emf(count: int) -> str:
    names = ",".join(f'{{"Name":"M{i}"}}' for i in range(count))
    return f'{{"CloudWatchMetrics":[{{"Metrics":[{names}]}}]}}'


@st.composite
def json_lines(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for name in draw(st.lists(members, max_size=6)):
        parts.append(f'"{name}":{draw(scalars)}')
    depth = draw(st.one_of(st.sampled_from([253, 254, 255, 256, 900]), st.integers(0, 900)))
    if draw(st.booleans()):
        parts.append(f'"deep":{nested(depth, draw(st.integers(0, 2**61)), draw(scalars))}')
    keys = draw(st.sampled_from([0, 1, 50, 300, 3000]))
    if keys:
        parts.append(f'"wide":{wide(keys, draw(scalars))}')
        if draw(st.booleans()):
            parts.append(f'"_aws":{emf(keys)}')
            parts.extend(f'"M{i}":{i}' for i in range(0, keys, max(1, keys // 50)))
    draw(st.randoms()).shuffle(parts)
    line = "{" + ", ".join(parts) + "}"
    prefix = draw(st.sampled_from(["", "", "[INFO]\t2026-11-20T10:01:02.345Z\tc0ccb48d-e812\t"]))
    return prefix + line


def documents(lines: list[str], codec: jsonlib.Codec) -> list[bytes]:
    events = [
        {"id": f"e{i}", "timestamp": 1_795_169_647_000 + i, "message": line}
        for i, line in enumerate(lines)
    ]
    data = base64.b64encode(cw_record(events)).decode()
    ctx = Context(SETTINGS, codec, StaticArchitectures("x86_64"), "eu-west-1", 1_795_169_647_000)
    transformed = transform_record({"recordId": "r1", "data": data}, ctx)
    assert transformed.kind == "documents" and transformed.parser_errors == 0
    return transformed.documents


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(json_lines(), min_size=1, max_size=4))
@example(['{"message":"\ud800 raw"}'])  # a lone surrogate in the text: orjson refuses it
@example(['{"deep":' + nested(600, 0, "0") + "}"])  # beyond orjson's 254 levels on output
@example(['{"trace_id":123456789012345678901234,"n":' + "9" * 400 + "}"])  # beyond 64 bits
@example(['{"_aws":' + emf(3000) + "," + ",".join(f'"M{i}":{i}' for i in range(3000)) + "}"])
def test_any_json_line_gives_one_valid_document_the_same_with_both_codecs(lines: list[str]) -> None:
    for line in lines:  # the parser itself never raises (a raise would cost the line its parse)
        for codec in CODECS:
            parse_line(line, SETTINGS, codec)
    produced = [documents(lines, codec) for codec in CODECS]
    for docs in produced:
        assert len(docs) == len(lines)  # exactly one document per line
        for data in docs:
            document: dict[str, Any] = opensearch_document(data)  # strict: no duplicate keys
            assert next(iter(document)) == "@timestamp" and isinstance(document["message"], str)
    canonical = [[json.dumps(opensearch_document(data)) for data in docs] for docs in produced]
    assert all(docs == canonical[0] for docs in canonical)  # the same with both codecs


@pytest.mark.parametrize("depth", [254, 255, 900, 1000, 1024, 1025, 5000])
def test_deep_nesting_at_the_libraries_limits(depth: int) -> None:
    line = '{"message":"deep","d":' + nested(depth, 2**60 - 1, "1") + "}"
    produced = [documents([line], codec) for codec in CODECS]
    assert all(docs == produced[0] for docs in produced)  # here even the bytes are the same
    document = opensearch_document(produced[0][0])
    if depth >= 1000:  # beyond the libraries: the line as text, flagged, with both codecs
        assert document["message"] == line and document["event.unparsed"] is True
    else:
        assert document["message"] == "deep" and "event.unparsed" not in document

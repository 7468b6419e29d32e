"""The one decision of each record's answer, and the response budget that feeds it."""

from __future__ import annotations

import base64

import pytest

from transformer.answer import final_answer
from transformer.budget import b64_length, beyond_budget
from transformer.types import Transformed, TransformedKind

DOCUMENT = b'{"@timestamp":"2026-11-20T10:14:07.121Z","message":"m"}'


@pytest.mark.parametrize(
    ("kind", "inline", "reingest_failed", "expected"),
    [
        ("passthrough", True, False, ("Ok", "original")),
        ("dropped", True, False, ("Dropped", "original")),
        ("failed", True, False, ("ProcessingFailed", "original")),
        ("documents", True, False, ("Ok", "document")),
        ("documents", False, False, ("Dropped", "original")),
        ("documents", True, True, ("ProcessingFailed", "original")),
        ("documents", False, True, ("ProcessingFailed", "original")),
    ],
)
def test_each_record_gets_the_answer_its_fate_calls_for(
    kind: TransformedKind, inline: bool, reingest_failed: bool, expected: tuple[str, str]
) -> None:
    record = Transformed("r1", "b3JpZ2luYWw=", kind, [DOCUMENT] if kind == "documents" else [])
    answer = final_answer(record, inline=inline, reingest_failed=reingest_failed)
    data = {"original": "b3JpZ2luYWw=", "document": base64.b64encode(DOCUMENT).decode()}
    assert (answer.result, answer.data) == (expected[0], data[expected[1]])
    assert answer.entry() == {"recordId": "r1", "result": answer.result, "data": answer.data}


def test_the_largest_inline_documents_leave_the_response_first_and_only_as_needed() -> None:
    small, large = b"x" * 100, b"y" * 3_000
    records = [
        Transformed("a", "AA==", "documents", [small]),
        Transformed("b", "AA==", "documents", [large]),
        Transformed("c", "AA==", "dropped"),
    ]
    assert beyond_budget(records) == frozenset()
    # a budget that fits everything but the large document's growth over its original
    needed = 3 * 64 + 3 + b64_length(100) + b64_length(3_000) + 4
    assert beyond_budget(records, budget=needed) == frozenset()
    assert beyond_budget(records, budget=needed - 1) == frozenset({1})
    assert beyond_budget(records, budget=0) == frozenset({0, 1})

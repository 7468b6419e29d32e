"""`error.fingerprint` on the shared corpus: the same error gives the same fingerprint whatever
the request (ids, numbers, times) and the deploy (line numbers); different errors differ."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.local.firehose import deliver, subscription_record
from transformer.fingerprint import HEX_DIGITS, fingerprint, frames, normalise
from transformer.settings import Settings

CORPUS = Path(__file__).parent.parent / "corpus"
CASES = [case for path in sorted(CORPUS.glob("*.json")) for case in json.loads(path.read_text())]
SETTINGS = Settings(region="eu-west-1")


def documents(case: dict[str, Any], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    record = subscription_record(case["logGroup"], case["logStream"], case["owner"], events)
    delivery = deliver([record], settings=SETTINGS)
    by_id = {doc["aws.cloudwatch.event_id"]: doc for doc in delivery.documents}
    return [by_id[event["id"]] for event in events]


def shifted(text: str) -> str:
    """Every digit changed: other request ids, times, numbers, addresses and line numbers."""
    return re.sub(r"\d", lambda m: str((int(m.group()) + 3) % 10), text)


def error_documents() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    found = []
    for case in CASES:
        for event, document in zip(case["events"], documents(case, case["events"]), strict=True):
            if "error.type" in document:
                found.append((case["name"], event, document))
    return found


ERRORS = error_documents()


def test_every_corpus_error_has_a_short_fingerprint_and_others_none() -> None:
    assert len(ERRORS) >= 10
    for _name, _event, document in ERRORS:
        assert re.fullmatch(rf"[0-9a-f]{{{HEX_DIGITS}}}", document["error.fingerprint"])
    plain = documents(CASES[0], CASES[0]["events"])
    assert all("error.fingerprint" not in d for d in plain if "error.type" not in d)


def _kind(document: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """What the fingerprint stands for: the type, the normalised message, the innermost frames."""
    message = normalise(document.get("error.message", ""))
    return document["error.type"], message, tuple(frames(document.get("error.stack_trace", "")))


def test_different_errors_of_the_corpus_have_different_fingerprints() -> None:
    """One fingerprint per kind of error: the corpus repeats some kinds across cases (the same
    runtime crash in two sources), and those must share theirs."""
    by_kind: dict[tuple[str, str, tuple[str, ...]], set[str]] = {}
    for _n, _e, document in ERRORS:
        by_kind.setdefault(_kind(document), set()).add(document["error.fingerprint"])
    assert all(len(prints) == 1 for prints in by_kind.values())
    assert len({next(iter(p)) for p in by_kind.values()}) == len(by_kind) >= 40


VARYING = [(n, e, d) for n, e, d in ERRORS if re.search(r"\d", e["message"])]
"""The errors whose lines hold a digit to change (a line such as Go's deadlock message has none)."""


@pytest.mark.parametrize("name,event,document", VARYING, ids=[name for name, *_ in VARYING])
def test_the_same_error_in_another_request_and_deploy_has_the_same_fingerprint(
    name: str, event: dict[str, Any], document: dict[str, Any]
) -> None:
    case = next(c for c in CASES if c["name"] == name)
    again = {**event, "id": shifted(event["id"]), "message": shifted(event["message"])}
    assert again["message"] != event["message"]
    (other,) = documents(case, [again])
    assert other["error.type"] == document["error.type"]
    assert other["error.fingerprint"] == document["error.fingerprint"]


def test_a_different_type_or_place_is_a_different_fingerprint() -> None:
    stack = '  File "/var/task/app.py", line 3, in handler\n'
    base = fingerprint("KeyError", "'SKU-1'", stack)
    assert fingerprint("ValueError", "'SKU-1'", stack) != base
    assert fingerprint("KeyError", "'SKU-1'", stack.replace("handler", "other")) != base
    assert fingerprint("KeyError", "'customer_id'", stack) != base  # another missing key
    assert fingerprint("KeyError", "'SKU-99812'", stack.replace("3", "977")) == base


@pytest.mark.parametrize(
    "varying,same",
    [
        ("order 8f14e45f-ceea-467f-a4a8-2ab4e5f30b21 not found", "order <uuid> not found"),
        ("bad pointer 0x7ffd5e8c", "bad pointer <hex>"),
        ("commit 3f9a1c2e77d0 failed", "commit <hex> failed"),
        ("token AKIAIOSFODNN7EXAMPLE expired", "token <id> expired"),
        ("template 'monthly-v3' missing", "template <str> missing"),
        ('user "alice@example.com" unknown', "user <str> unknown"),
        ("timed out after 30.5 s on port 443", "timed out after <n>.<n> s on port <n>"),
        ("reading 'sku'", "reading 'sku'"),
    ],
)
def test_normalise_replaces_what_varies_between_requests(varying: str, same: str) -> None:
    assert normalise(varying) == same


@pytest.mark.parametrize(
    "stack,expected",
    [
        (
            "goroutine 1 [running]:\nmain.charge(0x1)\n\t/build/app/main.go:41 +0x1d\n"
            "main.handler()\n\t/build/app/main.go:12 +0x2a\n",
            ["app/main.go:main.charge", "app/main.go:main.handler"],
        ),
        (
            "   at Orders.Handler.Charge(Order o) in /src/Orders/Handler.cs:line 41\n"
            "   at Orders.Handler.Run() in /src/Orders/Handler.cs:line 12",
            ["Orders/Handler.cs:Orders.Handler.Charge", "Orders/Handler.cs:Orders.Handler.Run"],
        ),
        (
            "/var/task/lib/charge.rb:41:in `charge'\n\tfrom /var/task/handler.rb:12:in `handler'",
            ["lib/charge.rb:charge", "task/handler.rb:handler"],
        ),
        (
            "\tat com.example.A.load(A.java:58)\n\tat com.example.B.run(B.java:41)\n"
            "\tat com.example.C.main(C.java:9)\n\tat com.example.D.x(D.java:1)",
            ["A.java:com.example.A.load", "B.java:com.example.B.run", "C.java:com.example.C.main"],
        ),
        (
            "    at handler (/tmp/build-1234/dist/main.3f9a1c2e.js:10:5)",
            ["dist/main.<hex>.js:handler"],
        ),
    ],
)
def test_frames_of_each_runtime_without_line_numbers(stack: str, expected: list[str]) -> None:
    assert frames(stack) == expected

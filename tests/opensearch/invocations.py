"""Documents of invocations as the transformer writes them (DESIGN.md "The document"), and the
subset of DQL/KQL the saved objects' queries use, to count what a panel counts."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.opensearch_aggs import iso
from tests.fakes.opensearch_store import field_values

JsonObject = dict[str, Any]
MINUTE = 60_000
ACCOUNT = "111111111111"
REGION = "eu-west-1"


def cloud(account: str = ACCOUNT, region: str = REGION) -> JsonObject:
    """The `cloud` object every document carries: the log group's account and region."""
    return {"provider": "aws", "account": {"id": account}, "region": region}


def invocation(
    function: str,
    request: str,
    status: str,
    at_ms: int,
    error_lines: int = 0,
    account: str = ACCOUNT,
) -> list[JsonObject]:
    """One invocation: its ERROR lines, a timeout line when it timed out, its REPORT."""
    common = {"faas": {"name": function, "execution": request}, "cloud": cloud(account)}
    docs: list[JsonObject] = [
        {"@timestamp": iso(at_ms - 2), **common, "log": {"level": "ERROR"}, "message": "boom"}
        for _ in range(error_lines)
    ]
    if status == "timeout":  # "Task timed out after 3.00 seconds": a platform line, level ERROR
        docs.append(
            {
                "@timestamp": iso(at_ms - 1),
                **common,
                "log": {"level": "ERROR"},
                "aws": {"lambda": {"event": "timeout"}},
            }
        )
    report = {"event": "report", "status": status, "duration_ms": 12.5}
    docs.append({"@timestamp": iso(at_ms), **common, "aws": {"lambda": report}})
    return docs


def _split(text: str, word: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for match in re.finditer(rf"[()]|\s{word}\s", text):
        token = match.group()
        depth += {"(": 1, ")": -1}.get(token, 0)
        if token.strip() == word and depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    return [*parts, text[start:]]


def kql_matches(document: JsonObject, query: str) -> bool:
    """`a:b`, `a:(b or c)`, `a:*`, joined by `or` / `and` (and binds tighter)."""
    if not query.strip():
        return True
    return any(
        all(_clause(document, clause.strip()) for clause in _split(alternative, "and"))
        for alternative in _split(query, "or")
    )


def _clause(document: JsonObject, clause: str) -> bool:
    field, _, value = clause.partition(":")
    values = field_values(document, field.strip())
    value = value.strip()
    if value == "*":
        return bool(values)
    wanted = [v.strip() for v in value.strip("()").split(" or ")]
    return any(str(v).lower() in {w.lower() for w in wanted} for v in values)

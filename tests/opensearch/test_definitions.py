"""Figures users compare with Lambda's own metrics: "errors" per function counts failed
invocations (function error, timeout, runtime failure: Lambda's `Errors`), each once; error log
lines are their own panel; a timeout (a timeout line and a REPORT) counts once."""

from __future__ import annotations

import json

import pytest

from opensearch.artifacts import ContentSettings, JsonObject, load_artifacts
from tests.opensearch.invocations import MINUTE, invocation, kql_matches
from tests.opensearch.usage import search_source_query

END_MS = 1_764_666_000_000


def one_function() -> list[JsonObject]:
    """api: an error (3 ERROR lines), a timeout, a runtime failure, a success that logged a
    handled ERROR, a plain success. Lambda's metrics: Invocations 5, Errors 3."""
    at = END_MS - MINUTE
    return [
        *invocation("api", "r1", "error", at, error_lines=3),
        *invocation("api", "r2", "timeout", at),
        *invocation("api", "r3", "failure", at),
        *invocation("api", "r4", "success", at, error_lines=1),
        *invocation("api", "r5", "success", at),
    ]


def panel_value(key: str, documents: list[JsonObject]) -> int:
    """What a per-function panel shows for the one function: its metric over its query."""
    (obj,) = [
        o
        for o in load_artifacts(ContentSettings()).saved_objects
        if o["id"] == f"lambda-logs-vis-{key}"
    ]
    state = json.loads(obj["attributes"]["visState"])
    (metric,) = [a for a in state["aggs"] if a["schema"] == "metric"]
    matched = [d for d in documents if kql_matches(d, search_source_query(obj))]
    if metric["type"] == "count":
        return len(matched)
    assert metric["type"] == "cardinality"
    field = metric["params"]["field"]
    assert field == "faas.execution"
    return len({d["faas"]["execution"] for d in matched})


@pytest.mark.parametrize(
    ("key", "expected"),
    [("invocations", 5), ("errors", 3), ("error-lines", 5), ("timeouts", 1)],
)
def test_panels_count_what_lambda_counts(key: str, expected: int) -> None:
    # error lines: r1's 3, r2's timeout line (timeouts are ERROR), r4's handled one
    assert panel_value(key, one_function()) == expected


def test_the_kql_subset_is_kql() -> None:
    report = {"aws": {"lambda": {"event": "report", "status": "timeout"}}}
    assert kql_matches(report, "aws.lambda.status:(error or timeout)")
    assert kql_matches(report, "log.level:ERROR or aws.lambda.event:report")
    assert not kql_matches(report, "aws.lambda.event:report and log.level:*")

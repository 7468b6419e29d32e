"""EVENT_RULES: drop by level per group prefix, drop by message pattern, sample per request;
each counted in the summary's metrics, validated at config time and in the function, and exact
document counts on the corpus."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from bench.workload import EVERYDAY_FILES
from infra.config_errors import ConfigError
from infra.stack_config import StackConfig
from lambda_shared.event_rules import EventRulesError, parse_rules
from lambdalogs.local.firehose import LoopbackFirehose, deliver, opensearch_document
from tests.transformer.helpers import cw_record, run
from transformer.rules import SAMPLE_BUCKETS, bucket
from transformer.settings import Settings, SettingsError

CORPUS = Path(__file__).parent.parent / "corpus"
CASES = [case for path in sorted(CORPUS.glob("*.json")) for case in json.loads(path.read_text())]
BASE_CASES = [
    case for name in EVERYDAY_FILES for case in json.loads((CORPUS / f"{name}.json").read_text())
]
DEV = "/aws/lambda/dev-orders"
PROD = "/aws/lambda/prod-orders"
T0 = 1_795_169_647_000


def settings(rules: str, fold: bool = False) -> Settings:
    return Settings(region="eu-west-1", fold_platform_events=fold, event_rules=parse_rules(rules))


def event(offset: int, message: str) -> dict[str, Any]:
    return {"id": f"{T0 + offset:056d}", "timestamp": T0 + offset, "message": message}


def python_line(level: str, request: str, text: str) -> str:
    return f"[{level}]\t2026-11-20T10:00:00.000Z\t{request}\t{text}\n"


def everything(records: list[bytes], rules: str, fold: bool = False) -> tuple[list[Any], Any]:
    firehose = LoopbackFirehose()
    result = run(records, firehose=firehose, settings=settings(rules, fold))
    documents = result.documents() + [opensearch_document(d) for d in firehose.pending]
    return documents, result.summary()


def test_drop_level_drops_at_and_below_the_level_only_under_the_prefix() -> None:
    lines = [
        python_line(level, "req-1", f"{level} line")
        for level in ("DEBUG", "INFO", "WARNING", "ERROR")
    ]
    events = [event(i, line) for i, line in enumerate([*lines, "plain print, no level\n"])]
    documents, summary = everything(
        [cw_record(events, DEV), cw_record(events, PROD)], "drop-level /aws/lambda/dev- INFO"
    )
    by_group: dict[str, list[Any]] = defaultdict(list)
    for document in documents:
        by_group[document["aws.cloudwatch.log_group"]].append(document.get("log.level"))
    assert sorted(map(str, by_group[DEV])) == ["ERROR", "None", "WARN"]
    assert len(by_group[PROD]) == 5
    assert summary["EventsDroppedByLevel"] == 2
    assert summary["Documents"] == 8
    assert summary["EventsDroppedByPattern"] == summary["EventsSampledOut"] == 0


def test_drop_match_drops_matching_lines_but_never_errors_or_platform_lines() -> None:
    events = [
        event(0, python_line("INFO", "req-1", "GET /health 200")),
        event(1, python_line("INFO", "req-1", "GET /orders 200")),
        event(2, python_line("ERROR", "req-1", "GET /health failed")),
        event(3, "START RequestId: req-1 Version: $LATEST GET /health\n"),
    ]
    documents, summary = everything([cw_record(events, PROD)], r"drop-match * GET /health\b")
    messages = sorted(d["message"] for d in documents)
    assert messages == [
        "GET /health failed",
        "GET /orders 200",
        "START RequestId: req-1 Version: $LATEST GET /health",
    ]
    assert summary["EventsDroppedByPattern"] == 1


def test_sampling_keeps_whole_requests_and_never_errors_or_reports() -> None:
    # GIVEN 400 requests of three INFO lines, an ERROR and a REPORT each
    events: list[dict[str, Any]] = []
    for number in range(400):
        request = f"00000000-0000-4000-8000-{number:012d}"
        lines = [python_line("INFO", request, f"step {step}") for step in range(3)]
        lines.append(python_line("ERROR", request, "boom") if number % 10 == 0 else "")
        lines.append(
            f"REPORT RequestId: {request}\tDuration: 1.00 ms\tBilled Duration: 1 ms\t"
            "Memory Size: 128 MB\tMax Memory Used: 60 MB\t\n"
        )
        events += [event(len(events) + i, line) for i, line in enumerate(lines) if line]
    records = [cw_record(events[i : i + 100], PROD) for i in range(0, len(events), 100)]
    # WHEN 10 % of the INFO lines' requests are kept
    documents, summary = everything(records, "sample /aws/lambda/ INFO 10")
    # THEN each request kept all three INFO lines or none, as its hash decides
    info: dict[str, int] = defaultdict(int)
    for document in documents:
        if document.get("log.level") == "INFO":
            info[document["faas.execution"]] += 1
    assert set(info.values()) == {3}
    expected = {
        f"00000000-0000-4000-8000-{n:012d}"
        for n in range(400)
        if bucket(f"00000000-0000-4000-8000-{n:012d}") < SAMPLE_BUCKETS // 10
    }
    assert set(info) == expected and 20 <= len(expected) <= 60
    assert sum(d.get("log.level") == "ERROR" for d in documents) == 40
    assert sum(d.get("aws.lambda.event") == "report" for d in documents) == 400
    assert summary["EventsSampledOut"] == 3 * (400 - len(expected))


def test_sampling_is_the_same_in_every_batch() -> None:
    lines = [python_line("INFO", f"00000000-0000-4000-8000-{n:012d}", "x") for n in range(50)]
    records = [cw_record([event(i, line) for i, line in enumerate(lines)], PROD)]
    first, _ = everything(records, "sample * INFO 30")
    second, _ = everything(records, "sample * INFO 30")
    assert [d["faas.execution"] for d in first] == [d["faas.execution"] for d in second]
    assert 0 < len(first) < 50


def _kept_by_rules(document: dict[str, Any]) -> bool:
    """The rules of the corpus test below, worked out by hand on a plain document."""
    level = document.get("log.level")
    if "aws.lambda.event" in document or level in ("ERROR", "FATAL"):
        return True
    if any(name.startswith("error.") for name in document):
        return True
    group = document["aws.cloudwatch.log_group"]
    if level in ("TRACE", "DEBUG"):
        return False
    if group.startswith("/aws/lambda/edge-") and document["message"].startswith("Cache"):
        return False
    return not (group.startswith("/aws/lambda/orders-") and level == "INFO")


def test_corpus_exact_counts_with_rules() -> None:
    records = [cw_record(c["events"], c["logGroup"], c["logStream"]) for c in BASE_CASES]
    plain = deliver(records, settings=Settings(region="eu-west-1")).documents
    rules = (
        "drop-level * DEBUG; drop-match /aws/lambda/edge- ^Cache; sample /aws/lambda/orders- INFO 0"
    )
    ruled = deliver(records, settings=settings(rules)).documents
    kept = [d for d in plain if _kept_by_rules(d)]
    assert len(ruled) == len(kept) == 75 - 2 - 2 - 1
    assert sorted(d["aws.cloudwatch.event_id"] for d in ruled) == sorted(
        d["aws.cloudwatch.event_id"] for d in kept
    )
    folded = deliver(records, settings=settings(rules, fold=True)).documents
    assert len(folded) == len(kept) - 11  # the 11 START/END lines folding saves


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("drop /aws/lambda/ DEBUG", "'drop' is not a rule; use drop-level, drop-match or sample"),
        ("drop-level /aws/lambda/ ERROR", "errors are never left out"),
        ("drop-level /aws/lambda/ LOUD", "'LOUD' is not a level"),
        ("drop-level", "needs a log group prefix"),
        ("drop-level /aws/lam bda DEBUG", "is not a level"),
        ("drop-level /aws/lambda/$ DEBUG", "is not a log group prefix"),
        ("sample * INFO 110", "'110' is not a percentage"),
        ("sample * INFO", "is not a percentage"),
        ("drop-match * ([a-z]", "not a regular expression"),
        ("drop-match * (a+)+$", "exponential time"),
        ("drop-match * (GET|HEAD)*", "exponential time"),
        ("drop-match * " + "x" * 201, "use at most 200"),
        ("drop-level * DEBUG;; bogus * x", "rule 3 ('bogus * x')"),
    ],
)
def test_a_bad_rule_is_refused_with_what_to_do(text: str, says: str) -> None:
    with pytest.raises(EventRulesError) as raised:
        parse_rules(text)
    assert says in str(raised.value)
    with pytest.raises(SettingsError, match="EVENT_RULES"):
        Settings.from_env({"EVENT_RULES": text})


def test_safe_patterns_are_accepted() -> None:
    rules = parse_rules(
        r"drop-match * ^(?:GET|HEAD) /health\b; drop-match * (?i)ping (?:ok|up); drop-match * ^x(?:ab)+y"
    )
    assert len(rules.pattern_drops) == 3
    assert not parse_rules("  ;  ")


def test_config_time_validation_names_the_key_and_the_rule() -> None:
    required = {"masterUserPassword": "Sup3r-secret!", "allowedCidrs": "198.51.100.7/32"}
    good = {**required, "eventRules": "drop-level /aws/lambda/dev- DEBUG"}
    config = StackConfig.from_values(good, stack="dev", region="eu-west-1")
    assert config.variables["EVENT_RULES"] == "drop-level /aws/lambda/dev- DEBUG"
    with pytest.raises(ConfigError) as raised:
        StackConfig.from_values(
            {**required, "eventRules": "sample * INFO 200"}, stack="dev", region="eu-west-1"
        )
    message = str(raised.value)
    assert "eventRules" in message and "'200' is not a percentage" in message
    assert "pulumi config set eventRules" in message
    with pytest.raises(ConfigError, match="at most 1024"):
        long = "; ".join(["drop-level /aws/lambda/some-long-prefix- DEBUG"] * 30)
        StackConfig.from_values({**required, "eventRules": long}, stack="dev", region="eu-west-1")

"""`--json` of `trace` and `replay`, the limit `trace` stops at, and the options refused with a
message that says the rule: `--rate 0`, an unknown `--function`, a bad `--index-prefix`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.commands.options import index_prefix
from tests.cli.conftest import bulk_documents
from tests.cli.test_replay import BUCKET, Backup, backup  # noqa: F401  (the fixture)
from tests.fakes.opensearch_http import FakeOpenSearch


def _busiest_trace(documents: list[dict[str, Any]]) -> tuple[str, int]:
    counts: dict[str, int] = {}
    for document in documents:
        if document.get("trace.id"):
            counts[document["trace.id"]] = counts.get(document["trace.id"], 0) + 1
    trace_id = max(counts, key=lambda t: counts[t])
    return trace_id, counts[trace_id]


def test_trace_json_holds_every_event_in_time_order(cli: Any, demo_file: Path) -> None:
    trace_id, _ = _busiest_trace(bulk_documents(demo_file))
    text = cli("trace", trace_id, "--file", str(demo_file))
    result = cli("trace", trace_id, "--file", str(demo_file), "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    events = report["events"]
    assert report["trace_id"] == trace_id and report["truncated"] is False
    assert report["shown"] == report["total"] == len(events)
    assert f"{len(events)} events in {len(report['functions'])} functions" in text.out
    times = [e["@timestamp"] for e in events]
    assert times == sorted(times)
    assert [m["labels.milestone"] for m in report["milestones"]] == [
        e["labels.milestone"] for e in events if "labels.milestone" in e
    ]
    assert "showing" not in text.out and report["note"] is None


@pytest.mark.parametrize("source", ["file", "opensearch"])
def test_trace_says_when_it_stops_at_the_limit(
    cli: Any, demo_file: Path, fake: FakeOpenSearch, source: str
) -> None:
    documents = bulk_documents(demo_file)
    trace_id, _ = _busiest_trace(documents)
    full = json.loads(cli("trace", trace_id, "--file", str(demo_file), "--json").out)
    where = ["--file", str(demo_file)]
    if source == "opensearch":
        fake.store.bulk(demo_file.read_bytes(), None)
        where = ["--opensearch", fake.url]
    limit = 5
    text = cli("trace", trace_id, *where, "--max-events", str(limit))
    result = cli("trace", trace_id, *where, "--max-events", str(limit), "--json")
    assert text.code == result.code == 0, text.err + result.err
    report = json.loads(result.out)
    assert (report["shown"], report["total"], report["truncated"]) == (limit, full["total"], True)
    assert [e["@timestamp"] for e in report["events"]] == [
        e["@timestamp"] for e in full["events"][:limit]
    ]
    note = f"showing the first {limit} of {full['total']:,} events"
    assert note in report["note"] and note in text.out.splitlines()[1]
    assert text.out.rstrip().endswith("a request id of the trace")


def test_trace_refuses_a_limit_above_what_one_search_returns(cli: Any, demo_file: Path) -> None:
    result = cli("trace", "x", "--file", str(demo_file), "--max-events", "10001")
    assert result.code == 2 and "above 10,000" in result.err


def test_replay_json_has_the_counts_and_the_functions_seen(
    cli: Any,
    fake: FakeOpenSearch,
    backup: Backup,  # noqa: F811
) -> None:
    result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url, "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["objects"] == {"documents": 2, "processing-failed": 1, "opensearch-failed": 1}
    assert report["duplicates"] == 10 and report["dry_run"] is False
    assert report["indexed"] + report["already_indexed"] == len(set(backup.all_ids))
    seen = {d["faas.name"] for d in backup.documents if d.get("faas.name")}
    assert set(report["functions_seen"]) == seen


def test_replay_with_an_unknown_function_lists_the_functions_seen(
    cli: Any,
    fake: FakeOpenSearch,
    backup: Backup,  # noqa: F811
) -> None:
    result = cli(
        "replay",
        "--bucket",
        BUCKET,
        "--dry-run",
        "--function",
        "no-such-fn",
        "--settings-from",
        "environment",
    )
    assert result.code == 2
    message = [line for line in result.err.splitlines() if line.startswith("lambdalogs replay:")]
    assert len(message) == 1 and "--function no-such-fn: no such function" in message[0]
    for name in {d["faas.name"] for d in backup.documents if d.get("faas.name")}:
        assert name in message[0]
    known = next(d["faas.name"] for d in backup.documents if d.get("faas.name"))
    assert cli("replay", "--bucket", BUCKET, "--dry-run", "--function", known).code == 0


@pytest.mark.parametrize("command", ["replay", "backfill"])
@pytest.mark.parametrize("rate", ["0", "-5", "nan", "fast"])
def test_a_rate_of_zero_or_less_is_refused_with_what_to_do(
    cli: Any, command: str, rate: str
) -> None:
    where = ["--bucket", BUCKET] if command == "replay" else ["--log-group", "g", "--since", "1h"]
    result = cli(command, *where, "--dry-run", "--rate", rate)
    assert result.code == 2
    assert "--rate" in result.err and ("more than 0" in result.err or "not a number" in result.err)


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        ("Lambda-Logs", "uppercase"),
        ("logs*", "'*'"),
        ("a b", "' '"),
        ("a,b", "','"),
        ("a:b", "':'"),
        ("a#b", "'#'"),
        ("_logs", "starts with '_'"),
        ("-logs", "starts with '-'"),
        ("+logs", "'+'"),
        ("", "is empty"),
        ("x" * 245, "too long"),
    ],
)
def test_a_bad_index_prefix_is_refused_with_the_rule(cli: Any, prefix: str, problem: str) -> None:
    result = cli("trace", "some-id", "--file", "x.ndjson", f"--index-prefix={prefix}")
    assert result.code == 2
    assert problem in result.err and "lowercase" in result.err and "not starting with" in result.err


@pytest.mark.parametrize("prefix", ["lambda-logs", "prod.logs_2", "x" * 244])
def test_a_good_index_prefix_is_kept(prefix: str) -> None:
    assert index_prefix(prefix) == prefix

"""`trace` across accounts: the account and region of the events (once when all equal, per event
when not), `--account` / `--log-region` keep one account's or region's events, from a bulk file
and from OpenSearch (the local HTTP fake), and `--json` carries them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.conftest import bulk_documents
from tests.cli.test_trace import _failing_trace
from tests.fakes.opensearch_http import FakeOpenSearch

OTHER_ACCOUNT = "222222222222"
OTHER_REGION = "us-east-1"
SAVER = "conference-save-session"


def two_accounts(demo_file: Path, tmp_path: Path) -> tuple[Path, str]:
    """The demo's bulk file with the save-session function's events in another account and
    region (a hub receiving two accounts' logs); and the demo's own account."""
    lines = [json.loads(line) for line in demo_file.read_text().splitlines() if line.strip()]
    own = str(lines[1]["cloud.account.id"])
    for document in lines[1::2]:
        if document.get("faas.name") == SAVER:
            document["cloud.account.id"] = OTHER_ACCOUNT
            document["cloud.region"] = OTHER_REGION
    path = tmp_path / "two-accounts.ndjson"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path, own


def test_one_account_and_region_is_named_once_in_the_header(cli: Any, demo_file: Path) -> None:
    documents = bulk_documents(demo_file)
    trace_id = _failing_trace(documents)
    first = documents[0]
    result = cli("trace", trace_id, "--file", str(demo_file))
    assert result.code == 0, result.err
    header = result.out.splitlines()[1]
    assert header == f"account {first['cloud.account.id']}, region {first['cloud.region']}"
    assert result.out.count(str(first["cloud.account.id"])) == 1  # not on every event


def test_two_accounts_are_named_on_each_event(cli: Any, demo_file: Path, tmp_path: Path) -> None:
    path, own = two_accounts(demo_file, tmp_path)
    trace_id = _failing_trace(bulk_documents(path))
    result = cli("trace", trace_id, "--file", str(path))
    assert result.code == 0, result.err
    assert "2 accounts and regions:" in result.out.splitlines()[1]
    events = result.out.split("\nevents\n")[1].splitlines()
    rows = [line for line in events if line.strip()]
    savers = [line for line in rows if line.split()[4] == SAVER]
    assert savers and all(
        line.rstrip().endswith(f"{OTHER_ACCOUNT} {OTHER_REGION}") for line in savers
    )
    others = [line for line in rows if line.split()[4] != SAVER]
    assert others and all(OTHER_ACCOUNT not in line for line in others)
    assert all(own in line for line in others)


def test_account_and_region_filter_from_a_file_and_from_opensearch(
    cli: Any, demo_file: Path, tmp_path: Path, fake: FakeOpenSearch
) -> None:
    path, own = two_accounts(demo_file, tmp_path)
    fake.store.bulk(path.read_bytes(), None)
    trace_id = _failing_trace(bulk_documents(path))
    for source in (["--file", str(path)], ["--opensearch", fake.url]):
        only = cli("trace", trace_id, *source, "--account", OTHER_ACCOUNT, "--json")
        assert only.code == 0, only.err
        answer = json.loads(only.out)
        assert answer["functions"] == [SAVER]
        assert answer["places"] == [{"account": OTHER_ACCOUNT, "region": OTHER_REGION}]
        assert answer["filter"] == {"account": OTHER_ACCOUNT, "region": None}
        assert {e["cloud.account.id"] for e in answer["events"]} == {OTHER_ACCOUNT}
        region = cli("trace", trace_id, *source, "--log-region", OTHER_REGION, "--json")
        assert json.loads(region.out)["functions"] == [SAVER]
        mine = cli("trace", trace_id, *source, "--account", own)
        assert mine.code == 0, mine.err
        events = mine.out.split("\nevents\n")[1].splitlines()
        assert {line.split()[4] for line in events if line.strip()} == {"conference-create-session"}
        assert f"account {own}" in mine.out
    searches = fake.requests_to(r"/lambda-logs-\*/_search")
    bodies = [json.loads(r.body) for r in searches]
    assert any(
        {"term": {"cloud.account.id": OTHER_ACCOUNT}} in b["query"]["bool"]["filter"]
        for b in bodies
    )


def test_a_filter_that_matches_nothing_is_one_line(cli: Any, demo_file: Path) -> None:
    trace_id = _failing_trace(bulk_documents(demo_file))
    result = cli("trace", trace_id, "--file", str(demo_file), "--account", OTHER_ACCOUNT)
    assert result.code == 2 and "no events for trace" in result.err

"""Every monitor action's subject and message, rendered with Mustache against the context
OpenSearch Alerting 2.19 builds (tests/opensearch/alerting_context.py cites the sources), from
documents run through the monitor's own query: the function names and counts are in the text."""

from __future__ import annotations

import json

import pytest
from pystache.context import KeyNotFoundError  # type: ignore[import-untyped]

from opensearch.artifacts import ContentSettings, JsonObject, load_artifacts
from tests.fakes.opensearch_aggs import iso
from tests.opensearch.alerting_context import (
    ActionRun,
    bucket_level_runs,
    render,
)
from tests.opensearch.invocations import ACCOUNT, MINUTE, cloud, invocation

END_MS = 1_764_666_000_000  # the period end of the run under test
OTHER = "222222222222"  # a second account
SETTINGS = ContentSettings(
    alarm_topic_arn="arn:aws:sns:eu-west-1:1:t", alerting_role_arn="arn:aws:iam::1:role/r"
)


def monitors() -> dict[str, JsonObject]:
    return load_artifacts(SETTINGS).monitors


def line(
    function: str, minutes_ago: float, account: str = ACCOUNT, **fields: JsonObject
) -> JsonObject:
    at = iso(END_MS - minutes_ago * MINUTE)
    return {"@timestamp": at, "faas": {"name": function}, "cloud": cloud(account), **fields}


def rendered(run: ActionRun) -> tuple[str, str]:
    subject = render(run.action["subject_template"]["source"], run.params)
    return subject, render(run.action["message_template"]["source"], run.params)


def failed(
    function: str, count: int, minutes_ago: float = 2, account: str = ACCOUNT
) -> list[JsonObject]:
    """`count` failed invocations: errors with ERROR lines and timeouts (two documents each)."""
    docs: list[JsonObject] = []
    for i in range(count):
        status = "timeout" if i % 2 else "error"
        at = END_MS - int(minutes_ago * MINUTE) - i
        docs += invocation(function, f"{function}-{i}", status, at, 2, account)
    return docs


def test_error_spike_names_each_function_and_every_count() -> None:
    # GIVEN checkout (12 failed), search (15, already alerting), billing (3: below 10),
    # chatty (40 ERROR lines, every invocation a success), old (failures 20 minutes ago)
    documents = failed("checkout", 12) + failed("search", 15) + failed("billing", 3)
    documents += [
        d for i in range(20) for d in invocation("chatty", f"c{i}", "success", END_MS - MINUTE, 2)
    ]
    documents += failed("old", 30, minutes_ago=20)
    search_alert = f"search,{ACCOUNT},eu-west-1"  # bucket_keys: the composite key values
    runs = bucket_level_runs(monitors()["error-spike"], documents, END_MS, {search_alert})
    # THEN one action per alert: checkout NEW, search DEDUPED
    assert [r.category for r in runs] == ["NEW", "DEDUPED"]
    texts = [rendered(r) for r in runs]
    for (subject, message), name in zip(texts, ["checkout", "search"], strict=True):
        assert name in subject and message.startswith(name)
        assert f"- checkout (account {ACCOUNT}, eu-west-1): 12\n" in message  # timeouts once
        assert f"- search (account {ACCOUNT}, eu-west-1): 15\n" in message
        assert f"- billing (account {ACCOUNT}, eu-west-1): 3\n" in message
        assert "chatty" not in message and "old" not in message  # error lines are not failures
        assert "- : " not in message and "to 2025-12-02T09:00:00Z." in message  # Instant
    assert "(ongoing)" in texts[1][0] and "(ongoing)" not in texts[0][0]


def test_function_silent_names_the_silent_function() -> None:
    documents = [line("orders", 180), line("orders", 300), line("payments", 10)]
    runs = bucket_level_runs(monitors()["function-silent"], documents, END_MS, alerted=set())
    assert [r.category for r in runs] == ["NEW"]
    subject, message = rendered(runs[0])
    assert "orders" in subject and "logged in the 24 hours" in message
    assert message.startswith(f"orders,{ACCOUNT},eu-west-1 (function,account,region) logged")
    assert "0 log lines in the last hour" in message
    assert "payments" not in subject + message


def test_timeouts_alert_per_function_account_and_region_with_counts() -> None:
    # GIVEN slow timing out twice in one account and once in another, ok succeeding
    documents = invocation("slow", "s1", "timeout", END_MS - MINUTE)
    documents += invocation("slow", "s2", "timeout", END_MS - 2 * MINUTE)
    documents += invocation("slow", "s3", "timeout", END_MS - MINUTE, account=OTHER)
    documents += invocation("ok", "o1", "success", END_MS - MINUTE)
    runs = bucket_level_runs(monitors()["timeouts"], documents, END_MS, {f"slow,{OTHER},eu-west-1"})
    # THEN one alert per function, account and region: the first account's is new
    assert [r.category for r in runs] == ["NEW", "DEDUPED"]
    texts = [rendered(r) for r in runs]
    assert texts[0][0].startswith(f"Lambda timeouts: slow,{ACCOUNT},eu-west-1 (")
    assert texts[1][0].startswith(f"Lambda timeouts: slow,{OTHER},eu-west-1 (ongoing) (")
    for _subject, message in texts:
        assert f"- slow (account {ACCOUNT}, eu-west-1): 2\n" in message  # each invocation once
        assert f"- slow (account {OTHER}, eu-west-1): 1\n" in message
        assert "- ok " not in message
    assert texts[0][1].startswith(f"slow,{ACCOUNT},eu-west-1 (function,account,region) timed out")


@pytest.mark.parametrize("name", sorted(monitors()))
def test_every_action_renders_with_only_what_the_context_has(name: str) -> None:
    monitor = monitors()[name]
    documents = [*failed("fn", 20), line("quiet", 200)]
    documents += [line("fn", 3, error={"fingerprint": "f1", "type": "E"})]
    assert monitor["monitor_type"] == "bucket_level_monitor"  # alerts per function, account
    runs = bucket_level_runs(monitor, documents, END_MS, alerted=set())
    assert runs, f"{name} did not fire on documents it should alert on"
    for run in runs:
        rendered(run)  # strict: a tag the 2.19 context lacks raises


def test_the_old_agg_alert_content_template_is_caught() -> None:
    # the template of the issue: strict rendering names the tag OpenSearch printed as nothing
    (run, *_) = bucket_level_runs(monitors()["error-spike"], failed("checkout", 12), END_MS, set())
    old = "{{#ctx.newAlerts}}- {{agg_alert_content.bucket_keys}}: {{agg_alert_content.bucket.doc_count}} errors\n{{/ctx.newAlerts}}"
    with pytest.raises(KeyNotFoundError, match="agg_alert_content"):
        render(old, run.params)


def error(function: str, minutes_ago: float, fingerprint: str, kind: str) -> JsonObject:
    return line(function, minutes_ago, error={"fingerprint": fingerprint, "type": kind})


def test_new_error_names_the_new_fingerprint_once_with_its_functions_and_counts() -> None:
    # GIVEN an old error that keeps happening, one that started 20 minutes ago (already
    # reported by an earlier run), and a new one in two functions
    documents = [error("checkout", 2 * 24 * 60, "old0fingerprint", "KeyError")]
    documents += [error("checkout", 3, "old0fingerprint", "KeyError")]
    documents += [error("search", 20, "ccc0fingerprint", "ValueError")]
    documents += [error("search", 4, "ccc0fingerprint", "ValueError")]
    documents += [error("checkout", 6, "bbb0fingerprint", "TypeError")]
    documents += [error("checkout", 2, "bbb0fingerprint", "TypeError")]
    documents += [error("billing", 1, "bbb0fingerprint", "TypeError")]
    monitor = monitors()["new-error"]
    (run,) = bucket_level_runs(monitor, documents, END_MS, alerted=set())
    subject, message = rendered(run)
    keys = f"bbb0fingerprint,{ACCOUNT},eu-west-1"
    assert keys in subject and "TypeError" in subject
    assert (
        f"- TypeError [bbb0fingerprint] in account {ACCOUNT}, eu-west-1: 3 occurrences" in message
    )
    assert "in checkout (2) billing (1)" in message
    assert f"first {iso(END_MS - 6 * MINUTE)}, last {iso(END_MS - 1 * MINUTE)}" in message
    assert f'error.fingerprint:"bbb0fingerprint" and cloud.account.id:"{ACCOUNT}"' in message
    assert "old0fingerprint" not in subject + message and "ccc0" not in subject + message
    # WHEN the next run still sees it new THEN it is DEDUPED: not notified again
    assert bucket_level_runs(monitor, documents, END_MS, alerted={keys}) == []


def test_new_error_is_new_per_account_and_region() -> None:
    # GIVEN a KeyError that one account has had for days, starting now in another account
    documents = [error("checkout", 2 * 24 * 60, "old0fingerprint", "KeyError")]
    documents += [error("checkout", 3, "old0fingerprint", "KeyError")]
    documents += [
        line("checkout", 2, OTHER, error={"fingerprint": "old0fingerprint", "type": "KeyError"})
    ]
    (run,) = bucket_level_runs(monitors()["new-error"], documents, END_MS, alerted=set())
    subject, message = rendered(run)
    # THEN it is new in the other account only
    assert f"old0fingerprint,{OTHER},eu-west-1" in subject and ACCOUNT not in subject
    assert f"[old0fingerprint] in account {OTHER}, eu-west-1: 1 occurrences" in message
    assert f"in account {ACCOUNT}" not in message


def test_error_spike_keeps_same_named_functions_of_two_accounts_apart() -> None:
    # GIVEN checkout failing 12 times in one account, and 5 times in another (together 17)
    documents = failed("checkout", 12) + failed("checkout", 5, account=OTHER)
    runs = bucket_level_runs(monitors()["error-spike"], documents, END_MS, alerted=set())
    # THEN only the first account's checkout alerts, and the message names its account
    assert [r.category for r in runs] == ["NEW"]
    subject, message = rendered(runs[0])
    assert f"checkout,{ACCOUNT},eu-west-1" in subject and OTHER not in subject
    assert message.startswith(f"checkout,{ACCOUNT},eu-west-1 (function,account,region) had")
    assert f"- checkout (account {ACCOUNT}, eu-west-1): 12\n" in message
    assert f"- checkout (account {OTHER}, eu-west-1): 5\n" in message


def test_function_silent_in_one_account_alerts_although_its_namesake_logs() -> None:
    # GIVEN orders silent for 3 hours in one account, while another account's orders logs
    documents = [line("orders", 180), line("orders", 5, account=OTHER)]
    runs = bucket_level_runs(monitors()["function-silent"], documents, END_MS, alerted=set())
    (run,) = runs
    subject, message = rendered(run)
    assert f"orders,{ACCOUNT},eu-west-1" in subject and OTHER not in subject + message


def test_actions_see_the_last_empty_page_so_messages_read_the_unpaged_listing() -> None:
    # GIVEN Alerting 2.19 pages the trigger's composite and runs the actions with the last page
    (run, *_) = bucket_level_runs(monitors()["error-spike"], failed("checkout", 12), END_MS, set())
    aggregations = run.params["ctx"]["results"][0]["aggregations"]
    # THEN that page's buckets are empty, while the `listing` composite (not paged) is whole
    assert aggregations["composite_agg"]["buckets"] == []
    assert [b["key"]["function"] for b in aggregations["listing"]["buckets"]] == ["checkout"]
    for name, monitor in monitors().items():
        ((_, spec),) = monitor["triggers"][0].items()
        parent = spec["condition"]["parent_bucket_path"]
        assert parent != "listing"
        for action in spec["actions"]:
            assert f"aggregations.{parent}." not in json.dumps(action), name

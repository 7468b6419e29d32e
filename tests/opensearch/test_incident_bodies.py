"""PagerDuty and Opsgenie actions: every monitor's body rendered with Mustache against the context
Alerting 2.19 gives a per-alert action (tests/opensearch/alerting_context.py), with values
JSON-escaped as OpenSearch's lang-mustache does, then parsed with json.loads: valid JSON with the
API's fields, whatever the function names, error types and messages hold."""

from __future__ import annotations

import json
from typing import Any

import pytest

from opensearch.artifacts import ContentSettings, JsonObject, load_artifacts
from opensearch.channels import ChannelSpec
from opensearch.incident_bodies import IncidentTemplateError, json_string, routing_key_marker
from tests.opensearch.alerting_context import ActionRun, bucket_level_runs, render
from tests.opensearch.invocations import ACCOUNT, MINUTE, invocation
from tests.opensearch.test_monitor_messages import END_MS, OTHER, error, failed, line

SETTINGS = ContentSettings(
    alarm_topic_arn="arn:aws:sns:eu-west-1:1:t",
    alerting_role_arn="arn:aws:iam::1:role/r",
    channels=(ChannelSpec("oncall", "pagerduty"), ChannelSpec("genie", "opsgenie")),
)
HOSTILE = [
    'quote"d',
    "back\\slash\\",
    "new\nline\ttab\r",
    "{{ctx.monitor.name}}",
    '}}"}{"x":1',
    "ünï©ødé – 日本",
    "bell\x07nul\x00",
    "</script><b>&amp;",
]
LONGEST = "f" * 64  # Lambda's longest function name


def monitors() -> dict[str, JsonObject]:
    return load_artifacts(SETTINGS).monitors


def bodies(run: ActionRun, monitor: JsonObject) -> dict[str, Any]:
    """The parsed body of each channel's action, by channel kind, for the alert of `run`."""
    ((_, spec),) = monitor["triggers"][0].items()
    found = {}
    for action in spec["actions"]:
        kind = action["destination_id"].rsplit("-", 1)[-1]
        text = render(action["message_template"]["source"], run.params)
        found[kind] = json.loads(text) if kind in ("oncall", "genie") else text
    return found


def alert_runs(
    monitor: JsonObject, documents: list[JsonObject], alerted: set[str] | None = None
) -> list[ActionRun]:
    """One action run per alert (the SNS channel's; `bodies` renders every channel's)."""
    runs = bucket_level_runs(monitor, documents, END_MS, alerted or set())
    return [r for r in runs if r.action["destination_id"] == "lambda-logs-alarms"]


def spike_runs(documents: list[JsonObject], alerted: set[str] | None = None) -> list[ActionRun]:
    return alert_runs(monitors()["error-spike"], documents, alerted)


def test_pagerduty_body_is_an_events_v2_trigger_with_the_alert() -> None:
    (run,) = spike_runs(failed("checkout", 12) + failed("billing", 3))
    body = bodies(run, monitors()["error-spike"])["oncall"]
    assert set(body) == {"routing_key", "event_action", "dedup_key", "client", "payload"}
    assert body["routing_key"] == routing_key_marker("oncall")  # the applier puts the key here
    assert body["event_action"] == "trigger"
    assert body["dedup_key"] == f"monitor-1/trigger-1/checkout,{ACCOUNT},eu-west-1"
    payload = body["payload"]
    assert payload["severity"] == "error"  # the trigger's severity 2
    assert payload["summary"].startswith(f"Lambda error spike: checkout,{ACCOUNT},eu-west-1 (")
    assert payload["source"] == "lambda-logs: error spike per function"
    assert payload["class"] == "more than 10 failed invocations in 10 minutes"
    details = payload["custom_details"]["message"]
    assert f"- checkout (account {ACCOUNT}, eu-west-1): 12\n" in details
    assert f"- billing (account {ACCOUNT}, eu-west-1): 3\n" in details


def test_opsgenie_body_is_a_create_alert_request_with_the_alert() -> None:
    (run,) = spike_runs(failed("checkout", 12))
    body = bodies(run, monitors()["error-spike"])["genie"]
    assert body["message"] == f"Lambda error spike: checkout,{ACCOUNT},eu-west-1"
    assert body["alias"] == f"monitor-1/trigger-1/checkout,{ACCOUNT},eu-west-1"
    assert body["priority"] == "P2"
    assert body["description"].startswith(f"checkout,{ACCOUNT},eu-west-1 (function,account")
    assert f"- checkout (account {ACCOUNT}, eu-west-1): 12\n" in body["description"]


def test_the_text_channels_keep_the_text_message() -> None:
    (run,) = spike_runs(failed("checkout", 12))
    text = bodies(run, monitors()["error-spike"])["alarms"]
    assert text.startswith(f"checkout,{ACCOUNT},eu-west-1 (function,account,region) had more")


def test_a_repeat_of_the_same_alert_has_the_same_key_and_another_alert_another() -> None:
    documents = failed("checkout", 12) + failed("checkout", 11, account=OTHER)
    monitor = monitors()["error-spike"]
    first = [bodies(r, monitor) for r in spike_runs(documents)]
    again = [bodies(r, monitor) for r in spike_runs(documents, {f"checkout,{ACCOUNT},eu-west-1"})]
    keys = [b["oncall"]["dedup_key"] for b in first]
    assert len(set(keys)) == 2  # two accounts: two incidents
    assert sorted(b["oncall"]["dedup_key"] for b in again) == sorted(keys)  # DEDUPED: the same
    assert sorted(b["genie"]["alias"] for b in again) == sorted(keys)


def hostile_documents(name: str) -> list[JsonObject]:
    docs = invocation(name, "r1", "timeout", END_MS - MINUTE)
    docs += [*failed(name, 12), line(name, 200)]
    docs += [error(name, 3, "f00dfeedf00dfeed", f"Err{name}")]
    return docs


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("key", ["error-spike", "timeouts", "new-error"])
def test_every_body_is_valid_json_whatever_the_names_hold(key: str, name: str) -> None:
    monitor = monitors()[key]
    runs = alert_runs(monitor, hostile_documents(name))
    assert len(runs) == 1
    for run in runs:
        found = bodies(run, monitor)
        pager, genie = found["oncall"], found["genie"]  # json.loads succeeded
        alert = "f00dfeedf00dfeed" if key == "new-error" else name  # the first bucket key
        assert alert in pager["dedup_key"] and pager["dedup_key"] == genie["alias"]
        assert alert in pager["payload"]["summary"] and alert in genie["message"]
        details = pager["payload"]["custom_details"]["message"]
        assert details == genie["description"] and f"{name} (" in details  # the exact text


def test_the_silent_function_body_is_valid_json_with_a_hostile_name() -> None:
    monitor = monitors()["function-silent"]
    (run,) = alert_runs(monitor, [line(HOSTILE[4], 180)])
    genie = bodies(run, monitor)["genie"]
    assert genie["message"] == f"Lambda function stopped logging: {HOSTILE[4]},{ACCOUNT},eu-west-1"


def test_the_opsgenie_message_fits_130_characters_for_the_longest_names() -> None:
    # Opsgenie keeps at most 130 characters of an alert message
    for key in ("error-spike", "timeouts", "function-silent", "new-error"):
        monitor = monitors()[key]
        docs = [line(LONGEST, 180)] if key == "function-silent" else hostile_documents(LONGEST)
        docs = [{**d, "cloud": {**d["cloud"], "region": "ap-southeast-5"}} for d in docs]
        runs = alert_runs(monitor, docs)
        assert len(runs) == 1, key
        for run in runs:
            assert len(bodies(run, monitor)["genie"]["message"]) <= 130, key


def test_every_action_is_per_alert_so_a_key_names_one_alert() -> None:
    for name, monitor in monitors().items():
        ((_, spec),) = monitor["triggers"][0].items()
        for action in spec["actions"]:
            assert "per_alert" in action["action_execution_policy"]["action_execution_scope"], name
            assert "incident_title" not in action  # not an Alerting field: never sent
            assert "{{{" not in action["message_template"]["source"]


@pytest.mark.parametrize("template", ["{{{ctx.monitor.name}}}", "a {{& ctx.monitor.name}}"])
def test_an_unescaped_tag_is_refused(template: str) -> None:
    with pytest.raises(IncidentTemplateError, match="unescaped"):
        json_string(template)


def test_literal_text_is_escaped_and_tags_kept() -> None:
    assert json_string('say "hi"\n{{x}}\\') == '"say \\"hi\\"\\n{{x}}\\\\"'

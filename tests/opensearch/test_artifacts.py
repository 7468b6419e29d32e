"""Every artifact of opensearch/ validated by reading it."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opensearch import dashboards
from opensearch.artifacts import (
    ARTIFACTS_DIR,
    CHANNEL_ID_RULE,
    INDEX_PREFIX_RULE,
    ArtifactError,
    Artifacts,
    ContentSettings,
    channel_id_for,
    load_artifacts,
    load_raw,
    ndjson,
    placeholders_in,
    read_ndjson,
    render,
)
from opensearch.mapping import Mapping, mapping_of
from tests.opensearch.usage import FieldUse, dsl_uses, saved_object_uses, vega_spec

# DESIGN.md "The document" (+ docs/interfaces.md `event.original_truncated`, `event.unparsed`), verbatim types.
DESIGN_FIELDS = {
    "@timestamp": "date",
    "message": "text",
    "log.level": "keyword",
    "log.logger": "keyword",
    "service.name": "keyword",
    "cloud.provider": "keyword",
    "cloud.account.id": "keyword",
    "cloud.region": "keyword",
    "aws.cloudwatch.log_group": "keyword",
    "aws.cloudwatch.log_stream": "keyword",
    "aws.cloudwatch.event_id": "keyword",
    "faas.name": "keyword",
    "faas.version": "keyword",
    "faas.execution": "keyword",
    "faas.coldstart": "boolean",
    "trace.id": "keyword",
    "aws.xray.trace_id": "keyword",
    "aws.lambda.event": "keyword",
    "aws.lambda.status": "keyword",
    "aws.lambda.duration_ms": "double",
    "aws.lambda.billed_duration_ms": "long",
    "aws.lambda.memory_size_mb": "long",
    "aws.lambda.max_memory_used_mb": "long",
    "aws.lambda.init_duration_ms": "double",
    "aws.lambda.restore_duration_ms": "double",
    "aws.lambda.billed_restore_duration_ms": "long",
    "aws.lambda.tenant_id": "keyword",
    "aws.lambda.cost_usd": "double",
    "aws.lambda.start_time": "date",  # START and END folded into REPORT (transformer/folding.py)
    "aws.lambda.end_time": "date",
    "aws.lambda.folded": "flat_object",
    "error.type": "keyword",
    "error.message": "text",
    "error.stack_trace": "text",
    "error.fingerprint": "keyword",  # issue 16: new error types
    "log.truncated": "boolean",
    "event.original": "keyword",
    "event.original_truncated": "boolean",
    "event.unparsed": "boolean",
    "event.metrics_dropped": "long",
    "json": "flat_object",
}


@pytest.fixture(scope="module")
def artifacts() -> Artifacts:
    return load_artifacts(ContentSettings())


@pytest.fixture(scope="module")
def mapping(artifacts: Artifacts) -> Mapping:
    return mapping_of(artifacts.index_template)


# -- index template ---------------------------------------------------------------------------


def test_template_maps_exactly_the_design_fields(mapping: Mapping) -> None:
    # + the dynamic-path fields the saved objects use, mapped explicitly on every index
    explicit = {"labels.milestone": "keyword", "metrics.Latency": "double"}
    assert mapping.fields == {**DESIGN_FIELDS, **explicit}
    other = mapping_of(load_artifacts(ContentSettings(emf_metric="Cart")).index_template)
    assert other.fields == {
        **DESIGN_FIELDS,
        "labels.milestone": "keyword",
        "metrics.Cart": "double",
    }


def test_template_dynamic_paths(artifacts: Artifacts, mapping: Mapping) -> None:
    mappings = artifacts.index_template["template"]["mappings"]
    assert mappings["dynamic"] is False  # unknown root fields: kept in _source, never mapped
    assert mappings["date_detection"] is False
    props = mappings["properties"]
    assert props["labels"]["dynamic"] is True and props["metrics"]["dynamic"] is True
    assert mapping.dynamic == {"labels.*": "keyword", "metrics.*": "double"}
    assert mapping.type_of("labels.milestone") == "keyword"
    assert mapping.type_of("metrics.CheckoutLatency") == "double"
    assert mapping.type_of("metrics.a.b") is None
    assert mapping.type_of("unknown_root") is None
    # every JSON type a label or metric value may arrive as has a template (no default mapping)
    kinds = {
        (spec["path_match"], spec["match_mapping_type"])
        for entry in mappings["dynamic_templates"]
        for spec in entry.values()
    }
    for path in ("labels.*", "metrics.*"):
        assert {k for p, k in kinds if p == path} == {"string", "long", "double", "boolean"}


def test_template_special_fields(mapping: Mapping) -> None:
    assert mapping.options["event.original"] == {"index": False, "doc_values": False}
    assert not mapping.aggregatable("event.original")
    assert mapping.aggregatable("faas.name") and not mapping.aggregatable("message")
    assert mapping.fields["json"] == "flat_object"  # json.<anything> searchable, no conflicts


def test_template_settings_and_patterns(artifacts: Artifacts) -> None:
    template = load_artifacts(
        ContentSettings(index_prefix="x-logs", shards=3, replicas=2, refresh_interval="5s")
    ).index_template
    index = template["template"]["settings"]["index"]
    assert index["number_of_shards"] == 3 and index["number_of_replicas"] == 2
    assert index["refresh_interval"] == "5s" and index["codec"] == "best_compression"
    assert template["index_patterns"] == ["x-logs-*"]
    assert fnmatch.fnmatchcase(
        "lambda-logs-2026-11-23", artifacts.index_template["index_patterns"][0]
    )


# -- placeholders -----------------------------------------------------------------------------


def test_every_placeholder_is_known_and_rendered(artifacts: Artifacts) -> None:
    known = set(ContentSettings().placeholders())
    assert placeholders_in(load_raw()) <= known
    rendered = json.dumps(
        [
            artifacts.index_template,
            artifacts.ism_policy,
            artifacts.security_role,
            artifacts.saved_objects,
            artifacts.monitors,
        ]
    )
    assert "${" not in rendered


def test_unknown_placeholder_and_bad_settings_fail_clearly() -> None:
    with pytest.raises(ArtifactError, match=r"unknown placeholder \$\{NOPE\}"):
        render({"a": "x-${NOPE}"}, {"INDEX_PREFIX": "y"}, "thing.json")
    with pytest.raises(ArtifactError, match="index_prefix"):
        ContentSettings(index_prefix="Lambda Logs")
    with pytest.raises(ArtifactError, match="together"):
        ContentSettings(alarm_topic_arn="arn:aws:sns:eu-west-1:1:t")


# -- ISM policy and security role -------------------------------------------------------------


def test_ism_policy_deletes_after_retention_and_attaches(artifacts: Artifacts) -> None:
    policy = load_artifacts(ContentSettings(retention_days=14)).ism_policy["policy"]
    states = {s["name"]: s for s in policy["states"]}
    assert states[policy["default_state"]]["transitions"] == [
        {"state_name": "delete", "conditions": {"min_index_age": "14d"}}
    ]
    assert any("delete" in action for action in states["delete"]["actions"])
    assert (
        policy["ism_template"][0]["index_patterns"] == (artifacts.index_template["index_patterns"])
    )


def test_security_role_is_least_privilege(artifacts: Artifacts) -> None:
    role = artifacts.security_role
    assert role["cluster_permissions"] == ["cluster_composite_ops", "cluster_monitor"]
    assert role["index_permissions"] == [
        {"index_patterns": ["lambda-logs*"], "allowed_actions": ["create_index", "manage", "crud"]}
    ]


# -- saved objects ----------------------------------------------------------------------------


def test_every_ndjson_line_parses_and_files_match_their_source() -> None:
    for name, objects in dashboards.files().items():
        path = ARTIFACTS_DIR / "saved-objects" / name
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            assert isinstance(json.loads(line), dict), f"{path}:{number}"
        assert text == ndjson(objects), (
            f"{path} is stale: run .venv/bin/python -m opensearch.dashboards"
        )
    assert sorted(p.name for p in (ARTIFACTS_DIR / "saved-objects").glob("*.ndjson")) == sorted(
        dashboards.files()
    )


def _by_key(artifacts: Artifacts) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["type"], o["id"]): o for o in artifacts.saved_objects}


def test_ids_are_unique(artifacts: Artifacts) -> None:
    assert len(_by_key(artifacts)) == len(artifacts.saved_objects)


def test_every_reference_resolves(artifacts: Artifacts) -> None:
    objects = _by_key(artifacts)
    seen: list[str] = []
    for obj in artifacts.saved_objects:
        names = {ref["name"] for ref in obj["references"]}
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in objects, f"{obj['id']} → {ref}"
        # objects are imported in one file: referenced objects come first
        for ref in obj["references"]:
            assert ref["id"] in seen, f"{obj['id']} refers to {ref['id']} before it is defined"
        seen.append(obj["id"])
        meta = obj["attributes"].get("kibanaSavedObjectMeta", {"searchSourceJSON": "{}"})
        source = json.loads(meta["searchSourceJSON"])
        if "indexRefName" in source:
            assert source["indexRefName"] in names
        if obj["type"] == "dashboard":
            panels = json.loads(obj["attributes"]["panelsJSON"])
            assert panels and {p["panelRefName"] for p in panels} == names
            assert len({p["panelIndex"] for p in panels}) == len(panels)


def test_required_objects_exist(artifacts: Artifacts) -> None:
    titles = {o["type"]: set() for o in artifacts.saved_objects}  # type: dict[str, set[str]]
    for obj in artifacts.saved_objects:
        titles[obj["type"]].add(obj["attributes"]["title"])
    assert titles["index-pattern"] == {"lambda-logs-*"}
    assert {"Lambda errors", "Lambda timeouts", "Lambda cold starts"} <= titles["search"]
    assert len(titles["search"]) == 5 and len(titles["visualization"]) >= 10
    assert {t.split(": ", 1)[1] for t in titles["dashboard"]} == {
        "Overview",
        "Errors and timeouts",
        "Performance",
        "Cost",
        "Traces",
    }


def test_index_pattern_matches_the_template(artifacts: Artifacts) -> None:
    (pattern,) = [o for o in artifacts.saved_objects if o["type"] == "index-pattern"]
    assert [pattern["attributes"]["title"]] == artifacts.index_template["index_patterns"]
    assert pattern["attributes"]["timeFieldName"] == "@timestamp"


def _check_uses(uses: list[FieldUse], mapping: Mapping) -> list[str]:
    problems = []
    for use in uses:
        kind = mapping.type_of(use.field)
        if kind is None:
            problems.append(f"{use.where}: {use.field} is not in the template")
        elif use.aggregated and not mapping.aggregatable(use.field):
            problems.append(f"{use.where}: {use.field} ({kind}) cannot be aggregated/sorted")
    return problems


def test_every_field_used_exists_and_aggregates(artifacts: Artifacts, mapping: Mapping) -> None:
    uses = [u for o in artifacts.saved_objects for u in saved_object_uses(o)]
    assert {
        "faas.name",
        "aws.lambda.duration_ms",
        "trace.id",
        "labels.milestone",
        "aws.lambda.cost_usd",
        "error.type",
    } <= {u.field for u in uses}
    assert _check_uses(uses, mapping) == []


def test_field_check_catches_text_and_unknown_fields(mapping: Mapping) -> None:
    bad = [
        FieldUse("message", True, "x"),
        FieldUse("nope.field", False, "y"),
        FieldUse("json.user", True, "z"),
    ]
    assert len(_check_uses(bad, mapping)) == 3


def test_vega_specs_are_strict_json_over_the_index_pattern(artifacts: Artifacts) -> None:
    specs = [
        s
        for o in artifacts.saved_objects
        if o["type"] == "visualization"
        if (s := vega_spec(o)) is not None
    ]
    assert len(specs) >= 2
    for spec in specs:
        url = spec["data"]["url"]
        assert url["index"] == "lambda-logs-*" and url["%context%"] is True
        assert "query" not in url["body"]  # %context% supplies the dashboard's query
        assert spec["data"]["format"]["property"].startswith("aggregations.")
    slowest = next(s for s in specs if "Slowest" in s["title"])
    traces = slowest["data"]["url"]["body"]["aggs"]["traces"]
    assert traces["terms"]["field"] == "trace.id"
    assert {"min", "max", "bucket_script", "bucket_sort"} <= {
        next(iter(a)) for a in traces["aggs"].values()
    }


# -- monitors ---------------------------------------------------------------------------------


def test_monitors_are_valid_and_use_mapped_fields(artifacts: Artifacts, mapping: Mapping) -> None:
    assert set(artifacts.monitors) == {"error-spike", "timeouts", "function-silent", "new-error"}
    alerting = load_artifacts(
        ContentSettings(
            alarm_topic_arn="arn:aws:sns:x:1:t", alerting_role_arn="arn:aws:iam::1:role/r"
        )
    )
    for key, monitor in alerting.monitors.items():
        assert monitor["type"] == "monitor" and monitor["enabled"] is True
        (search,) = [i["search"] for i in monitor["inputs"]]
        assert search["indices"] == artifacts.index_template["index_patterns"]
        assert _check_uses(dsl_uses(search["query"], key), mapping) == []
        for trigger in monitor["triggers"]:
            ((kind, spec),) = trigger.items()
            assert kind == monitor["monitor_type"].replace("_monitor", "_trigger")
            if kind == "bucket_level_trigger":
                assert spec["condition"]["parent_bucket_path"] in search["query"]["aggregations"]
            assert [a["destination_id"] for a in spec["actions"]] == ["lambda-logs-alarms"]
    assert alerting.monitors["error-spike"]["monitor_type"] == "bucket_level_monitor"


def test_artifact_files_are_all_loaded() -> None:
    files = {p.relative_to(ARTIFACTS_DIR).as_posix() for p in ARTIFACTS_DIR.rglob("*json")}
    raw = load_raw()
    assert len(files) == 3 + len(raw["monitors"]) + len(dashboards.files())
    assert Path(ARTIFACTS_DIR / "README.md").exists()


def test_bad_ndjson_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "objects.ndjson"
    path.write_text('{"type": "search", "id": "a"}\n{"exportedCount": 1}\n{not json\n')
    with pytest.raises(ArtifactError, match=r"objects.ndjson:3: not JSON"):
        read_ndjson(path)
    path.write_text('{"type": "search", "id": "a"}\n{"exportedCount": 1, "missingRefCount": 0}\n')
    assert read_ndjson(path) == [{"type": "search", "id": "a"}]  # export summary skipped


def test_mustache_in_monitors_is_not_a_placeholder() -> None:
    settings = ContentSettings(
        alarm_topic_arn="arn:aws:sns:x:1:t", alerting_role_arn="arn:aws:iam::1:role/r"
    )
    text = json.dumps(load_artifacts(settings).monitors["error-spike"])
    assert "{{period_end}}||-10m" in text and "{{ctx.monitor.name}}" in text


# -- notification channel id ------------------------------------------------------------------

PREFIXES = st.from_regex(INDEX_PREFIX_RULE, fullmatch=True)


@given(PREFIXES)
def test_channel_id_is_a_valid_notifications_id_for_every_prefix(prefix: str) -> None:
    # 2.19 common-utils ValidationHelpers.kt: isValidId = not blank, all of [A-Za-z0-9+/_-]
    channel = ContentSettings(index_prefix=prefix).channel_id
    assert CHANNEL_ID_RULE.match(channel) and channel.strip() == channel
    assert "/" not in channel and "+" not in channel  # the id also goes into a URL path


@given(PREFIXES, PREFIXES)
def test_distinct_prefixes_never_share_a_channel(first: str, second: str) -> None:
    if first != second:
        assert channel_id_for(first) != channel_id_for(second)


def test_channel_id_of_plain_and_dotted_prefixes() -> None:
    assert channel_id_for("lambda-logs") == "lambda-logs-alarms"  # unchanged where valid
    dotted, underscored = channel_id_for("team.logs"), channel_id_for("team_logs")
    assert dotted.startswith("team_logs-") and dotted.endswith("-alarms")
    assert dotted != underscored == "team_logs-alarms"
    assert not CHANNEL_ID_RULE.match("team.logs-alarms")  # what the old id was

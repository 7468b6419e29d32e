"""The dynamic provider and the apply functions against the local OpenSearch HTTP fake."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from pulumi.dynamic import CreateResult, UpdateResult

from infra.opensearch_content import ContentProvider, content_hash
from opensearch.apply import apply_content, apply_index_template, import_saved_objects
from opensearch.artifacts import ContentSettings, load_artifacts
from opensearch.client import (
    Connection,
    OpenSearchForbiddenError,
    OpenSearchRequestError,
    OpenSearchUnauthorizedError,
    OpenSearchUnreachableError,
)
from tests.fakes.opensearch_http import FakeOpenSearch, RecordedRequest, Reply, refused_url
from tests.fakes.opensearch_plugins import multipart_file

FIREHOSE_ROLE = "arn:aws:iam::123456789012:role/lambda-logs-firehose"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:lambda-logs-alarms"
ALERTING_ROLE = "arn:aws:iam::123456789012:role/lambda-logs-alerting"


def props(fake_url: str, **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "endpoint": fake_url,
        "region": "eu-west-1",
        "index_prefix": "lambda-logs",
        "retention_days": 30,
        "shards": 2,
        "replicas": 1,
        "firehose_role_arn": FIREHOSE_ROLE,
        "alarm_topic_arn": TOPIC,
        "alerting_role_arn": ALERTING_ROLE,
        "master_user_name": "admin",
        "master_user_password": "Secret-1",
    }
    base.update(overrides)
    base["content_hash"] = content_hash(base)
    return base


def outs(result: CreateResult | UpdateResult) -> dict[str, Any]:
    assert result.outs is not None
    return result.outs


def calls(fake: FakeOpenSearch) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in fake.requests]


MONITOR_NAMES = {
    "lambda-logs: error spike per function",
    "lambda-logs: function stopped logging",
    "lambda-logs: function timeouts",
    "lambda-logs: new error type",
}


def test_create_applies_everything_in_order(opensearch_fake: FakeOpenSearch) -> None:
    # GIVEN an empty domain WHEN the provider creates the resource
    result = ContentProvider().create(props(opensearch_fake.url))
    # THEN the requests come in dependency order
    search = ("POST", "/_plugins/_alerting/monitors/_search")
    create = ("POST", "/_plugins/_alerting/monitors")
    assert calls(opensearch_fake) == [
        ("GET", "/"),
        ("PUT", "/_index_template/lambda-logs"),
        ("GET", "/_plugins/_ism/policies/lambda-logs-retention"),
        ("PUT", "/_plugins/_ism/policies/lambda-logs-retention"),
        ("POST", "/_plugins/_ism/add/lambda-logs-*"),
        ("PUT", "/_plugins/_security/api/roles/lambda-logs-firehose"),
        ("GET", "/_plugins/_security/api/rolesmapping/lambda-logs-firehose"),
        ("PUT", "/_plugins/_security/api/rolesmapping/lambda-logs-firehose"),
        ("GET", "/_plugins/_notifications/configs/lambda-logs-alarms"),
        ("POST", "/_plugins/_notifications/configs"),
        ("POST", "/_dashboards/api/saved_objects/_import"),
        search,
        create,
        search,
        create,
        search,
        create,
        search,
        create,
    ]
    assert result.id == "lambda-logs-content"
    assert set(outs(result)["monitor_ids"]) == {
        "error-spike",
        "function-silent",
        "new-error",
        "timeouts",
    }
    # AND the domain holds exactly the rendered content
    rendered = load_artifacts(
        ContentSettings(
            shards=2,
            firehose_role_arn=FIREHOSE_ROLE,
            alarm_topic_arn=TOPIC,
            alerting_role_arn=ALERTING_ROLE,
        )
    )
    assert opensearch_fake.objects["index_template"]["lambda-logs"] == rendered.index_template
    settings = rendered.index_template["template"]["settings"]["index"]
    assert settings["number_of_shards"] == 2 and settings["codec"] == "best_compression"
    assert opensearch_fake.objects["roles"]["lambda-logs-firehose"] == rendered.security_role
    names = {m["monitor"]["name"] for m in opensearch_fake.objects["monitors"].values()}
    assert names == MONITOR_NAMES
    saved = opensearch_fake.objects["saved_objects"]
    assert len(saved) == len(rendered.saved_objects) == outs(result)["saved_objects"]
    assert "index-pattern:lambda-logs-index-pattern" in saved


def test_every_request_is_authenticated_json_or_multipart(opensearch_fake: FakeOpenSearch) -> None:
    opensearch_fake.require_basic_auth("admin", "Secret-1")
    ContentProvider().create(props(opensearch_fake.url))
    expected = "Basic " + base64.b64encode(b"admin:Secret-1").decode()
    for request in opensearch_fake.requests:
        assert request.headers["authorization"] == expected
        if request.body and not request.path.endswith("/_import"):
            assert request.headers["content-type"].startswith("application/json")
            assert isinstance(request.json(), dict)


def test_saved_objects_import_is_multipart_file_with_xsrf(opensearch_fake: FakeOpenSearch) -> None:
    ContentProvider().create(props(opensearch_fake.url))
    (request,) = opensearch_fake.requests_to(r"/_dashboards/api/saved_objects/_import")
    assert request.param("overwrite") == "true"
    assert request.headers["osd-xsrf"] == "true"
    assert request.headers["securitytenant"] == "global"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    content = multipart_file(request, "file")
    assert content is not None
    lines = [json.loads(line) for line in content.decode().splitlines() if line]
    assert lines[0]["type"] == "index-pattern"
    assert {o["type"] for o in lines} == {"index-pattern", "search", "visualization", "dashboard"}
    assert "${" not in content.decode()


def test_role_mapping_keeps_existing_users_and_roles(opensearch_fake: FakeOpenSearch) -> None:
    # GIVEN a mapping someone else made
    opensearch_fake.objects["rolesmapping"]["lambda-logs-firehose"] = {
        "backend_roles": ["arn:aws:iam::123456789012:role/other"],
        "users": ["alice"],
        "hosts": [],
        "reserved": False,
    }
    ContentProvider().create(props(opensearch_fake.url))
    (put,) = opensearch_fake.requests_to(r"/_plugins/_security/api/rolesmapping/.*", "PUT")
    # THEN ours is added and theirs kept; read-only keys are not sent back
    assert put.json() == {
        "backend_roles": ["arn:aws:iam::123456789012:role/other", FIREHOSE_ROLE],
        "users": ["alice"],
        "hosts": [],
    }
    # AND applying again does not duplicate it
    ContentProvider().create(props(opensearch_fake.url))
    mapping = opensearch_fake.objects["rolesmapping"]["lambda-logs-firehose"]
    assert mapping["backend_roles"].count(FIREHOSE_ROLE) == 1


def test_update_reuses_policy_seq_no_channel_and_monitors(opensearch_fake: FakeOpenSearch) -> None:
    provider = ContentProvider()
    first = provider.create(props(opensearch_fake.url))
    opensearch_fake.store.create_index("lambda-logs-2026-11-20")
    opensearch_fake.clear_requests()
    seq_no = opensearch_fake.objects["ism"]["lambda-logs-retention"]["_seq_no"]
    # WHEN the retention changes
    news = props(opensearch_fake.url, retention_days=7)
    result = provider.update("lambda-logs-content", outs(first), news)
    # THEN the policy is updated with optimistic concurrency and moved onto managed indices
    (put,) = opensearch_fake.requests_to(r"/_plugins/_ism/policies/.*", "PUT")
    assert put.param("if_seq_no") == str(seq_no) and put.param("if_primary_term") == "1"
    hot = put.json()["policy"]["states"][0]
    assert hot["transitions"][0]["conditions"]["min_index_age"] == "7d"
    assert opensearch_fake.requests_to(r"/_plugins/_ism/change_policy/lambda-logs-\*")
    # AND monitors and channel are updated in place, never duplicated
    assert not opensearch_fake.requests_to(r"/_plugins/_alerting/monitors", "POST")
    assert len(opensearch_fake.requests_to(r"/_plugins/_alerting/monitors/[^_].*", "PUT")) == 4
    assert len(opensearch_fake.objects["monitors"]) == 4
    assert opensearch_fake.requests_to(
        r"/_plugins/_notifications/configs/lambda-logs-alarms", "PUT"
    )
    assert outs(result)["monitor_ids"] == outs(first)["monitor_ids"]


def test_diff_only_when_content_or_connection_changes() -> None:
    provider = ContentProvider()
    olds = props("https://search-x.eu-west-1.es.amazonaws.com")
    same = props("https://search-x.eu-west-1.es.amazonaws.com")
    assert provider.diff("id", olds, same).changes is False
    assert provider.diff("id", olds, props(olds["endpoint"], replicas=2)).changes is True
    assert (
        provider.diff(
            "id", olds, props(olds["endpoint"], alarm_topic_arn="", alerting_role_arn="")
        ).changes
        is True
    )
    assert provider.diff("id", olds, props("https://search-y.eu-west-1.es.amazonaws.com")).changes
    assert (
        provider.diff("id", olds, props(olds["endpoint"], master_user_password="new")).changes
        is False
    )


def test_content_hash_follows_every_setting() -> None:
    hashes = {
        content_hash(props("h", **change))
        for change in (
            {},
            {"index_prefix": "other"},
            {"retention_days": 1},
            {"shards": 3},
            {"replicas": 0},
            {"firehose_role_arn": "arn:aws:iam::1:role/x"},
            {"alarm_topic_arn": "arn:aws:sns:eu-west-1:1:other"},
            {"alerting_role_arn": "arn:aws:iam::1:role/other"},
        )
    }
    assert len(hashes) == 8  # each setting of the content changes the hash on its own


def test_without_alarm_topic_no_channel_and_no_actions(opensearch_fake: FakeOpenSearch) -> None:
    ContentProvider().create(props(opensearch_fake.url, alarm_topic_arn="", alerting_role_arn=""))
    assert not opensearch_fake.requests_to(r"/_plugins/_notifications/.*")
    for monitor in opensearch_fake.objects["monitors"].values():
        for trigger in monitor["monitor"]["triggers"]:
            assert next(iter(trigger.values()))["actions"] == []


def test_with_alarm_topic_actions_point_at_the_channel(opensearch_fake: FakeOpenSearch) -> None:
    ContentProvider().create(props(opensearch_fake.url))
    channel = opensearch_fake.objects["notifications"]["lambda-logs-alarms"]
    assert channel["sns"] == {"topic_arn": TOPIC, "role_arn": ALERTING_ROLE}
    for monitor in opensearch_fake.objects["monitors"].values():
        for trigger in monitor["monitor"]["triggers"]:
            actions = next(iter(trigger.values()))["actions"]
            assert actions and all(a["destination_id"] == "lambda-logs-alarms" for a in actions)


def test_security_skipped_without_fine_grained_access_control(
    opensearch_fake: FakeOpenSearch,
) -> None:
    opensearch_fake.fail(
        404,
        path=r"/_plugins/_security/.*",
        method="PUT",
        reason="no handler found for uri [/_plugins/_security/api/roles/x] and method [PUT]",
    )
    result = ContentProvider().create(props(opensearch_fake.url))
    assert outs(result)["security"].startswith("skipped")
    assert not opensearch_fake.requests_to(r"/_plugins/_security/api/rolesmapping/.*")
    assert opensearch_fake.requests_to(r"/_plugins/_alerting/monitors")


def test_sigv4_without_master_user(opensearch_fake: FakeOpenSearch) -> None:
    apply_content(
        Connection(endpoint=opensearch_fake.url, region="eu-west-1"),
        ContentSettings(firehose_role_arn=FIREHOSE_ROLE),
    )
    for request in opensearch_fake.requests:
        auth = request.headers["authorization"]
        assert auth.startswith("AWS4-HMAC-SHA256 Credential=testing/")
        assert "/eu-west-1/es/aws4_request" in auth
        assert "x-amz-date" in request.headers


def test_cli_functions_template_and_saved_objects(opensearch_fake: FakeOpenSearch) -> None:
    connection = Connection(
        endpoint=opensearch_fake.url,
        user="admin",
        password="pw",
        dashboards_url=opensearch_fake.url + "/_dashboards",
    )
    apply_index_template(connection, ContentSettings(index_prefix="demo-logs"))
    assert list(opensearch_fake.objects["index_template"]) == ["demo-logs"]
    assert opensearch_fake.objects["index_template"]["demo-logs"]["index_patterns"] == [
        "demo-logs-*"
    ]
    result = import_saved_objects(connection, ContentSettings(index_prefix="demo-logs"))
    assert result.saved_objects == len(opensearch_fake.objects["saved_objects"]) > 20
    assert (
        opensearch_fake.objects["saved_objects"]["index-pattern:demo-logs-index-pattern"][
            "attributes"
        ]["title"]
        == "demo-logs-*"
    )
    assert [r.path for r in opensearch_fake.requests] == [
        "/",
        "/_index_template/demo-logs",
        "/_dashboards/api/saved_objects/_import",
    ]


# -- errors name the cause and the fix ------------------------------------------------------


def test_401_names_the_master_user(opensearch_fake: FakeOpenSearch) -> None:
    opensearch_fake.require_basic_auth("admin", "right")
    with pytest.raises(OpenSearchUnauthorizedError) as raised:
        ContentProvider().create(props(opensearch_fake.url, master_user_password="wrong"))
    message = str(raised.value)
    assert "401" in message and "master user" in message and "'admin'" in message
    assert "GET /" in message


def test_403_names_the_role_mapping_fix(opensearch_fake: FakeOpenSearch) -> None:
    opensearch_fake.fail(403, path=r"/_index_template/.*")
    with pytest.raises(OpenSearchForbiddenError) as raised:
        ContentProvider().create(props(opensearch_fake.url))
    message = str(raised.value)
    assert "403" in message and "all_access" in message and "index template" in message
    assert "no permissions for [indices:admin/index_template/put]" in message


def test_unreachable_names_network_fix() -> None:
    with pytest.raises(OpenSearchUnreachableError) as raised:
        apply_content(
            Connection(endpoint=refused_url(), user="a", password="b", max_retries=0),
            ContentSettings(),
        )
    message = str(raised.value)
    assert "cannot reach OpenSearch" in message and "allowed CIDRs" in message
    assert "VPC" in message


def test_500_on_import_names_the_step(opensearch_fake: FakeOpenSearch) -> None:
    opensearch_fake.fail(500, path=r"/_dashboards/.*", reason="boom")
    with pytest.raises(OpenSearchRequestError) as raised:
        ContentProvider().create(props(opensearch_fake.url))
    assert "importing the Dashboards saved objects" in str(raised.value)
    assert "boom" in str(raised.value) and raised.value.status == 500
    # nothing after the failing step was sent
    assert not opensearch_fake.requests_to(r"/_plugins/_alerting/.*")


def test_partial_import_failure_is_an_error(opensearch_fake: FakeOpenSearch) -> None:
    def partial(_request: RecordedRequest) -> Reply:
        return Reply(
            200,
            {
                "success": False,
                "successCount": 1,
                "errors": [
                    {"id": "x", "type": "visualization", "error": {"type": "missing_references"}}
                ],
            },
        )

    opensearch_fake.route("POST", r"/_dashboards/api/saved_objects/_import", partial)
    with pytest.raises(OpenSearchRequestError, match="missing_references"):
        ContentProvider().create(props(opensearch_fake.url))


def test_provider_accepts_numbers_as_the_engine_sends_them(opensearch_fake: FakeOpenSearch) -> None:
    # Pulumi delivers every number as a double
    ContentProvider().create(
        props(opensearch_fake.url, shards=3.0, replicas=0.0, retention_days=9.0)
    )
    template = opensearch_fake.objects["index_template"]["lambda-logs"]
    index = template["template"]["settings"]["index"]
    assert (index["number_of_shards"], index["number_of_replicas"]) == (3, 0)
    assert isinstance(index["number_of_shards"], int)
    policy = opensearch_fake.objects["ism"]["lambda-logs-retention"]["policy"]
    assert policy["states"][0]["transitions"][0]["conditions"]["min_index_age"] == "9d"


@pytest.mark.parametrize("prefix", ["team.a.logs", "a.b", "x..y-z_1"])
def test_a_dotted_prefix_gets_a_valid_channel_id(
    opensearch_fake: FakeOpenSearch, prefix: str
) -> None:
    # GIVEN an index prefix with dots (valid for indices, not for Notifications ids)
    settings = ContentSettings(
        index_prefix=prefix, alarm_topic_arn=TOPIC, alerting_role_arn=ALERTING_ROLE
    )
    # WHEN the content is applied (the fake rejects ids outside [A-Za-z0-9+/_-] as 2.19 does)
    result = apply_content(Connection(opensearch_fake.url, "eu-west-1"), settings)
    # THEN the channel exists under that id and every monitor action points at it
    assert "." not in result.channel_id
    assert set(opensearch_fake.objects["notifications"]) == {result.channel_id}
    for monitor in opensearch_fake.objects["monitors"].values():
        for trigger in monitor["monitor"]["triggers"]:
            actions = next(iter(trigger.values()))["actions"]
            assert [a["destination_id"] for a in actions] == [result.channel_id]

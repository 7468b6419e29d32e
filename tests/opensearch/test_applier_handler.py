"""The in-VPC applier's handler end to end against the OpenSearch HTTP fake: the payload the
deployer sends, the requests and the answer of the deployer-side provider, the previous
answer's channels, and errors that say what to do, with no secret printed."""

from __future__ import annotations

import itertools
import json
from typing import Any
from unittest import mock

import pytest

from infra.opensearch_content import ContentProvider
from opensearch.applier_handler import ApplierPayloadError, handler
from opensearch.artifacts import ArtifactError
from opensearch.connection import OpenSearchUnauthorizedError, OpenSearchUnreachableError
from tests.fakes import opensearch_plugins
from tests.fakes.opensearch_http import FakeOpenSearch, refused_url
from tests.opensearch.applier_payload import CHANNELS, PASSWORD, SLACK, TEAMS, payload


def calls(fake: FakeOpenSearch) -> list[tuple[str, str, dict[str, list[str]]]]:
    return [(r.method, r.path, r.query) for r in fake.requests]


def test_the_handler_sends_what_the_deployer_side_provider_sends() -> None:
    with (
        mock.patch.object(opensearch_plugins, "_counter", itertools.count(1)),
        FakeOpenSearch() as fake,
    ):
        result = handler(payload(fake.url), None)
        applier_calls = calls(fake)
    with (
        mock.patch.object(opensearch_plugins, "_counter", itertools.count(1)),
        FakeOpenSearch() as fake,
    ):
        created = ContentProvider().create(payload(fake.url))
        provider_calls = calls(fake)
    assert applier_calls == provider_calls
    assert created.outs is not None
    for key in ("content_hash", "monitor_ids", "saved_objects", "security", "channel_ids"):
        assert result[key] == created.outs[key], key
    assert result["steps"][0] == "connection" and result["steps"][-1] == "monitors"
    assert len(result["monitor_ids"]) == 4 and result["saved_objects"] > 20
    json.dumps(result)  # the answer is JSON, as Lambda returns it


def test_a_reapply_deletes_the_channels_the_previous_answer_created(
    opensearch_fake: FakeOpenSearch,
) -> None:
    first = handler(payload(opensearch_fake.url), None)
    assert "lambda-logs-alarms-teams" in first["channel_ids"]
    opensearch_fake.clear_requests()
    again = payload(opensearch_fake.url, CHANNELS[:1], previous_result=json.dumps(first))
    second = handler(again, None)
    deleted = [r.path for r in opensearch_fake.requests if r.method == "DELETE"]
    assert deleted == ["/_plugins/_notifications/configs/lambda-logs-alarms-teams"]
    assert second["channel_ids"] == ["lambda-logs-alarms", "lambda-logs-alarms-ops"]


def test_a_cut_previous_answer_deletes_nothing_and_still_applies(
    opensearch_fake: FakeOpenSearch,
) -> None:
    first = handler(payload(opensearch_fake.url), None)
    opensearch_fake.clear_requests()
    cut = json.dumps(first)[:40]
    result = handler(payload(opensearch_fake.url, CHANNELS[:1], previous_result=cut), None)
    assert [r for r in opensearch_fake.requests if r.method == "DELETE"] == []
    assert result["steps"][-1] == "monitors"


def test_the_function_refuses_content_that_hashes_differently(
    opensearch_fake: FakeOpenSearch,
) -> None:
    stale = {**payload(opensearch_fake.url), "content_hash": "0" * 64}
    with pytest.raises(ApplierPayloadError) as raised:
        handler(stale, None)
    assert "older package" in str(raised.value) and "pulumi up" in str(raised.value)
    assert opensearch_fake.requests == []


@pytest.mark.parametrize(
    ("event", "words"),
    [
        ([1, 2], "must be a JSON object"),
        ({"endpoint": "x", "region": "eu-west-1"}, "lacks index_prefix, shards"),
    ],
)
def test_a_malformed_payload_says_how_to_invoke(event: Any, words: str) -> None:
    with pytest.raises(ApplierPayloadError) as raised:
        handler(event, None)
    assert words in str(raised.value) and "pulumi up" in str(raised.value)


def test_invalid_settings_are_refused_by_name(opensearch_fake: FakeOpenSearch) -> None:
    event = {**payload(opensearch_fake.url), "retention_days": 0, "content_hash": ""}
    with pytest.raises(ArtifactError, match="retention_days must be at least 1"):
        handler(event, None)


def test_unreachable_names_the_security_group_rule() -> None:
    with pytest.raises(OpenSearchUnreachableError) as raised:
        handler(payload(refused_url()), None)
    message = str(raised.value)
    assert "cannot reach OpenSearch" in message and "TCP 443" in message
    assert "applier's security group" in message and "allowed CIDRs" not in message


def test_no_secret_is_printed_or_in_an_error(
    opensearch_fake: FakeOpenSearch, capsys: pytest.CaptureFixture[str]
) -> None:
    handler(payload(opensearch_fake.url), None)
    printed = capsys.readouterr()
    assert "applied" in printed.out and "monitors" in printed.out
    opensearch_fake.require_basic_auth("admin", "another")
    with pytest.raises(OpenSearchUnauthorizedError) as raised:
        handler(payload(opensearch_fake.url), None)
    printed = capsys.readouterr()
    for secret in (PASSWORD, SLACK, TEAMS, "applier-secret"):
        assert secret not in printed.out + printed.err + str(raised.value)
    assert "master user 'admin'" in str(raised.value)

"""The applier's lean transport (urllib + botocore's signer) against the OpenSearch HTTP fake:
the same requests and results as opensearch-py, SigV4 signatures that verify, TLS verified, and
the same errors, naming cause and fix."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from opensearch.apply import apply_content
from opensearch.artifacts import ContentSettings
from opensearch.channels import ChannelSecret, ChannelSpec
from opensearch.client import OpenSearchPyBackend
from opensearch.connection import (
    DEPLOYER_FIX,
    Connection,
    OpenSearchContentError,
    OpenSearchForbiddenError,
    OpenSearchRequestError,
    OpenSearchUnauthorizedError,
    OpenSearchUnreachableError,
)
from opensearch.lean_transport import LeanBackend, LeanTransport
from opensearch.transport import Backend
from tests.fakes import opensearch_plugins
from tests.fakes.opensearch_http import FakeOpenSearch, RecordedRequest, Reply, refused_url
from tests.fakes.opensearch_plugins import multipart_file
from tests.opensearch.sigv4_check import expected_signature, signature_of
from tests.opensearch.tls_fake import tls_fake

FIREHOSE_ROLE = "arn:aws:iam::123456789012:role/lambda-logs-firehose"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:lambda-logs-alarms"
ALERTING_ROLE = "arn:aws:iam::123456789012:role/lambda-logs-alerting"
SETTINGS = ContentSettings(
    firehose_role_arn=FIREHOSE_ROLE,
    alarm_topic_arn=TOPIC,
    alerting_role_arn=ALERTING_ROLE,
    channels=(ChannelSpec("ops", "slack"),),
)
SECRETS = {"ops": ChannelSecret("https://hooks.slack.com/services/T0/B0/secret")}
BACKENDS: dict[str, Backend] = {"opensearch-py": OpenSearchPyBackend(), "lean": LeanBackend()}


def basic(url: str, **overrides: Any) -> Connection:
    return replace(
        Connection(url, region="eu-west-1", user="admin", password="Secret-1"), **overrides
    )


def _body(request: RecordedRequest) -> Any:
    if not request.body:
        return None
    file = multipart_file(request)
    if file is not None:
        return ("multipart", file.decode("utf-8"))
    return request.json()


def normalized(request: RecordedRequest) -> tuple[Any, ...]:
    """What a request means: method, path, query, auth, content type (without the multipart
    boundary, a random uuid), parsed body."""
    content_type = request.headers.get("content-type", "") if request.body else ""
    return (
        request.method,
        request.path,
        request.query,
        request.headers.get("authorization"),
        content_type.partition(";")[0],
        request.headers.get("osd-xsrf"),
        request.headers.get("securitytenant"),
        _body(request),
    )


def run_twice(backend: Backend) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    """Create then update (existing policy, channels and monitors) on a fresh fake, its ids and
    sequence numbers counted from 1."""
    with (
        mock.patch.object(opensearch_plugins, "_counter", itertools.count(1)),
        FakeOpenSearch() as fake,
    ):
        results = [
            asdict(
                apply_content(
                    basic(fake.url),
                    SETTINGS,
                    channel_secrets=SECRETS,
                    previous_channel_ids=["lambda-logs-alarms-old"] if i else [],
                    backend=backend,
                )
            )
            for i in range(2)
        ]
        return results, [normalized(r) for r in fake.requests]


def test_apply_sends_the_same_requests_and_answers_the_same_result_as_opensearch_py() -> None:
    reference_results, reference_requests = run_twice(OpenSearchPyBackend())
    lean_results, lean_requests = run_twice(LeanBackend())
    assert lean_requests == reference_requests
    assert lean_results == reference_results
    # and the comparison is about something: a create, an update, a delete, the import
    methods = {(method, path) for method, path, *_ in lean_requests}
    assert ("PUT", "/_plugins/_ism/policies/lambda-logs-retention") in methods
    assert ("DELETE", "/_plugins/_notifications/configs/lambda-logs-alarms-old") in methods
    assert ("POST", "/_dashboards/api/saved_objects/_import") in methods
    assert lean_results[1]["channel_ids"] == ["lambda-logs-alarms", "lambda-logs-alarms-ops"]
    seq_no_puts = [r for r in lean_requests if r[2].get("if_seq_no")]
    assert seq_no_puts and seq_no_puts[0][1] == "/_plugins/_ism/policies/lambda-logs-retention"


def test_sigv4_signatures_verify_against_what_the_server_received(
    opensearch_fake: FakeOpenSearch,
) -> None:
    # GIVEN no master user (the function's role signs; botocore reads the environment's keys)
    connection = Connection(opensearch_fake.url, region="eu-west-1")
    apply_content(connection, SETTINGS, channel_secrets=SECRETS, backend=LeanBackend())
    assert len(opensearch_fake.requests) > 10
    for request in opensearch_fake.requests:
        fields = signature_of(request)
        assert fields["Credential"].startswith("testing/")
        assert fields["Credential"].endswith("/eu-west-1/es/aws4_request")
        assert {"host", "x-amz-content-sha256", "x-amz-date"} <= set(
            fields["SignedHeaders"].split(";")
        )
        assert request.headers["x-amz-security-token"] == "testing"
        assert request.headers["x-amz-content-sha256"] == hashlib.sha256(request.body).hexdigest()
        assert fields["Signature"] == expected_signature(request, "testing"), request.path
    # the check can fail: another body, or another key, gives another signature
    signed = next(r for r in opensearch_fake.requests if r.body)
    assert (
        expected_signature(replace(signed, body=signed.body + b" "), "testing")
        != (signature_of(signed)["Signature"])
    )
    assert expected_signature(signed, "other") != signature_of(signed)["Signature"]


def test_no_aws_credentials_for_sigv4_says_what_to_configure(
    opensearch_fake: FakeOpenSearch, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    messages = {}
    for name, backend in BACKENDS.items():
        with pytest.raises(OpenSearchUnauthorizedError) as raised:
            apply_content(
                Connection(opensearch_fake.url, region="eu-west-1"), SETTINGS, backend=backend
            )
        messages[name] = str(raised.value)
    assert messages["lean"] == messages["opensearch-py"]
    assert "no AWS credentials" in messages["lean"] and "master user" in messages["lean"]
    assert opensearch_fake.requests == []


def _failing(fake: FakeOpenSearch, scenario: str) -> None:
    if scenario == "401":
        fake.require_basic_auth("admin", "another-password")
    elif scenario == "403":
        fake.fail(403, path=r"/_index_template/.*")
    elif scenario == "500":
        fake.fail(500, path=r"/_dashboards/.*", reason="boom")
    else:  # 409 on the ISM policy: a version conflict
        fake.fail(409, path=r"/_plugins/_ism/policies/.*", method="PUT", reason="conflict")


@pytest.mark.parametrize(
    ("scenario", "error", "words"),
    [
        ("401", OpenSearchUnauthorizedError, ("master user 'admin'", "GET /")),
        ("403", OpenSearchForbiddenError, ("all_access", "index template")),
        ("500", OpenSearchRequestError, ("importing the Dashboards saved objects", "boom")),
        ("409", OpenSearchRequestError, ("putting the ISM policy", "conflict")),
    ],
)
def test_error_answers_map_to_the_same_errors_and_messages(
    scenario: str, error: type[OpenSearchContentError], words: tuple[str, ...]
) -> None:
    seen: dict[str, tuple[type[BaseException], str, int]] = {}
    for name, backend in BACKENDS.items():
        with FakeOpenSearch() as fake:
            _failing(fake, scenario)
            with pytest.raises(error) as raised:
                apply_content(
                    basic(fake.url, max_retries=0),
                    SETTINGS,
                    channel_secrets=SECRETS,
                    backend=backend,
                )
            message = str(raised.value).replace(fake.url, "<fake>")
            seen[name] = (type(raised.value), message, raised.value.status)
    assert seen["lean"] == seen["opensearch-py"]
    assert seen["lean"][2] == int(scenario)
    assert all(word in seen["lean"][1] for word in words), seen["lean"][1]
    assert "Secret-1" not in seen["lean"][1] and "secret" not in seen["lean"][1].split("/")[-1]


def test_unreachable_names_the_fix_of_where_it_runs() -> None:
    url = refused_url()
    with pytest.raises(OpenSearchUnreachableError) as deployer:
        apply_content(basic(url, max_retries=0), SETTINGS, backend=LeanBackend())
    assert str(deployer.value).startswith(f"cannot reach OpenSearch at {url} while checking")
    assert DEPLOYER_FIX in str(deployer.value) and "Connection refused" in str(deployer.value)
    with pytest.raises(OpenSearchUnreachableError) as applier:
        apply_content(
            basic(url, max_retries=0, unreachable_fix="check the applier's security group"),
            SETTINGS,
            backend=LeanBackend(),
        )
    assert str(applier.value).endswith("check the applier's security group")


def test_tls_is_verified_and_a_private_ca_can_be_trusted(tmp_path: Path) -> None:
    with tls_fake(tmp_path) as server:
        with pytest.raises(OpenSearchUnreachableError) as raised:
            apply_content(basic(server.url, max_retries=0), SETTINGS, backend=LeanBackend())
        assert "CERTIFICATE_VERIFY_FAILED" in str(raised.value)
        assert server.fake.requests == []  # nothing was sent over the unverified connection
        result = apply_content(
            basic(server.url, ca_bundle=str(server.ca_bundle)),
            SETTINGS,
            channel_secrets=SECRETS,
            backend=LeanBackend(),
        )
    assert result.steps[0] == "connection" and result.saved_objects > 20
    assert server.fake.requests[0].basic_auth() == ("admin", "Secret-1")


@pytest.mark.parametrize(
    ("endpoint", "words"),
    [
        ("https://admin:hunter2@search-x.eu-west-1.es.amazonaws.com", "credentials in the URL"),
        ("ftp://search-x.eu-west-1.es.amazonaws.com", "not an http(s) URL"),
        ("http://search-x.eu-west-1.es.amazonaws.com", "plain HTTP to search-x"),
        ("   ", "endpoint is empty"),
    ],
)
def test_bad_endpoints_are_refused_before_sending(endpoint: str, words: str) -> None:
    with pytest.raises(OpenSearchContentError) as raised:
        apply_content(basic(endpoint), SETTINGS, backend=LeanBackend())
    assert words in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_plain_http_to_a_local_cluster_is_allowed(opensearch_fake: FakeOpenSearch) -> None:
    transport = LeanTransport(basic(opensearch_fake.url), opensearch_fake.url)
    assert transport.perform_request("GET", "/")["version"]["distribution"] == "opensearch"


def test_busy_answers_are_retried_then_reported(opensearch_fake: FakeOpenSearch) -> None:
    opensearch_fake.fail(503, path="/", method="GET", times=2)
    transport = LeanTransport(basic(opensearch_fake.url, max_retries=2), opensearch_fake.url)
    assert transport.perform_request("GET", "/")["version"]["distribution"] == "opensearch"
    assert len(opensearch_fake.requests_to("/", "GET")) == 3
    opensearch_fake.fail(503, path="/", method="GET")
    backend = LeanBackend()
    connection = basic(opensearch_fake.url, max_retries=1)
    with pytest.raises(OpenSearchRequestError) as raised:
        backend.call(
            connection,
            "checking",
            lambda: LeanTransport(connection, connection.url).perform_request("GET", "/"),
        )
    assert raised.value.status == 503
    assert len(opensearch_fake.requests_to("/", "GET")) == 5


def test_a_slow_answer_times_out(opensearch_fake: FakeOpenSearch) -> None:
    def slow(_request: RecordedRequest) -> Reply:
        time.sleep(1.0)
        return Reply(200, {})

    opensearch_fake.route("GET", "/", slow)
    with pytest.raises(OpenSearchUnreachableError) as raised:
        apply_content(
            basic(opensearch_fake.url, timeout=0.2, max_retries=0), SETTINGS, backend=LeanBackend()
        )
    assert "timed out" in str(raised.value)


def test_an_answer_that_is_not_json_is_reported(opensearch_fake: FakeOpenSearch) -> None:
    opensearch_fake.route("GET", "/", lambda _r: Reply(200, b"<html>login</html>"))
    with pytest.raises(OpenSearchRequestError) as raised:
        apply_content(basic(opensearch_fake.url), SETTINGS, backend=LeanBackend())
    assert "did not answer with JSON while checking the connection" in str(raised.value)
    assert "is it an OpenSearch endpoint?" in str(raised.value)


def test_bodies_and_headers_are_sent_as_given(opensearch_fake: FakeOpenSearch) -> None:
    opensearch_fake.route("*", "/echo", lambda r: Reply(200, {"got": r.text}))
    transport = LeanTransport(basic(opensearch_fake.url), opensearch_fake.url + "/")
    answer = transport.perform_request("POST", "/echo", params={"a": "1 2"}, body={"k": ["v"]})
    assert json.loads(answer["got"]) == {"k": ["v"]}
    text = transport.perform_request("PUT", "echo", body="raw", headers={"Content-Type": "text/x"})
    assert text == {"got": "raw"}
    first, second = opensearch_fake.requests
    assert first.query == {"a": ["1 2"]} and first.headers["content-type"] == "application/json"
    assert second.headers["content-type"] == "text/x"
    assert transport.perform_request("HEAD", "/") is True

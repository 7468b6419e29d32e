"""`demo --opensearch` against a local cluster without the security plugin: no credentials, no
AWS region; the documents are indexed even when the Dashboards import fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.errors import InputError
from lambdalogs.search.cluster import connection_for
from tests.cli.conftest import bulk_documents, stored
from tests.fakes.opensearch_http import FakeOpenSearch


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS credentials, profile or region anywhere boto3 would look."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "OPENSEARCH_USER",
        "OPENSEARCH_PASSWORD",
        "OPENSEARCH_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def localhost(fake: FakeOpenSearch) -> str:
    return f"http://localhost:{fake.port}"


@pytest.mark.usefixtures("no_aws")
def test_a_local_cluster_needs_no_credentials(
    cli: Any, tmp_path: Path, fake: FakeOpenSearch
) -> None:
    out = tmp_path / "demo.ndjson"
    result = cli("demo", "--sessions", "4", "--out", str(out), "--opensearch", localhost(fake))
    assert result.code == 0, result.err
    assert not [r for r in fake.requests if "authorization" in r.headers]
    ids = sorted(d["aws.cloudwatch.event_id"] for d in bulk_documents(out))
    assert sorted(d["aws.cloudwatch.event_id"] for d in stored(fake)) == ids
    assert fake.objects["saved_objects"]
    view = f"{localhost(fake)}/_dashboards/app/dashboards#/view/lambda-logs-dashboard-overview"
    assert f"Open {view}" in result.out


@pytest.mark.usefixtures("no_aws")
def test_auth_none_is_explicit_and_refuses_credentials(
    cli: Any, tmp_path: Path, fake: FakeOpenSearch
) -> None:
    args = ("demo", "--sessions", "2", "--out", str(tmp_path / "d.ndjson"))
    assert cli(*args, "--opensearch", fake.url, "--auth", "none").code == 0
    assert not [r for r in fake.requests if "authorization" in r.headers]
    refused = cli(*args, "--opensearch", fake.url, "--auth", "none", "--user", "u")
    assert refused.code == 2 and "--auth basic" in refused.err


def test_auth_auto_signs_only_amazon_endpoints() -> None:
    amazon = "https://search-logs-abc.eu-west-1.es.amazonaws.com"
    signed = connection_for(amazon, None, None, env={})
    assert signed.sigv4 and signed.region == "eu-west-1"
    for local in ("http://localhost:9200", "https://opensearch.internal:9200"):
        assert not connection_for(local, None, None, env={}).sigv4
    basic = connection_for(amazon, "admin", "secret", env={})
    assert (basic.user, basic.sigv4) == ("admin", False)
    assert not connection_for(amazon, None, None, auth="none", env={}).sigv4
    with pytest.raises(InputError, match="--auth basic needs --user"):
        connection_for("http://localhost:9200", None, None, auth="basic", env={})
    with pytest.raises(InputError, match="--auth none"):
        connection_for("http://localhost:9200", None, None, auth="sigv4", env={})


@pytest.mark.usefixtures("no_aws")
def test_a_failed_dashboards_import_still_indexes_and_names_dashboards_url(
    cli: Any, tmp_path: Path, fake: FakeOpenSearch
) -> None:
    # GIVEN OpenSearch without Dashboards behind /_dashboards (a local Dashboards is on :5601)
    fake.fail(404, path=r"/_dashboards/.*", reason="no handler found for uri")
    out = tmp_path / "demo.ndjson"
    args = ("demo", "--sessions", "4", "--out", str(out), "--opensearch", fake.url)
    result = cli(*args)
    # THEN the documents are indexed, and the operator learns why the dashboards are missing
    assert result.code == 0, result.err
    assert len(stored(fake)) == len(bulk_documents(out))
    assert "saved objects were not imported" in result.err
    assert "--dashboards-url http://localhost:5601" in result.err
    assert "Open " not in result.out
    # and --json says the same to a script
    summary = json.loads(cli(*args, "--json").out)["opensearch"]
    assert summary["indexed"] == len(bulk_documents(out)) == len(stored(fake))
    assert summary["dashboards_imported"] is False and "404" in summary["dashboards_error"]


@pytest.mark.usefixtures("no_aws")
def test_dashboards_url_sends_the_saved_objects_to_a_separate_dashboards(
    cli: Any, tmp_path: Path, fake: FakeOpenSearch
) -> None:
    with FakeOpenSearch() as dashboards:
        # the separate Dashboards answers its API at its root, like a local :5601
        dashboards.route(
            "POST",
            r"/api/saved_objects/_import",
            lambda request: dashboards.handle(
                type(request)(**{**vars(request), "path": "/_dashboards" + request.path})
            ),
        )
        result = cli(
            "demo",
            "--sessions",
            "3",
            "--out",
            str(tmp_path / "d.ndjson"),
            "--opensearch",
            fake.url,
            "--dashboards-url",
            dashboards.url,
        )
        assert result.code == 0, result.err
        assert dashboards.objects["saved_objects"] and not fake.objects["saved_objects"]
        assert f"Open {dashboards.url}/app/dashboards#/view/" in result.out

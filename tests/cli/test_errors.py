"""Bad input: one line on stderr saying what to do, a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fakes.opensearch_http import FakeOpenSearch, Reply, refused_url


def assert_one_line(result: Any, code: int, *words: str) -> None:
    assert result.code == code, (result.code, result.err)
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err + result.out
    for word in words:
        assert word in result.err


def test_missing_files(cli: Any, tmp_path: Path) -> None:
    assert_one_line(cli("preview", str(tmp_path / "nope.json")), 2, "does not exist")
    assert_one_line(
        cli("trace", "abc", "--file", str(tmp_path / "nope.ndjson")), 2, "does not exist"
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", ("not UTF-8",)),
        (b'{"events": [{"timestamp": "yesterday", "message": "x"}]}', ("numeric 'timestamp'",)),
        (b"\x1f\x8b\x08\x00garbage", ("damaged gzip",)),
    ],
)
def test_wrong_preview_formats(
    cli: Any, tmp_path: Path, content: bytes, words: tuple[str, ...]
) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    assert_one_line(cli("preview", str(path), "--log-group", "/aws/lambda/x"), 2, *words)


def test_trace_file_that_is_not_a_bulk_file(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "x.ndjson"
    path.write_text('{"message": "not an action"}\n{"a": 1}\n')
    assert_one_line(cli("trace", "abc", "--file", str(path)), 2, "bulk")


@pytest.mark.parametrize("url", ["not-a-url", "ftp://example.com", "http://"])
def test_bad_urls(cli: Any, url: str) -> None:
    assert_one_line(cli("trace", "abc", "--opensearch", url), 2, "not an OpenSearch URL")


def test_unreachable_cluster(cli: Any) -> None:
    assert_one_line(
        cli("trace", "abc", "--opensearch", refused_url()), 3, "cannot reach OpenSearch"
    )


def test_refused_credentials(
    cli: Any, fake: FakeOpenSearch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.require_basic_auth("admin", "secret")
    monkeypatch.setenv("OPENSEARCH_PASSWORD", "wrong")
    result = cli("replay", "--bucket", "b", "--opensearch", fake.url, "--user", "admin")
    assert_one_line(result, 3, "HTTP 401", "--user and OPENSEARCH_PASSWORD")
    monkeypatch.delenv("OPENSEARCH_PASSWORD")
    demo = cli(
        "demo", "--out", str(tmp_path / "d.ndjson"), "--sessions", "2", "--opensearch", fake.url
    )
    assert_one_line(demo, 3, "401")


def test_user_without_password(
    cli: Any, fake: FakeOpenSearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENSEARCH_PASSWORD", raising=False)
    assert_one_line(
        cli("trace", "abc", "--opensearch", fake.url, "--user", "admin"), 2, "OPENSEARCH_PASSWORD"
    )


def test_usage_errors_are_one_line(cli: Any) -> None:
    assert_one_line(cli("demo", "--sessions", "zero"), 2, "--help")
    assert_one_line(cli("replay"), 2, "--bucket")
    assert_one_line(cli("frobnicate"), 2, "invalid choice")
    assert_one_line(
        cli("replay", "--bucket", "b", "--since", "last tuesday", "--dry-run"), 2, "ISO 8601"
    )
    assert_one_line(cli("replay", "--bucket", "b"), 2, "--opensearch")
    assert_one_line(cli("trace", "abc"), 2, "--file")


def test_unwritable_output(cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "out.ndjson"
    assert_one_line(cli("demo", "--out", str(target), "--sessions", "2"), 2, "--out")


@pytest.mark.parametrize("command", ["demo", "preview", "replay", "trace"])
def test_every_command_has_help(cli: Any, command: str) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert result.out.startswith("usage: lambdalogs " + command)


def test_an_endpoint_that_is_not_opensearch(cli: Any, fake: FakeOpenSearch) -> None:
    page = Reply(200, b"<html>login</html>", {"Content-Type": "text/html"})
    fake.route("POST", r"/lambda-logs-\*/_search", lambda _request: page)
    assert_one_line(
        cli("trace", "abc", "--opensearch", fake.url), 3, "did not answer with JSON", fake.url
    )


def test_refused_permission_names_the_reason_and_the_options(
    cli: Any, fake: FakeOpenSearch, tmp_path: Path
) -> None:
    fake.fail(403, path=r"/_index_template/.*")
    out = str(tmp_path / "d.ndjson")
    result = cli("demo", "--out", out, "--sessions", "2", "--opensearch", fake.url)
    assert_one_line(result, 3, "HTTP 403", "security_exception", "OPENSEARCH_PASSWORD", "--sigv4")


def test_an_unreachable_cluster_is_named_with_the_network_reason_only(cli: Any) -> None:
    result = cli("trace", "abc", "--opensearch", refused_url())
    assert_one_line(result, 3, "Connection refused")
    assert "caused by" not in result.err and "HTTPConnectionPool" not in result.err

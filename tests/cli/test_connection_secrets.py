"""The connection's secrets: no password on the command line (every user sees it in `ps`), none
inside a URL (refused, never echoed), a warning before Basic auth crosses a network in clear
text, and private CAs trusted with --ca-bundle while certificates are always verified."""

from __future__ import annotations

import argparse
import base64
import getpass
import sys
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.cli import build_parser
from lambdalogs.errors import InputError
from lambdalogs.search.cluster import connection_for, prompt_password
from opensearch.client import make_client
from tests.fakes.opensearch_http import FakeOpenSearch

SECRET = "s3cr3t-Pass"


def _never_asked(user: str) -> str | None:
    raise AssertionError(f"prompted for {user}'s password")


def test_a_password_on_the_command_line_is_refused_with_the_fix(
    cli: Any, fake: FakeOpenSearch
) -> None:
    result = cli("trace", "abc", "--opensearch", fake.url, "--user", "admin", "--password", SECRET)
    assert result.code == 2
    assert "--password is not accepted" in result.err
    assert "OPENSEARCH_PASSWORD" in result.err and "prompt" in result.err
    assert SECRET not in result.err
    assert not fake.requests  # refused before any request


def test_the_password_comes_from_the_environment(
    cli: Any, fake: FakeOpenSearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.require_basic_auth("admin", SECRET)
    monkeypatch.setenv("OPENSEARCH_PASSWORD", SECRET)
    assert cli("trace", "no-such-trace", "--opensearch", fake.url, "--user", "admin").code == 2
    expected = "Basic " + base64.b64encode(f"admin:{SECRET}".encode()).decode()
    searches = fake.requests_to(r"/lambda-logs-\*/_search")
    assert searches and all(r.headers["authorization"] == expected for r in searches)


def test_without_the_environment_a_terminal_is_prompted() -> None:
    asked: list[str] = []

    def typed(user: str) -> str:
        asked.append(user)
        return SECRET

    connection = connection_for(
        "https://logs.example.com", "admin", None, env={}, ask_password=typed
    )
    assert asked == ["admin"]
    assert (connection.user, connection.password) == ("admin", SECRET)


def test_without_a_terminal_the_missing_password_is_an_error_with_the_fix() -> None:
    with pytest.raises(InputError, match="set OPENSEARCH_PASSWORD, or run the command in a"):
        connection_for(
            "https://logs.example.com", "admin", None, env={}, ask_password=lambda _: None
        )


def test_the_prompt_reads_nothing_when_stdin_is_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    monkeypatch.setattr(getpass, "getpass", _never_asked)
    assert prompt_password("admin") is None
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt: f"typed at {prompt!r}")
    assert prompt_password("admin") == "typed at 'OpenSearch password for admin: '"


@pytest.mark.parametrize(
    "url",
    [
        f"https://admin:{SECRET}@search-logs-abc.eu-west-1.es.amazonaws.com",
        f"http://admin:{SECRET}@localhost:9200",
        f"https://admin:{SECRET}@host:bad-port",
        f"ftp://admin:{SECRET}@host",
        "https://admin@logs.example.com",
    ],
)
def test_credentials_in_a_url_are_refused_and_never_echoed(cli: Any, url: str) -> None:
    result = cli("trace", "abc", "--opensearch", url)
    assert result.code == 2
    assert "carries credentials" in result.err and "--user" in result.err
    assert SECRET not in result.err and "admin" not in result.err
    assert url not in result.err


def test_credentials_in_the_url_environment_variable_are_refused_too(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENSEARCH_URL", f"https://admin:{SECRET}@logs.example.com")
    result = cli("trace", "abc")
    assert result.code == 2 and "carries credentials" in result.err
    assert SECRET not in result.err


def test_credentials_in_the_dashboards_url_are_refused() -> None:
    with pytest.raises(InputError, match="carries credentials") as raised:
        connection_for(
            "https://logs.example.com",
            None,
            None,
            auth="none",
            dashboards_url=f"https://admin:{SECRET}@dashboards.example.com",
            env={},
        )
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://logs.internal.example.com:9200", True),
        ("http://10.0.0.5:9200", True),
        ("https://logs.internal.example.com", False),
        ("http://localhost:9200", False),
        ("http://127.0.0.1:9200", False),
        ("http://[::1]:9200", False),
    ],
)
def test_basic_auth_over_plain_http_to_another_host_is_warned(url: str, warned: bool) -> None:
    warnings: list[str] = []
    env = {"OPENSEARCH_PASSWORD": SECRET}
    connection_for(url, "admin", None, env=env, ask_password=_never_asked, warn=warnings.append)
    assert bool(warnings) is warned
    if warned:
        assert "plain HTTP" in warnings[0] and "https://" in warnings[0]
        assert SECRET not in warnings[0]


def test_the_warning_reaches_stderr(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENSEARCH_PASSWORD", SECRET)
    # .invalid never resolves (RFC 6761): the command fails after warning
    result = cli("trace", "abc", "--opensearch", "http://logs.invalid:9200", "--user", "admin")
    assert "warning: Basic auth over plain HTTP to logs.invalid" in result.err


def test_no_warning_without_basic_auth() -> None:
    warnings: list[str] = []
    connection_for("http://logs.example.com", None, None, env={}, warn=warnings.append)
    assert warnings == []


def test_a_ca_bundle_is_trusted_and_verification_stays_on(tmp_path: Path) -> None:
    bundle = tmp_path / "private-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    connection = connection_for(
        "https://logs.example.com", None, None, ca_bundle=str(bundle), env={}, auth="none"
    )
    assert connection.ca_bundle == str(bundle) and connection.verify_certs
    session = make_client(connection).transport.get_connection().session
    assert session.verify == str(bundle)


def test_a_missing_ca_bundle_is_an_error(cli: Any, tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    result = cli(
        "trace", "abc", "--opensearch", "https://logs.example.com", "--ca-bundle", str(missing)
    )
    assert result.code == 2 and "no such file" in result.err and str(missing) in result.err


def test_no_option_turns_certificate_verification_off() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    flags = {
        flag
        for command in sub.choices.values()
        for action in command._actions
        for flag in action.option_strings
    }
    assert "--ca-bundle" in flags
    assert not [f for f in flags if "insecure" in f or "verify" in f or "no-ssl" in f], flags

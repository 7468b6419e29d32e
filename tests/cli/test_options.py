"""The options the commands share have one form everywhere, and the defaults one source."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.backup.restore import ReplayOptions
from lambdalogs.cli import build_parser
from lambdalogs.commands.demo import DemoOptions
from lambdalogs.commands.preview import PreviewOptions
from tests.cli.conftest import stored
from tests.fakes.opensearch_http import FakeOpenSearch

SHARED = ("--opensearch", "--user", "--ca-bundle", "--sigv4", "--region", "--index-prefix")


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    found = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(found.choices)


def _option(parser: argparse.ArgumentParser, flag: str) -> tuple[Any, ...] | None:
    action = next((a for a in parser._actions if flag in a.option_strings), None)
    if action is None:
        return None
    return (action.dest, action.help, action.metavar, action.default, action.type, action.nargs)


@pytest.mark.parametrize("flag", [*SHARED, "--out", "--since", "--until"])
def test_a_shared_option_is_the_same_in_every_command_that_has_it(flag: str) -> None:
    forms: dict[str, tuple[Any, ...]] = {}
    for name, parser in _commands().items():
        form = _option(parser, flag)
        if form is not None:
            forms[name] = form
    assert forms
    if flag != "--out":  # --out says what each command writes
        assert len(set(forms.values())) == 1, forms
    else:
        assert len({form[2:] for form in forms.values()}) == 1, forms


def test_the_commands_that_talk_to_opensearch_share_the_connection_group() -> None:
    commands = _commands()
    for name in ("demo", "replay", "trace"):
        assert all(_option(commands[name], flag) for flag in SHARED), name
    assert not any(_option(commands["preview"], flag) for flag in SHARED)


def test_defaults_come_from_the_options_of_each_command() -> None:
    commands = _commands()
    assert commands["demo"].parse_args([]).seed == DemoOptions.seed
    assert commands["demo"].parse_args([]).sessions == DemoOptions.sessions
    assert commands["demo"].parse_args([]).start == DemoOptions.start
    preview = commands["preview"].parse_args(["f"])
    assert (preview.show, preview.format) == (PreviewOptions.show, PreviewOptions.fmt)
    replay = commands["replay"].parse_args(["--bucket", "b"])
    assert (replay.batch_size, replay.prefix) == (ReplayOptions.batch_size, ReplayOptions.prefix)
    assert replay.index_prefix == ReplayOptions.index_prefix == DemoOptions.index_prefix


def test_the_environment_names_the_cluster_and_the_user_for_every_command(
    cli: Any,
    fake: FakeOpenSearch,
    demo_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake.require_basic_auth("admin", "secret")
    monkeypatch.setenv("OPENSEARCH_URL", fake.url)
    monkeypatch.setenv("OPENSEARCH_USER", "admin")
    monkeypatch.setenv("OPENSEARCH_PASSWORD", "secret")
    out = str(tmp_path / "again.ndjson")
    assert cli("demo", "--sessions", "3", "--out", out).code == 0
    assert stored(fake)
    assert cli("trace", "no-such-trace").code == 2  # searched OpenSearch: no events
    assert fake.requests_to(r"/lambda-logs-\*/_search")

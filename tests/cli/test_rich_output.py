"""Tables drawn by rich: plain, unwrapped and independent of COLUMNS off a terminal; styled on a
terminal (NO_COLOR honoured); never reading a log line's brackets as rich markup; `--json` stays
pure JSON."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.cli import main
from lambdalogs.console import styled, table
from tests.cli.conftest import bulk_documents
from tests.cli.test_progress_and_rate import Terminal

# a Python runtime line (level, time, request id) naming a log group; rich would read the
# brackets as markup (and fail on the closing tag `[/aws/lambda/x]`)
LOG_LINE = (
    "[ERROR]\t2026-12-02T06:00:03.600Z\tbd0561e6-211c-40cf-8995-2399c4aaeac1\t"
    "[/aws/lambda/x] [b]no[/b]"
)
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|9[0-7]|38;5;[0-9]+)m")


def _with_bracketed_message(demo_file: Path) -> tuple[Path, str]:
    """The demo's bulk file with one milestone's message replaced by LOG_LINE."""
    lines = demo_file.read_text().splitlines()
    for i in range(1, len(lines), 2):
        document = json.loads(lines[i])
        if document.get("trace.id") and document.get("labels.milestone"):
            document["message"] = LOG_LINE
            lines[i] = json.dumps(document)
            demo_file.write_text("\n".join(lines) + "\n")
            return demo_file, str(document["trace.id"])
    raise AssertionError("the demo has no traced event")


def _trace(argv: list[str], out: io.StringIO) -> str:
    assert main(["trace", *argv], out=out) == 0
    return out.getvalue()


def test_a_log_lines_brackets_are_printed_as_they_are_never_as_markup(
    demo_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # the terminal's width: the message fits on its line
    path, trace_id = _with_bracketed_message(demo_file)
    for out in (io.StringIO(), Terminal()):
        text = _trace([trace_id, "--file", str(path)], out)
        plain = ESCAPE.sub("", text)
        assert " ".join(LOG_LINE.split()) in plain
    capsys.readouterr()


def test_off_a_terminal_tables_have_no_escape_code_and_ignore_columns(
    demo_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path, trace_id = _with_bracketed_message(demo_file)
    outputs = []
    for columns in ("20", "500"):
        monkeypatch.setenv("COLUMNS", columns)
        outputs.append(_trace([trace_id, "--file", str(path)], io.StringIO()))
    assert outputs[0] == outputs[1]
    assert not ESCAPE.search(outputs[0])
    assert not re.search("[\u2500-\u257f]", outputs[0])  # no box-drawing character
    # every request id stays whole on its line, so `grep <id>` finds each of its events
    request_ids = {d["faas.execution"] for d in bulk_documents(path) if d.get("faas.execution")}
    printed = set(re.findall(r"RequestId: (\S+)", outputs[0]))
    assert printed and printed <= request_ids
    capsys.readouterr()


def test_a_wide_cell_is_never_wrapped_or_cut_off_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    trace_id = "1-" + "0123456789abcdef" * 8
    lines = table(["trace id", "message"], [[trace_id, "x " * 80], ["short", "[ERROR]"]])
    assert len(lines) == 4
    assert lines[2].split() == [trace_id, *("x" * 80)]
    assert lines[3].split() == ["short", "[ERROR]"]


def test_a_terminal_gets_styles_and_no_colour_under_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [["payments-api", "[$LATEST]"]]
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert COLOUR.search(styled("ATTENTION", "red", Terminal()))
    styled_table = table(["function", "version"], rows, out=Terminal())
    assert "\x1b[1m" in styled_table[0]  # bold header
    assert ESCAPE.sub("", styled_table[2]).split() == ["payments-api", "[$LATEST]"]
    monkeypatch.setenv("NO_COLOR", "1")
    assert not COLOUR.search(styled("ATTENTION", "red", Terminal()))
    assert "ATTENTION" in styled("ATTENTION", "red", Terminal())
    assert not COLOUR.search("\n".join(table(["function", "version"], rows, out=Terminal())))


def test_json_output_is_pure_json_on_stdout(cli: Any, demo_file: Path) -> None:
    path, trace_id = _with_bracketed_message(demo_file)
    result = cli("trace", trace_id, "--file", str(path), "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert any(e.get("message") == LOG_LINE for e in report["events"])
    demo = cli("demo", "--out", str(path.parent / "again.ndjson"), "--json")
    assert demo.code == 0, demo.err
    assert isinstance(json.loads(demo.out), dict)


def _python(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm-256color", COLUMNS="30")
    return subprocess.run(
        [sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_a_piped_demo_is_plain_text_on_both_streams(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    result = _python("-m", "lambdalogs", "demo", "--out", str(tmp_path / "d.ndjson"), cwd=root)
    assert result.returncode == 0, result.stderr
    assert not ESCAPE.search(result.stdout + result.stderr)
    assert not re.search("[\u2500-\u257f]", result.stdout + result.stderr)
    header = next(line for line in result.stdout.splitlines() if line.startswith("function "))
    expected = "function invocations errors timeouts cold p50 ms p95 ms p99 ms cost USD"
    assert header.split() == expected.split()  # one line, though COLUMNS=30


def test_the_version_does_not_import_rich() -> None:
    root = Path(__file__).resolve().parents[2]
    result = _python("-X", "importtime", "-m", "lambdalogs", "--version", cwd=root)
    assert result.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "lambdalogs.console" in imported and "rich" not in imported

"""The demo's default time range, its printed hints and its `--json` summary."""

from __future__ import annotations

import json
import re
import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.cli import build_parser
from lambdalogs.commands.demo import recent_start
from opensearch.saved_objects import SAVED_OBJECTS_DIR
from tests.cli.conftest import bulk_documents

UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def dashboards_time_range() -> timedelta:
    """The saved dashboards' default range, `now-<n><unit>` to `now` (all of them the same)."""
    lines = (SAVED_OBJECTS_DIR / "40-dashboards.ndjson").read_text().splitlines()
    ranges = {
        (o["attributes"]["timeFrom"], o["attributes"]["timeTo"])
        for o in map(json.loads, lines)
        if o["type"] == "dashboard"
    }
    ((start, end),) = ranges
    found = re.fullmatch(r"now-(\d+)([mhdw])", start)
    assert found and end == "now", ranges
    return timedelta(**{UNITS[found.group(2)]: int(found.group(1))})


def moment(document: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(document["@timestamp"].replace("Z", "+00:00"))


def test_the_default_demo_lands_in_the_dashboards_default_time_range(
    cli: Any, tmp_path: Path
) -> None:
    before = datetime.now(UTC)
    path = tmp_path / "demo.ndjson"
    assert cli("demo", "--out", str(path)).code == 0
    after = datetime.now(UTC)
    times = [moment(d) for d in bulk_documents(path)]
    assert min(times) >= after - dashboards_time_range()
    assert max(times) <= before


@pytest.mark.parametrize(
    ("now", "start"),
    [
        ("2026-12-02T14:10:00Z", "2026-12-02T06:00:00Z"),
        ("2026-12-02T00:05:00Z", "2026-12-01T18:00:00Z"),
        ("2026-12-02T17:59:59Z", "2026-12-02T06:00:00Z"),
    ],
)
def test_the_default_start_is_the_previous_six_hour_window(now: str, start: str) -> None:
    at = datetime.fromisoformat(now.replace("Z", "+00:00"))
    assert recent_start(at) == datetime.fromisoformat(start.replace("Z", "+00:00"))
    assert at - recent_start(at) <= timedelta(hours=12)


def hints(output: str) -> list[list[str]]:
    """The commands under `Next:`, without the program name (`lambdalogs` or `python -m
    lambdalogs`)."""
    block = output.split("\nNext:\n", 1)[1]
    commands = []
    for line in block.splitlines():
        if line.startswith("  ") and not line.startswith("    "):
            words = shlex.split(line)
            program = 3 if words[:2] == ["python", "-m"] else 1
            assert words[program - 1] == "lambdalogs", line
            commands.append(words[program:])
    return commands


def test_the_hints_are_commands_that_run_as_printed(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "my demo.ndjson"  # a space: the hints must quote it
    result = cli("demo", "--sessions", "6", "--seed", "3", "--out", str(path))
    assert result.code == 0, result.err
    commands = hints(result.out)
    assert len(commands) >= 3
    parser = build_parser()
    for words in commands:
        parser.parse_args(words)  # exits 2 on anything the CLI does not accept
    # the trace hint finds its trace in the file; the others give the same documents again
    trace = next(words for words in commands if words[0] == "trace")
    shown = cli(*trace)
    assert shown.code == 0 and trace[1] in shown.out
    for words in commands:
        if words[0] == "demo":
            args = parser.parse_args(words)
            assert (args.seed, args.sessions) == (3, 6)
    assert any("--opensearch" in words and "--dashboards-url" in words for words in commands)


def test_json_is_one_summary_object(cli: Any, tmp_path: Path) -> None:
    path, report = tmp_path / "demo.ndjson", tmp_path / "report.html"
    result = cli("demo", "--sessions", "10", "--out", str(path), "--html", str(report), "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)  # nothing else on stdout
    documents = bulk_documents(path)
    assert summary["documents"] == len(documents)
    assert summary["bulk_file"] == str(path)
    assert summary["report"]["path"] == str(report) and summary["report"]["pictures"] >= 4
    assert summary["opensearch"] is None
    reports = [d for d in documents if d.get("aws.lambda.event") == "report"]
    by_name = {f["name"]: f for f in summary["functions"]}
    assert set(by_name) == {d["faas.name"] for d in reports}
    for name, figures in by_name.items():
        assert figures["invocations"] == sum(1 for d in reports if d["faas.name"] == name)
        assert figures["cost_usd"] == pytest.approx(
            sum(d["aws.lambda.cost_usd"] for d in reports if d["faas.name"] == name)
        )
    failing = {
        d["trace.id"] for d in documents if d.get("trace.id") and d.get("log.level") == "ERROR"
    }
    assert failing <= {t["trace_id"] for t in summary["failing_traces"]}
    for trace in summary["failing_traces"]:
        assert trace["stopped"].startswith(f"stopped after {trace['milestones'][-1]}")
    times = [moment(d) for d in documents]
    assert moment({"@timestamp": summary["start"]}) <= min(times)
    assert moment({"@timestamp": summary["end"]}) == max(times)

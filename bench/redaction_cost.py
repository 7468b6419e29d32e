"""The CPU the redaction rules add (`redactRules`): the handler on the same request without
rules and with `default` (every built-in rule of DEFAULT_SET), re-ingesting in memory, taking
turns (bench.timing)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any, NamedTuple

from bench.timing import Case, alternating
from bench.workload import Request
from lambdalogs.local.firehose import LoopbackFirehose
from transformer.cost import StaticArchitectures
from transformer.handler import process
from transformer.settings import Settings

RULES = "default"


class RedactionFigures(NamedTuple):
    label: str
    events: int
    plain_cpu: float
    redacting_cpu: float
    redactions: int


def _handle(event: dict[str, Any], settings: Settings) -> dict[str, Any]:
    logs: list[str] = []
    process(
        event,
        None,
        firehose=LoopbackFirehose(),
        architectures=StaticArchitectures("arm64"),
        settings=settings,
        log=logs.append,
    )
    summary: dict[str, Any] = json.loads(logs[0])
    return summary


def redaction_figures(label: str, request: Request, repeats: int) -> RedactionFigures:
    plain = Settings(region="eu-west-1")
    redacting = Settings.from_env({"AWS_REGION": "eu-west-1", "REDACT_RULES": RULES})
    summary = _handle(json.loads(json.dumps(request.event)), redacting)
    plain_summary = _handle(json.loads(json.dumps(request.event)), plain)
    if summary["records_failed"] or summary["documents"] != plain_summary["documents"]:
        raise RuntimeError(f"redaction changed what the batch became: {summary}")
    cases = {
        "plain": Case.of(request.event, partial(_handle, settings=plain)),
        "redacting": Case.of(request.event, partial(_handle, settings=redacting)),
    }
    best = alternating(cases, repeats)
    return RedactionFigures(
        label,
        request.events,
        best["plain"].cpu,
        best["redacting"].cpu,
        int(summary.get("Redactions", 0)),
    )


def report(figures: list[RedactionFigures]) -> list[str]:
    lines = [f"redaction rules ({RULES!r}: every built-in of DEFAULT_SET), CPU per log event:"]
    for f in figures:
        plain, redacting = f.plain_cpu / f.events * 1e6, f.redacting_cpu / f.events * 1e6
        lines.append(
            f"  {f.label:8} {f.events:7,d} events: {plain:6.2f} µs without rules, "
            f"{redacting:6.2f} µs with them = {redacting / plain:4.2f}x "
            f"({f.redactions:,} matches replaced)"
        )
    return lines

"""The example messages of docs/alerts.md, rendered with the tests' Mustache implementation
against the context OpenSearch Alerting 2.19 builds (tests/opensearch/alerting_context.py), from
example documents run through each monitor's own query, and the PagerDuty and Opsgenie bodies
(`incident_docs.py`). Regenerate the page's blocks with

    .venv/bin/python -m tests.opensearch.alert_docs

(`test_alert_docs.py` fails when the page and this module disagree)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Final

from tests.opensearch.alerting_context import ActionRun, bucket_level_runs
from tests.opensearch.incident_docs import page_with_bodies
from tests.opensearch.invocations import MINUTE, invocation
from tests.opensearch.test_monitor_messages import (
    END_MS,
    error,
    failed,
    line,
    monitors,
    rendered,
)

PAGE: Final = Path(__file__).parents[2] / "docs" / "alerts.md"
BEGIN: Final = "<!-- BEGIN generated messages: python -m tests.opensearch.alert_docs -->"
END: Final = "<!-- END generated messages -->"
WIDTH: Final = 96


def _examples() -> list[tuple[str, str, ActionRun]]:
    """(monitor key, what happened, the first action run) of each monitor."""
    spike = failed("checkout", 12) + failed("search", 15) + failed("billing", 3)
    silent = [line("orders", 180), line("payments", 10)]
    slow = invocation("report-builder", "r1", "timeout", END_MS - MINUTE)
    slow += invocation("report-builder", "r2", "timeout", END_MS - 2 * MINUTE)
    new = [error("checkout", 60 * 24, "3c5e0d9a41b2f7e8", "KeyError")]
    new += [
        error(f, m, "9f2c41d07ab3e615", "TypeError")
        for f, m in [("checkout", 6), ("checkout", 2), ("billing", 1)]
    ]
    every = monitors()
    return [
        (
            "error-spike",
            "checkout failed 12 times (search 15, billing 3) in 10 minutes",
            bucket_level_runs(every["error-spike"], spike, END_MS, alerted=set())[0],
        ),
        (
            "timeouts",
            "report-builder timed out twice in 5 minutes",
            bucket_level_runs(every["timeouts"], slow, END_MS, alerted=set())[0],
        ),
        (
            "function-silent",
            "orders logged 3 hours ago, nothing since",
            bucket_level_runs(every["function-silent"], silent, END_MS, alerted=set())[0],
        ),
        (
            "new-error",
            "a TypeError never seen before, in checkout and billing",
            bucket_level_runs(every["new-error"], new, END_MS, alerted=set())[0],
        ),
    ]


def _box(title: str, subject: str, message: str) -> str:
    rule = "─" * (WIDTH - 2)
    lines = [f"┌{rule}", f"│ {title}", f"├{rule}", f"│ Subject: {subject}", "│"]
    for paragraph in message.split("\n"):
        wrapped = textwrap.wrap(paragraph, WIDTH - 4) or [""]
        lines += [f"│ {part}" for part in wrapped]
    return "\n".join([*lines, f"└{rule}"])


def generated_block() -> str:
    parts = [BEGIN]
    for key, situation, run in _examples():
        subject, message = rendered(run)
        name = str(monitors()[key]["name"])
        parts += [
            "",
            f"### {name}",
            "",
            f"`opensearch/monitors/{key}.json`, when {situation}:",
            "",
            "```text",
            _box(f"{name}  →  every configured channel", subject, message),
            "```",
        ]
    return "\n".join([*parts, "", END])


def page_with_block(page: str) -> str:
    """The page with both generated blocks: the messages, and the PagerDuty/Opsgenie bodies."""
    start, end = page.index(BEGIN), page.index(END) + len(END)
    return page_with_bodies(page[:start] + generated_block() + page[end:])


def main() -> int:
    PAGE.write_text(page_with_block(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

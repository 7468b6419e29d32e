"""The one screen of `status`: a verdict line, then each check's state, summary, table and
notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, TextIO

from lambdalogs.console import styled, table
from lambdalogs.status.report import NEEDS_ATTENTION, Check, State, exit_code
from lambdalogs.status.stack import Stack

_LABELS: Final[dict[State, tuple[str, str]]] = {
    "ok": ("OK", "green"),
    "attention": ("ATTENTION", "red"),
    "unknown": ("UNKNOWN", "yellow"),
    "skipped": ("skipped", "dim"),
}


def render(stack: Stack, checks: Sequence[Check], out: TextIO) -> list[str]:
    target = stack.stream_name or stack.subscriber or stack.bucket or stack.endpoint
    needing = [c.name for c in checks if c.state in NEEDS_ATTENTION]
    verdict = (
        styled(f"needs attention: {', '.join(needing)}", "red", out)
        if exit_code(checks)
        else styled("all checks OK", "green", out)
    )
    lines = [f"lambdalogs status: {target} ({stack.region}): {verdict}"]
    width = max(len(c.name) for c in checks) if checks else 0
    for check in checks:
        label, style = _LABELS[check.state]
        lines.append("")
        lines.append(f"{check.name:<{width}}  {styled(f'{label:<9}', style, out)}  {check.summary}")
        if check.rows:
            cells = [
                [("! " if r.attention else "  ") + r.cells[0], *r.cells[1:]] for r in check.rows
            ]
            lines += table(
                ["  " + check.columns[0], *check.columns[1:]], cells, indent="  ", out=out
            )
        lines += [f"  - {note}" for note in check.notes]
    return lines

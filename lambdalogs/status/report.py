"""What each status check answers, the verdict and the exit code, the JSON for scripts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

State = Literal["ok", "attention", "unknown", "skipped"]

EXIT_OK: Final = 0
EXIT_ATTENTION: Final = 1
"""Something needs attention, or a check could not be completed (its state is `unknown`)."""
NEEDS_ATTENTION: Final[frozenset[State]] = frozenset({"attention", "unknown"})


@dataclass(frozen=True)
class Row:
    """One line of a check's table: its cells, and whether it is the reason for attention."""

    cells: tuple[str, ...]
    attention: bool = False


@dataclass(frozen=True)
class Check:
    """One check: its state, a one-line summary, a table, notes, and the figures for scripts."""

    name: str
    state: State
    summary: str
    columns: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    notes: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "summary": self.summary,
            "notes": list(self.notes),
            **self.data,
        }


def unknown(name: str, reason: str) -> Check:
    """A check that could not be completed: it counts as needing attention."""
    return Check(name, "unknown", f"could not check: {reason}")


def skipped(name: str, reason: str) -> Check:
    return Check(name, "skipped", reason)


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def exit_code(checks: Sequence[Check]) -> int:
    return EXIT_ATTENTION if any(c.state in NEEDS_ATTENTION for c in checks) else EXIT_OK


def as_json(stack: dict[str, Any], checks: Sequence[Check]) -> dict[str, Any]:
    return {
        "stack": stack,
        "attention": exit_code(checks) != EXIT_OK,
        "exit_code": exit_code(checks),
        "checks": [check.as_json() for check in checks],
    }

"""The subscriber's group state at 1,000 / 10,000 / 50,000 / 100,000 groups: the gzip'd object
read and written once per invocation, the CPU to write and to read it back (parse), and the
Python memory its parse peaks at. It is where `subscriptions.group_state.MAX_GROUPS` comes from.

Names are realistic Lambda group names (~50 characters: `/aws/lambda/<service>-<stage>-
<function>-handler-NNNNNN`), each entry as a run records it. CPU is this process's, best of 3;
a Lambda function gets one vCPU at 1,769 MB, so a 256 MB subscriber has ~1/7 of one.
"""

from __future__ import annotations

import hashlib
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

from subscriptions.group_state import GroupState
from subscriptions.logs_api import LogGroup
from subscriptions.report import RunReport

SIZES = (1_000, 10_000, 50_000, 100_000)
LAMBDA_MB_PER_VCPU = 1_769
SUBSCRIBER_MEMORY_MB = 256  # keep in step with infra (subscriberMemoryMb's default)
_WORDS = ("orders", "payments", "users", "auth", "billing", "search", "inventory", "shipping")
_STAGES = ("prod", "staging", "dev")


class _Memory:
    """An object store in memory (the S3 object's stand-in)."""

    def __init__(self) -> None:
        self.body: bytes | None = None

    def read(self) -> bytes | None:
        return self.body

    def write(self, body: bytes, content_type: str) -> None:
        self.body = body

    def delete(self) -> None:
        self.body = None


@dataclass(frozen=True)
class StateFigures:
    groups: int
    gzip_bytes: int
    write_cpu_s: float
    read_cpu_s: float
    parse_peak_bytes: int


def _group(index: int) -> LogGroup:
    service, stage = _WORDS[index % 8], _STAGES[index // 8 % 3]
    name = f"/aws/lambda/{service}-{stage}-{_WORDS[index // 24 % 8]}-handler-{index:06d}"
    return LogGroup(name, f"arn:aws:logs:eu-west-1:123456789012:log-group:{name}", index)


def _report() -> RunReport:
    return RunReport("reconcile", namespace="bench", emit=lambda _line: None)


def _filled(groups: int, store: _Memory) -> GroupState:
    """A state that recorded `groups` groups in one sweep (unsaved)."""
    state = GroupState(store, _report())
    state.start_sweep(1_764_676_800_000)
    for index in range(groups):
        group = _group(index)
        token = hashlib.blake2b(group.name.encode(), digest_size=8).hexdigest()
        state.record(group, token, "unchanged")
    return state


def _timed(step: Callable[[], object]) -> float:
    started = time.process_time()
    step()
    return time.process_time() - started


def measure(groups: int, rounds: int = 3) -> StateFigures:
    store = _Memory()
    write_s = min(_timed(_filled(groups, store).save) for _ in range(rounds))
    read_s = min(_timed(lambda: len(GroupState(store, _report()))) for _ in range(rounds))
    tracemalloc.start()
    len(GroupState(store, _report()))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return StateFigures(groups, len(store.body or b""), write_s, read_s, peak)


def table(figures: list[StateFigures]) -> list[str]:
    slower = LAMBDA_MB_PER_VCPU / SUBSCRIBER_MEMORY_MB
    lines = [
        "group state (one S3 object, read once and written at most once per invocation)",
        "| groups | gzip'd | write CPU | read + parse CPU | parse peak memory "
        f"| read + write at {SUBSCRIBER_MEMORY_MB} MB (x{slower:.1f}) |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.groups:,} | {f.gzip_bytes / 1e6:.2f} MB | {f.write_cpu_s * 1000:,.0f} ms "
            f"| {f.read_cpu_s * 1000:,.0f} ms | {f.parse_peak_bytes / 1e6:.0f} MB "
            f"| ~{(f.write_cpu_s + f.read_cpu_s) * slower:.1f} s |"
        )
    return lines

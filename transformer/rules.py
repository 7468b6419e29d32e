"""EVENT_RULES applied to one event's parsed fields: drop by level, drop by pattern, sample by
request (syntax and validation: `lambda_shared/event_rules.py`).

A rule never leaves out the platform's lines (`aws.lambda.event`: START, REPORT, timeouts, …)
nor an error (`log.level` ERROR or FATAL, or an `error.*` field). Lines without a `log.level`
are never dropped or sampled by level. Sampling is decided by the request id (`faas.execution`;
the event id for a line outside any request), with a stable hash: a request keeps all of its
sampled lines or none, in every batch and every container."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

from lambda_shared.event_rules import LEVELS, MATCH_WINDOW_CHARS, EventRules
from transformer.types import Fields

Reason = Literal["level", "pattern", "sample"]
LEVEL_RANK: Final = {level: rank for rank, level in enumerate(LEVELS)}
_ERROR_RANK: Final = LEVEL_RANK["ERROR"]
_ERROR_FIELDS: Final = ("error.type", "error.message", "error.stack_trace")
SAMPLE_BUCKETS: Final = 10_000
"""A sample rule keeps the requests whose hash falls in the first percent × 100 buckets."""


@dataclass
class RuleCounts:
    """Events left out in one batch, by rule kind (the summary's metrics)."""

    by_level: int = 0
    by_pattern: int = 0
    sampled_out: int = 0

    def count(self, reason: Reason) -> None:
        if reason == "level":
            self.by_level += 1
        elif reason == "pattern":
            self.by_pattern += 1
        else:
            self.sampled_out += 1


@dataclass(frozen=True)
class GroupRules:
    """The rules that apply to one log group, folded into what one event needs."""

    drop_rank: int  # lines whose level ranks at most this are dropped; -1: none
    patterns: tuple[re.Pattern[str], ...]
    sample_rank: int  # lines whose level ranks at most this are sampled; -1: none
    keep_buckets: int  # of SAMPLE_BUCKETS

    def verdict(self, fields: Fields, event_id: object) -> Reason | None:
        """Why the event is left out, or None when it is kept."""
        if "aws.lambda.event" in fields:
            return None
        level = fields.get("log.level")
        rank = LEVEL_RANK.get(level, -1) if isinstance(level, str) else -1
        if rank >= _ERROR_RANK or any(name in fields for name in _ERROR_FIELDS):
            return None
        if 0 <= rank <= self.drop_rank:
            return "level"
        if self.patterns:
            message = fields.get("message")
            if isinstance(message, str):
                window = message[:MATCH_WINDOW_CHARS]
                if any(pattern.search(window) for pattern in self.patterns):
                    return "pattern"
        if 0 <= rank <= self.sample_rank:
            request = fields.get("faas.execution")
            key = request if isinstance(request, str) else str(event_id)
            if bucket(key) >= self.keep_buckets:
                return "sample"
        return None


def rules_for(rules: EventRules, log_group: str) -> GroupRules | None:
    """What applies to `log_group` (None: no rule does). Drop-level rules: the highest level
    of those whose prefix matches; patterns: all that match; sampling: the first that does."""
    drops = [LEVEL_RANK[r.level] for r in rules.level_drops if log_group.startswith(r.prefix)]
    patterns = tuple(r.pattern for r in rules.pattern_drops if log_group.startswith(r.prefix))
    sample = next((r for r in rules.samples if log_group.startswith(r.prefix)), None)
    if not drops and not patterns and sample is None:
        return None
    return GroupRules(
        drop_rank=max(drops, default=-1),
        patterns=patterns,
        sample_rank=LEVEL_RANK[sample.level] if sample else -1,
        keep_buckets=round(sample.percent * SAMPLE_BUCKETS / 100) if sample else SAMPLE_BUCKETS,
    )


@lru_cache(maxsize=8192)
def bucket(key: str) -> int:
    """0 ≤ bucket < SAMPLE_BUCKETS, the same for a key in every process (no salted hash())."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % SAMPLE_BUCKETS

"""Which log groups the subscriber manages: pure rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from lambda_shared.pipeline_groups import is_pipeline_log_group
from subscriptions.settings import Settings

Exclusion = Literal["pipeline", "excluded"]


@dataclass(frozen=True)
class Selection:
    """Include prefixes, exclusion globs, and the pipeline groups (always excluded): ours by
    name, every deployment's by the reserved prefix."""

    prefixes: tuple[str, ...]
    exclude_patterns: tuple[str, ...]
    pipeline_groups: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> Selection:
        return cls(
            prefixes=settings.log_group_prefixes,
            exclude_patterns=settings.exclude_patterns,
            pipeline_groups=frozenset(settings.pipeline_log_groups),
        )

    def under_prefix(self, name: str) -> bool:
        return any(name.startswith(prefix) for prefix in self.prefixes)

    def exclusion(self, name: str) -> Exclusion | None:
        """Why `name` must not be subscribed, or None when it may be."""
        # Any deployment's pipeline group, not only ours: two stacks that each skipped only
        # their own would subscribe each other's and loop (each run logs a line).
        if name in self.pipeline_groups or is_pipeline_log_group(name):
            return "pipeline"
        if any(fnmatchcase(name, pattern) for pattern in self.exclude_patterns):
            return "excluded"
        return None

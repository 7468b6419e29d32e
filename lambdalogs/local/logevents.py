"""CloudWatch log events grouped by log stream: the input of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, TypedDict

DEFAULT_OWNER: Final = "123456789012"


class CloudWatchEvent(TypedDict):
    """One CloudWatch log event, as a subscription record carries it."""

    id: str
    timestamp: int
    message: str


@dataclass
class LogBatch:
    """The events of one log stream, in time order."""

    log_group: str
    log_stream: str
    events: list[CloudWatchEvent] = field(default_factory=list)
    owner: str = DEFAULT_OWNER

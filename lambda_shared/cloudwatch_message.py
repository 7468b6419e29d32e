"""CloudWatch Logs subscription messages, built exactly as CloudWatch sends them: gzip of one
compact JSON object with one log stream's events. The subscriber's backfill and the CLI's local
pipeline build them here; the transformer cannot tell them from delivered ones."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from typing import Literal, Required, TypedDict


class LogEventPayload(TypedDict, total=False):
    id: Required[str]
    timestamp: Required[int]
    message: Required[str]
    extractedFields: dict[str, str]
    """The filter's system fields (`emitSystemFields`): `@aws.account`, `@aws.region`."""


class SubscriptionMessage(TypedDict):
    messageType: Literal["DATA_MESSAGE"]
    owner: str
    logGroup: str
    logStream: str
    subscriptionFilters: list[str]
    logEvents: list[LogEventPayload]


def data_message(
    owner: str,
    group: str,
    stream: str,
    filters: Sequence[str],
    events: list[LogEventPayload],
) -> SubscriptionMessage:
    return {
        "messageType": "DATA_MESSAGE",
        "owner": owner,
        "logGroup": group,
        "logStream": stream,
        "subscriptionFilters": list(filters),
        "logEvents": events,
    }


def compress(message: SubscriptionMessage) -> bytes:
    """The record's bytes: gzip (no timestamp, so equal messages give equal bytes) of the
    compact UTF-8 JSON. Text that UTF-8 cannot hold (a lone surrogate) is written as JSON
    escapes instead, as any JSON encoder would."""
    try:
        data = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        data = json.dumps(message, separators=(",", ":")).encode("ascii")
    return gzip.compress(data, mtime=0)

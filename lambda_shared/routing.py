"""Which of N delivery streams a log group's events travel through, decided the same way by
every part that routes: the subscriber (the stream a group's filter points at), the transformer
(the stream a document is re-ingested into) and infra (tests and docs).

Rendezvous (highest-random-weight) hashing over the streams' positions: a group's stream
depends only on its name and the number of streams, so it is stable across runs, processes and
deploys; and going from N to N+1 streams moves only the ~1/(N+1) of the groups that the new stream
wins, so a scale-out re-points as few filters as possible (each PutSubscriptionFilter spends one
of the account's fixed 5 calls/s). Python's own `hash()` is salted per process and never used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

_T = TypeVar("_T")


def stream_index(log_group: str, count: int) -> int:
    """The position, 0 ≤ i < count, of the stream `log_group` is routed to."""
    if count < 1:
        raise ValueError(f"stream count must be at least 1, got {count}")
    if count == 1:
        return 0
    group = log_group.encode("utf-8")
    return max(range(count), key=lambda i: _weight(i, group))


def route(log_group: str, streams: Sequence[_T]) -> _T:
    """The stream (name, ARN, anything positional) `log_group` is routed to."""
    return streams[stream_index(log_group, len(streams))]


def _weight(position: int, group: bytes) -> int:
    digest = hashlib.blake2b(group, digest_size=8, salt=position.to_bytes(8, "big")).digest()
    return int.from_bytes(digest, "big")

"""`trace.id` carried onto the lines of a request that did not log it: the platform lines
(`Task timed out`, END, REPORT), crash lines and plain prints of an invocation carry only its
request id (`faas.execution`), so a trace ended by a timeout used to end, for the dashboards'
"Slowest traces" panel (per `trace.id`, first to last event) and `lambdalogs trace`, at its last
application line: a 6 s timeout after 3.5 s of work read as 3.5 s (issue 16).

A request that logged exactly one trace id lends it to its other lines, in the order the lines
are read: those after the first line carrying it (a START comes before and stays without; it
is folded into its REPORT by default anyway). A request that logged two trace ids (an invocation
handling a batch of messages) lends none. The memory lives as long as the container, bounded to
MAX_REQUESTS request ids (oldest forgotten first), so a timeout line in the next batch of the
same stream still gets its trace id; a line seen by another container does not."""

from __future__ import annotations

from typing import Final

from transformer.types import Fields

MAX_REQUESTS: Final = 20_000
"""About 3 MB of ids: several minutes of a busy stream's requests."""
_AMBIGUOUS: Final = ""


class RequestTraces:
    """Request id → the one trace id its lines logged ("" when they logged several)."""

    def __init__(self, max_requests: int = MAX_REQUESTS) -> None:
        self._known: dict[str, str] = {}
        self._max = max_requests

    def carry(self, fields: Fields) -> None:
        """Remember the line's trace id for its request, or lend it the request's."""
        request = fields.get("faas.execution")
        if not isinstance(request, str):
            return
        trace = fields.get("trace.id")
        seen = self._known.get(request)
        if not isinstance(trace, str):
            if seen:
                fields["trace.id"] = seen
            return
        if seen is None:
            if len(self._known) >= self._max:
                del self._known[next(iter(self._known))]
            self._known[request] = trace
        elif seen != trace:
            self._known[request] = _AMBIGUOUS

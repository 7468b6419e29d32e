"""The saved visualizations' DQL (kuery) queries, matched against flat documents.

Only the forms the saved objects use: `field:value`, `field:(a or b)`, `field:*`, joined by
`or`. Anything else raises ReportError, so a new panel query fails a test rather than drawing
the wrong documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from lambdalogs.documents import Document
from lambdalogs.errors import InputError

Matcher = Callable[[Document], bool]
_CLAUSE: Final = re.compile(r"(?P<field>[\w.@${}]+):(?:\((?P<any>[^()]*)\)|(?P<one>[^\s()]+))")
_OR: Final = re.compile(r"\s+or\s+", re.IGNORECASE)


class ReportError(InputError):
    """The report cannot draw a panel (an unsupported query or chart)."""


def _split_or(text: str) -> list[str]:
    """`a or b:(c or d)` → [`a`, `b:(c or d)`]: split on `or` outside parentheses."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and (found := _OR.match(text, index)) and found.start() == index:
            parts.append(text[start:index])
            start = found.end()
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _clause(text: str) -> Matcher:
    found = _CLAUSE.fullmatch(text)
    if found is None:
        raise ReportError(f"the report cannot read the panel query {text!r}")
    name = found["field"]
    if found["one"] == "*":
        return lambda document: document.get(name) is not None
    wanted = {found["one"]} if found["one"] else set(_OR.split(found["any"].strip()))
    return lambda document: str(document.get(name)).lower() in {w.lower() for w in wanted}


def matcher(query: str) -> Matcher:
    """A predicate for `query` (an empty query matches every document)."""
    clauses = [_clause(part) for part in _split_or(query)]
    if not clauses:
        return lambda _document: True
    return lambda document: any(clause(document) for clause in clauses)

"""Pieces of a redacted secret that a parser copied into another field of the same document.

The parsers split what they read: a traceback's last line becomes `error.type`, a stack frame
`error.stack_trace`. A rule matches a secret whole, so a piece of one in such a field (a line of
a PEM key's body read as an error type) is not a match there. After a document's fields are
redacted, every whitespace-separated piece of ECHO_MIN_CHARS or more of each replaced match (the
ECHO_MAX_PIECES longest) is replaced wherever else in the document it still is, by the same
rule's mark."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Final

from lambda_shared.redaction_rules import mark
from transformer.types import Fields

ECHO_MIN_CHARS: Final = 12
"""Shorter pieces (a card number's groups of 4, `Bearer`) would replace ordinary text."""
ECHO_MAX_PIECES: Final = 32
"""The pieces looked for per document (each is searched in every text of it): a line with
thousands of matches costs 32 searches of its texts, not thousands."""


def hunt_echoes(fields: Fields, found: list[tuple[str, str]], skip: Collection[str]) -> None:
    """Replace in `fields` the pieces of the `found` (rule name, matched text) matches."""
    pieces = {
        piece: name
        for name, text in found
        for piece in text.split()
        if len(piece) >= ECHO_MIN_CHARS
    }
    if not pieces:
        return
    ordered = sorted(pieces, key=len, reverse=True)[:ECHO_MAX_PIECES]

    def clean(text: str) -> str:
        for piece in ordered:
            if piece in text:
                text = text.replace(piece, mark(pieces[piece]))
        return text

    for key, value in fields.items():
        if type(value) is str and key not in skip:
            fields[key] = clean(value)
        elif type(value) is dict or type(value) is list:
            fields[key] = _walk(value, clean)


def _walk(node: Any, clean: Callable[[str], str]) -> Any:
    if type(node) is str:
        return clean(node)
    if type(node) is list:
        return [_walk(item, clean) for item in node]
    if type(node) is dict:
        result: dict[str, Any] = {}
        for key, value in node.items():
            name = clean(key)
            result[name if name not in result else f"{name}~{len(result)}"] = _walk(value, clean)
        return result
    return node

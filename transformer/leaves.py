"""Keep every leaf of the `json` flat_object under Lucene's term limit.

OpenSearch indexes a flat_object leaf as two keyword terms, the value and `json.<path>=<value>`
(opensearch-project/OpenSearch, `JsonToStringXContentParser.parseToken`: the path starts with the
field's name, `path + "=" + value`). Lucene refuses a term over 32,766 UTF-8 bytes
(`IndexWriter.MAX_TERM_LENGTH`), and one refused term makes OpenSearch reject the whole document
(`max_bytes_length_exceeded_exception`). A line under `MAX_MESSAGE_BYTES` keeps its `json`, and
that setting goes up to 256,000 bytes: so a leaf can be longer than a term may be.

A string leaf whose `json.<path>=<value>` term is over the limit is cut on a UTF-8 character
boundary and ends with `TRUNCATION_MARK`; a member whose path alone is over it is left out. The
document is then flagged `log.truncated`, and the complete line kept in `event.original`
(unindexed), as for a cut `message`: nothing is lost from the document.
"""

from __future__ import annotations

from typing import Any, Final

from transformer.types import Fields

LUCENE_MAX_TERM_BYTES: Final = 32766  # org.apache.lucene.index.IndexWriter.MAX_TERM_LENGTH
FIELD: Final = "json"
TRUNCATION_MARK: Final = "…[truncated]"
_MARK_BYTES: Final = len(TRUNCATION_MARK.encode("utf-8"))
# A term is made of the line's own keys and values: a line whose UTF-8 size (plus this room for
# the "json." prefix and numbers that print longer than written, 1e5 → 100000.0) is under the
# limit cannot hold a long leaf.
_ROOM: Final = 64
SHORT_LINE_CHARS: Final = (LUCENE_MAX_TERM_BYTES - _ROOM) // 4  # 4 bytes per character at most


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def may_hold_long_leaf(line: str) -> bool:
    """Whether a line is long enough to hold a leaf over the term limit; cheap for short lines."""
    if len(line) <= SHORT_LINE_CHARS:
        return False
    return _utf8_size(line) + _ROOM > LUCENE_MAX_TERM_BYTES


def cut_to_bytes(text: str, max_bytes: int) -> str:
    """`text` cut to at most `max_bytes` of UTF-8, on a character boundary, marked when cut."""
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return text
    kept = encoded[: max(max_bytes - _MARK_BYTES, 0)].decode("utf-8", "ignore")
    return kept + TRUNCATION_MARK


def _capped(node: Any, path_bytes: int) -> tuple[Any, bool]:
    """(the node with its long leaves cut, whether anything was cut); `path_bytes` is the size
    of `json.<path>=` for the node's leaves. Untouched containers are returned as they are."""
    if isinstance(node, str):
        room = LUCENE_MAX_TERM_BYTES - path_bytes
        if len(node) * 4 <= room:
            return node, False
        cut = cut_to_bytes(node, room)
        return cut, cut is not node
    if isinstance(node, list):
        items = [_capped(item, path_bytes) for item in node]
        if not any(changed for _, changed in items):
            return node, False
        return [item for item, _ in items], True
    if isinstance(node, dict):
        return _capped_object(node, path_bytes - 1)  # without the "="
    return node, False


def _capped_object(node: dict[str, Any], prefix_bytes: int) -> tuple[dict[str, Any], bool]:
    result: dict[str, Any] = {}
    changed = False
    for key, value in node.items():
        member_path = prefix_bytes + 1 + _utf8_size(key)  # "<prefix>.<key>"
        if member_path + 1 + _MARK_BYTES > LUCENE_MAX_TERM_BYTES:
            changed = True  # a key that is itself too long to be a term: left out
            continue
        capped, cut = _capped(value, member_path + 1)
        result[key] = capped
        changed = changed or cut
    return (result if changed else node), changed


def cap_json_leaves(fields: Fields, line: str) -> None:
    """Cut the `json` leaves of a document that a term could not hold (see the module)."""
    obj = fields.get(FIELD)
    if not isinstance(obj, dict) or not may_hold_long_leaf(line):
        return
    capped, cut = _capped_object(obj, len(FIELD))
    if not cut:
        return
    fields[FIELD] = capped
    fields["log.truncated"] = True
    fields.setdefault("event.original", line)

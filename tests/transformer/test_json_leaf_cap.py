"""A `json` leaf longer than Lucene's term limit (32,766 UTF-8 bytes) would make OpenSearch reject
the whole document: the transformer cuts it, whatever MAX_MESSAGE_BYTES allows, and flags it."""

from __future__ import annotations

import json

import pytest

from opensearch.artifacts import ContentSettings, load_artifacts
from opensearch.conformance import LUCENE_MAX_TERM_BYTES as OPENSEARCH_LIMIT
from opensearch.conformance import problems
from opensearch.mapping import mapping_of
from tests.transformer.helpers import cw_record, events, run
from transformer.leaves import LUCENE_MAX_TERM_BYTES, TRUNCATION_MARK, cut_to_bytes
from transformer.settings import Settings

WIDE = Settings(region="eu-west-1", max_message_bytes=256_000)


def document_of(line: str, settings: Settings = WIDE) -> dict[str, object]:
    record = cw_record(events(1, text=line.replace("{", "{{").replace("}", "}}")))
    (document,) = run([record], settings=settings).documents()
    return document


def term_bytes(path: str, value: str) -> int:
    return len(f"json.{path}={value}".encode())


def test_the_transformer_and_the_conformance_check_use_the_same_limit() -> None:
    assert LUCENE_MAX_TERM_BYTES == OPENSEARCH_LIMIT == 32766


@pytest.mark.parametrize("char", ["a", "é", "€", "😀"])  # 1, 2, 3 and 4 UTF-8 bytes
def test_a_long_multibyte_leaf_is_cut_under_the_term_limit_and_marked(char: str) -> None:
    value = char * (40_000 // len(char.encode()))  # 40,000 bytes, under MAX_MESSAGE_BYTES
    line = json.dumps({"message": "big", "payload": {"body": value}, "n": 1}, ensure_ascii=False)
    document = document_of(line)
    leaf = document["json"]["payload"]["body"]  # type: ignore[index]
    assert isinstance(leaf, str) and leaf.endswith(TRUNCATION_MARK)
    assert leaf.startswith(char * 100) and set(leaf[: -len(TRUNCATION_MARK)]) == {char}
    size = term_bytes("payload.body", leaf)
    assert LUCENE_MAX_TERM_BYTES - 4 < size <= LUCENE_MAX_TERM_BYTES  # as much as fits
    assert document["json"]["n"] == 1  # type: ignore[index]
    assert document["log.truncated"] is True and document["event.original"] == line
    mapping = mapping_of(load_artifacts(ContentSettings()).index_template)
    assert problems(document, mapping) == []  # OpenSearch would index it


def test_leaves_in_lists_are_cut_and_short_ones_kept() -> None:
    line = json.dumps({"message": "m", "items": ["ok", "x" * 33_000], "short": "s" * 9000})
    document = document_of(line)
    items = document["json"]["items"]  # type: ignore[index]
    assert items[0] == "ok" and items[1].endswith(TRUNCATION_MARK)
    assert term_bytes("items", items[1]) <= LUCENE_MAX_TERM_BYTES
    assert document["json"]["short"] == "s" * 9000  # type: ignore[index]


def test_a_key_too_long_to_be_a_term_is_left_out() -> None:
    line = json.dumps({"message": "m", "k" * 33_000: 1, "kept": True})
    document = document_of(line)
    assert document["json"] == {"message": "m", "kept": True}
    assert document["log.truncated"] is True


def test_a_line_without_long_leaves_is_unchanged_and_unflagged() -> None:
    line = json.dumps({"message": "m", "a": "é" * 16_000, "b": "x" * 16_000}, ensure_ascii=False)
    document = document_of(line)
    assert document["json"]["a"] == "é" * 16_000  # type: ignore[index]
    assert "log.truncated" not in document and "event.original" not in document


@pytest.mark.parametrize("limit", range(40))
def test_cut_to_bytes_never_splits_a_character(limit: int) -> None:
    text = "aé€😀" * 5
    cut = cut_to_bytes(text, limit + len(TRUNCATION_MARK.encode()))
    assert len(cut.encode()) <= limit + len(TRUNCATION_MARK.encode())
    if cut != text:
        assert text.startswith(cut[: -len(TRUNCATION_MARK)]) and cut.endswith(TRUNCATION_MARK)

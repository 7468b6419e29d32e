"""docs/fields.md lists every field a document can hold — every field the transformer emits on
the shared corpus and on the demo workload, and every field the index template maps — each with
its type, where it comes from and an example."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lambdalogs.local import transform, workload
from lambdalogs.local.firehose import deliver, subscription_record
from opensearch.artifacts import ContentSettings, load_artifacts
from opensearch.mapping import mapping_of
from transformer.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "fields.md"
CORPUS = ROOT / "tests" / "corpus"


def rows() -> dict[str, list[str]]:
    """field → its cells after the name (type, meaning / source, example)."""
    found: dict[str, list[str]] = {}
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        if cells and re.fullmatch(r"`[^`]+`", cells[0]):
            found[cells[0].strip("`")] = cells[1:]
    return found


def documented(name: str, fields: dict[str, list[str]]) -> bool:
    """Listed as such, or under a pattern row (`labels.<key>`: one segment after the prefix)."""
    if name in fields:
        return True
    prefixes = [field.split("<")[0] for field in fields if "<" in field]
    return any(
        name.startswith(prefix) and name != prefix and "." not in name[len(prefix) :]
        for prefix in prefixes
    )


def emitted() -> set[str]:
    cases = [
        case for path in sorted(CORPUS.glob("*.json")) for case in json.loads(path.read_text())
    ]
    records = [
        subscription_record(c["logGroup"], c["logStream"], c["owner"], c["events"]) for c in cases
    ]
    settings = Settings(region="eu-west-1")
    documents = deliver(records, settings=settings).documents
    demo = workload.generate(seed=7, sessions=40)
    documents += transform.transform_records(
        transform.records(demo.streams), settings=transform.settings_from_env({})
    ).documents
    return {key for document in documents for key in document}


def test_every_emitted_field_is_documented() -> None:
    fields = rows()
    names = emitted()
    assert {"@timestamp", "json", "labels.milestone", "aws.lambda.cost_usd"} <= names
    assert sorted(n for n in names if not documented(n, fields)) == []


def test_every_mapped_field_and_dynamic_path_is_documented() -> None:
    mapping = mapping_of(load_artifacts(ContentSettings()).index_template)
    fields = rows()
    assert sorted(set(mapping.fields) - set(fields)) == []
    for pattern in mapping.dynamic:  # labels.*, metrics.*
        assert any(f.startswith(pattern[:-1] + "<") for f in fields), pattern


def test_every_row_says_its_type_its_source_and_an_example() -> None:
    for name, cells in rows().items():
        assert len(cells) == 3, f"{name}: expected type | meaning / source | example"
        kind, source, example = cells
        assert kind and source and example, name


@pytest.mark.parametrize(
    ("name", "expected"),
    [("labels.tenant", True), ("metrics.Latency", True), ("labels.a.b", False), ("nope", False)],
)
def test_pattern_rows_cover_one_segment_only(name: str, expected: bool) -> None:
    assert documented(name, rows()) is expected

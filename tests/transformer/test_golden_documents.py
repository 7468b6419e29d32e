"""GIVEN the corpus and the benchmark's requests (tests/transformer/golden.py), WHEN the
transformer handles them with each codec and each group of settings, THEN every answer, every
re-ingested document and the summary are byte for byte what they were before the hot paths
were rewritten for speed (issue 12): the digests in golden_documents.json."""

from __future__ import annotations

import pytest

from tests.transformer import golden
from transformer.settings import Settings

EXPECTED = golden.expected()


def test_every_golden_batch_has_a_digest() -> None:
    assert sorted(golden.names()) == sorted(EXPECTED)
    assert len(set(golden.names())) == len(golden.names())


@pytest.mark.parametrize("name", golden.names())
def test_the_documents_are_unchanged(name: str) -> None:
    assert golden.compute(name) == EXPECTED[name]


def test_a_changed_byte_changes_the_digest() -> None:
    name = "stdlib/default/corpus/all-in-one-batch"
    event = golden.corpus_batches()["corpus/all-in-one-batch"]
    changed = dict(event, records=event["records"][:-1])
    assert golden.digest_of(changed, golden.CODECS["stdlib"], Settings()) != EXPECTED[name]

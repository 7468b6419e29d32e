"""Reading the backup bucket's objects: which to read, and what is inside."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime

import pytest

from lambdalogs.backup.objects import BackupObject, contents
from lambdalogs.errors import InputError

SINCE = datetime(2026, 11, 20, 14, tzinfo=UTC)
UNTIL = datetime(2026, 11, 20, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    ("key", "kind", "read"),
    [
        ("documents/2026/11/20/14/x.gz", "documents", True),
        ("documents/2026/11/20/12/x.gz", "documents", False),  # delivered before the range
        ("documents/2026/11/21/15/x.gz", "documents", True),  # up to 24 h late
        ("documents/2026/11/21/17/x.gz", "documents", False),
        ("processing-failed/2026/11/20/13/x", "processing-failed", True),  # clock slack
        ("AmazonOpenSearchService-failed/2026/11/20/15/x", "opensearch-failed", True),
        ("custom/layout/x.gz", "documents", True),  # no hour in the key: always read
    ],
)
def test_objects_are_classified_and_pruned_by_delivery_hour(
    key: str, kind: str, read: bool
) -> None:
    obj = BackupObject(key, "etag", 1)
    assert obj.kind == kind
    assert obj.may_hold(SINCE, UNTIL) is read


def test_error_output_holds_records_documents_and_unreadable_entries() -> None:
    record = gzip.compress(b'{"messageType": "DATA_MESSAGE"}')
    document = b'{"@timestamp":"2026-11-20T14:00:00.000Z","aws.cloudwatch.event_id":"1"}'
    lines = [
        {"rawData": base64.b64encode(record).decode(), "errorCode": "Lambda.FunctionError"},
        {"rawData": base64.b64encode(document).decode(), "errorCode": "Lambda.FunctionError"},
        {"rawData": base64.b64encode(b"\x00garbage").decode(), "errorCode": "x"},
    ]
    body = "\n".join(json.dumps(line) for line in lines).encode()
    found = contents(BackupObject("processing-failed/2026/11/20/14/a", "e", 1), body)
    assert found.records == [record]
    assert found.documents == [json.loads(document)]
    assert found.unreadable == 1


def test_documents_backup_may_be_concatenated_without_newlines() -> None:
    body = gzip.compress(b'{"a":1}{"a":2}\n{"a":3}')
    found = contents(BackupObject("documents/2026/11/20/14/a.gz", "e", 1), body)
    assert [d["a"] for d in found.documents] == [1, 2, 3]


def test_an_object_that_is_not_firehose_output_says_so() -> None:
    with pytest.raises(InputError, match="not Firehose error output"):
        contents(BackupObject("processing-failed/2026/11/20/14/a", "e", 1), b'{"no": "raw"}\n')


def test_a_damaged_gzip_object_names_its_key() -> None:
    obj = BackupObject("documents/2026/11/20/14/lambda-logs-1.gz", "etag", 12)
    with pytest.raises(InputError, match=r"documents/2026/11/20/14/lambda-logs-1\.gz is damaged"):
        contents(obj, b"\x1f\x8b\x08\x00garbage")


def test_the_backup_and_the_log_files_share_one_gzip_check() -> None:
    from lambdalogs import gzipped
    from lambdalogs.backup import objects
    from lambdalogs.local import logfiles

    for module in (objects, logfiles):
        assert vars(module)["gunzip"] is gzipped.gunzip
        assert "gzip" not in vars(module) and "zlib" not in vars(module)

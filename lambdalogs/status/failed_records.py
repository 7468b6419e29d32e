"""Failed records waiting in the backup bucket: the objects Firehose wrote under its error
prefixes (`!{firehose:error-output-type}/…` in `infra/delivery_stream.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from lambdalogs.status.report import Check, Row, plural

ERROR_PREFIXES: Final = ("processing-failed/", "AmazonOpenSearchService-failed/")
"""What `!{firehose:error-output-type}` expands to for the processor and the OpenSearch
destination (Firehose documentation, "Custom Prefixes for Amazon S3 Objects")."""
MAX_OBJECTS: Final = 10_000


@dataclass
class Waiting:
    prefix: str
    objects: int = 0
    bytes: int = 0
    oldest: datetime | None = None
    newest: datetime | None = None
    capped: bool = False
    keys: list[str] = field(default_factory=list)


def waiting(s3: Any, bucket: str, prefix: str) -> Waiting:
    """ListObjectsV2 under one error prefix (s3:ListBucket), at most MAX_OBJECTS."""
    found = Waiting(prefix)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if found.objects >= MAX_OBJECTS:
                found.capped = True
                return found
            modified: datetime = item["LastModified"]
            found.objects += 1
            found.bytes += int(item.get("Size", 0))
            found.oldest = min(found.oldest or modified, modified)
            found.newest = max(found.newest or modified, modified)
            if len(found.keys) < 3:
                found.keys.append(str(item["Key"]))
    return found


def failed_check(bucket: str, found: list[Waiting]) -> Check:
    rows = tuple(
        Row(
            (
                w.prefix,
                f"{w.objects:,}{'+' if w.capped else ''}",
                size_text(w.bytes),
                _day(w.oldest),
                _day(w.newest),
            ),
            w.objects > 0,
        )
        for w in found
    )
    total = sum(w.objects for w in found)
    notes: tuple[str, ...] = ()
    if total:
        notes = (
            f"restore them: lambdalogs replay --bucket {bucket} --source processing-failed "
            "--source opensearch-failed (idempotent); then move the objects away, or status "
            "keeps counting them",
        )
    return Check(
        "failed records",
        "attention" if total else "ok",
        f"{plural(total, 'failed-record object')} in s3://{bucket}/" if total else "none waiting",
        ("prefix", "objects", "size", "oldest", "newest"),
        rows,
        notes,
        {
            "bucket": bucket,
            "prefixes": [
                {
                    "prefix": w.prefix,
                    "objects": w.objects,
                    "bytes": w.bytes,
                    "capped": w.capped,
                    "oldest": w.oldest.isoformat() if w.oldest else None,
                    "newest": w.newest.isoformat() if w.newest else None,
                    "examples": w.keys,
                }
                for w in found
            ],
        },
    )


def size_text(count: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:,.1f} {unit}"
    return f"{count} B"


def _day(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"

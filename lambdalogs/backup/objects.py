"""The objects of the S3 backup bucket: which to read, and the documents or records inside them.

Firehose writes three kinds of object (the error prefix expands `!{firehose:error-output-type}`):
- the all-documents backup: documents one after another (newline-delimited or simply
  concatenated), usually gzip;
- `processing-failed/`: JSON lines `{"rawData": base64, "errorCode", ...}` whose data is the
  record as the transformer received it (gzip of a CloudWatch envelope, or a re-ingested
  document);
- `AmazonOpenSearchService-failed/`: JSON lines whose `rawData` is a document OpenSearch refused.

The pipeline keeps its own objects in the same bucket (the subscribers' architecture maps, the
subscriber's group state and pending backfills): those are never read as documents."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

from lambda_shared.environment import (
    ARCHITECTURE_MAP_KEY_PREFIX,
    BACKFILL_STATE_KEY_PREFIX,
    GROUP_STATE_KEY_PREFIX,
)
from lambdalogs.documents import Document
from lambdalogs.errors import InputError
from lambdalogs.gzipped import gunzip, is_gzip

Kind = Literal["documents", "processing-failed", "opensearch-failed"]
KINDS: Final[tuple[Kind, ...]] = ("documents", "processing-failed", "opensearch-failed")
DELIVERY_LAG: Final = timedelta(hours=24)  # CloudWatch and Firehose retries can delay delivery
_HOUR_IN_KEY: Final = re.compile(r"(?:^|/)(\d{4})/(\d\d)/(\d\d)/(\d\d)/")
FUNCTION_ARN: Final = re.compile(r"arn:aws[\w-]*:lambda:([a-z0-9-]+):\d{12}:function:[^:]+")
"""A Lambda function's ARN (its region the group): what an entry's `lambdaArn` names."""
PIPELINE_STATE_PREFIXES: Final = (
    ARCHITECTURE_MAP_KEY_PREFIX,
    GROUP_STATE_KEY_PREFIX,
    BACKFILL_STATE_KEY_PREFIX,
)
"""What the pipeline itself writes into the bucket beside Firehose's objects."""


@dataclass(frozen=True)
class BackupObject:
    key: str
    etag: str
    size: int  # bytes; 0 for "folder" markers and empty objects, which are never downloaded

    @property
    def kind(self) -> Kind:
        if "processing-failed/" in self.key:
            return "processing-failed"
        if "AmazonOpenSearchService-failed/" in self.key or "elasticsearch-failed/" in self.key:
            return "opensearch-failed"
        return "documents"

    @property
    def hour(self) -> datetime | None:
        """The delivery hour in the key (Firehose's default `YYYY/MM/DD/HH/` prefix)."""
        found = _HOUR_IN_KEY.search(self.key)
        if not found:
            return None
        year, month, day, hour = (int(part) for part in found.groups())
        try:
            return datetime(year, month, day, hour, tzinfo=UTC)
        except ValueError:
            return None

    def may_hold(self, since: datetime | None, until: datetime | None) -> bool:
        """False only when the key's delivery hour rules out every event of the range."""
        hour = self.hour
        if hour is None:
            return True
        if since is not None and hour + timedelta(hours=1) < since:
            return False
        return until is None or hour <= until + DELIVERY_LAG

    def holds_data(self) -> bool:
        """Not empty, and not one of the pipeline's own objects (PIPELINE_STATE_PREFIXES):
        `{"checkout": "arm64"}`, a map, would otherwise be indexed as a document."""
        return self.size > 0 and not self.key.startswith(PIPELINE_STATE_PREFIXES)


@dataclass(frozen=True)
class Contents:
    documents: list[Document]
    records: list[bytes]  # CloudWatch subscription records to run through the transformer
    unreadable: int = 0  # error-output entries that are neither a record nor a document
    region: str | None = None  # of the transformer that failed them (the entries' lambdaArn)
    transformer_arn: str | None = None  # that transformer, when every entry names the same


def contents(obj: BackupObject, data: bytes) -> Contents:
    text = gunzip(data, damaged=f"s3 object {obj.key} is damaged gzip; check the bucket")
    if obj.kind == "documents":
        return Contents(list(concatenated_documents(text, obj.key)), [])
    documents: list[Document] = []
    records: list[bytes] = []
    unreadable = 0
    regions: set[str] = set()
    arns: set[str] = set()
    for raw, region, arn in raw_data(text, obj.key):
        if region:
            regions.add(region)
        if arn:
            arns.add(arn)
        if is_gzip(raw):
            records.append(raw)
        elif raw.lstrip().startswith(b"{"):
            try:
                documents.extend(concatenated_documents(raw, obj.key))
            except InputError:
                unreadable += 1
        else:
            unreadable += 1
    return Contents(
        documents,
        records,
        unreadable,
        min(regions) if len(regions) == 1 else None,
        min(arns) if len(arns) == 1 else None,
    )


def concatenated_documents(data: bytes, where: str) -> Iterator[Document]:
    """Documents written one after another, with or without newlines between them."""
    text = data.decode("utf-8", errors="replace")
    decoder = json.JSONDecoder()
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text):
            return
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise InputError(
                f"s3 object {where} is not JSON documents (at character {error.pos}); "
                "point --prefix at the Firehose backup"
            ) from None
        if isinstance(value, dict):
            yield value


def raw_data(text: bytes, where: str) -> Iterator[tuple[bytes, str | None, str | None]]:
    """The decoded `rawData` of each JSON line of an error-output object, the region of its
    `lambdaArn` and that ARN (the transformer's; None when the line has none)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        entry = _json_line(line)
        raw = entry.get("rawData") if entry else None
        if not isinstance(raw, str):
            raise InputError(
                f"s3 object {where} line {number} has no 'rawData'; it is not Firehose error output"
            )
        try:
            decoded = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise InputError(f"s3 object {where} line {number}: 'rawData' is not base64") from None
        named = str(entry.get("lambdaArn", "")) if entry else ""
        arn = FUNCTION_ARN.match(named)
        yield decoded, arn.group(1) if arn else None, named if arn else None


def _json_line(line: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None

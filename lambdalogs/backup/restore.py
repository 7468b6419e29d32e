"""Restoring documents from the S3 backup bucket into OpenSearch, by time and function (the
engine of the `replay` command).

Resumable and idempotent: objects are read in key order and recorded in a checkpoint file once
all their documents are indexed; events already in OpenSearch are skipped (the distinct
`aws.cloudwatch.event_id`s of each batch that the indices hold, however many copies they hold);
documents are created under a `_id` derived from the event id, so even a batch repeated after a
crash can never create a duplicate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from lambdalogs.backup.bucket import BucketReader
from lambdalogs.backup.checkpoint import Checkpoint, default_path, fingerprint
from lambdalogs.backup.objects import KINDS, BackupObject, Contents, Kind, contents
from lambdalogs.console import Progress
from lambdalogs.documents import DEFAULT_INDEX_PREFIX, Document, event_id, timestamp_ms
from lambdalogs.errors import InputError
from lambdalogs.local.transform import transform_records
from lambdalogs.search.cluster import OpenSearchCluster
from lambdalogs.search.indexing import DEFAULT_BATCH, BulkIndexer, RateLimiter, batches
from lambdalogs.timerange import to_ms
from transformer.cost import LambdaArchitectures
from transformer.settings import Settings

EVENT_ID: Final = "aws.cloudwatch.event_id"
# Ids per existence query: under OpenSearch's terms-query (65,536) and bucket (65,535) limits.
EXISTENCE_QUERY_IDS: Final = 10_000


@dataclass(frozen=True)
class ReplayOptions:
    bucket: str
    prefix: str = ""
    since: datetime | None = None
    until: datetime | None = None
    functions: tuple[str, ...] = ()
    sources: tuple[Kind, ...] = KINDS
    index_prefix: str = DEFAULT_INDEX_PREFIX
    batch_size: int = DEFAULT_BATCH
    rate: float | None = None
    dry_run: bool = False
    checkpoint: Path | None = None

    def fingerprint(self, target: str) -> str:
        """What identifies this replay: where from, where to, and which documents."""
        chosen = asdict(self)
        for irrelevant in ("batch_size", "rate", "dry_run", "checkpoint"):
            chosen.pop(irrelevant)
        return fingerprint({**chosen, "target": target})

    def wants(self, document: Document) -> bool:
        at = timestamp_ms(document)
        if self.since is not None and at < to_ms(self.since):
            return False
        if self.until is not None and at >= to_ms(self.until):
            return False
        return not self.functions or document.get("faas.name") in self.functions


@dataclass
class ReplayCounts:
    objects: Counter[str] = field(default_factory=Counter)
    resumed: int = 0  # objects done by an earlier, interrupted run
    read: int = 0
    selected: int = 0
    duplicates: int = 0  # the same event twice in the backup
    already_indexed: int = 0
    indexed: int = 0  # or, in a dry run, would be indexed
    unreadable: int = 0
    failed_records: int = 0


class Replayer:
    def __init__(
        self,
        options: ReplayOptions,
        bucket: BucketReader,
        cluster: OpenSearchCluster | None,
        *,
        settings: Settings,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.options = options
        self.bucket = bucket
        self.cluster = cluster
        self.settings = settings  # without a region: the backup's, see settings_for
        self._architectures: dict[str, LambdaArchitectures] = {}
        self.indexer = (
            BulkIndexer(
                cluster, prefix=options.index_prefix, limiter=limiter or RateLimiter(options.rate)
            )
            if cluster is not None and not options.dry_run
            else None
        )
        self.counts = ReplayCounts()
        self._seen: set[str] = set()

    def run(self) -> ReplayCounts:
        if self.cluster is not None:
            self.cluster.info()  # a bad URL or refused credentials fail before any S3 work
        objects = self.scope()
        target = self.cluster.url if self.cluster else "-"
        digest = self.options.fingerprint(target)
        path = self.options.checkpoint or default_path(digest)
        checkpoint = Checkpoint.load(path, digest, enabled=not self.options.dry_run)
        progress = Progress("replay", len(objects), unit="objects")
        for obj in objects:
            if checkpoint.is_done(obj.key, obj.etag):
                self.counts.resumed += 1
            else:
                self.replay_object(obj)
                checkpoint.mark(obj.key, obj.etag)
            progress.advance()
        progress.finish()
        checkpoint.remove()
        return self.counts

    def scope(self) -> list[BackupObject]:
        wanted = set(self.options.sources)
        objects = [
            obj
            for obj in self.bucket.objects()
            if obj.kind in wanted
            and obj.holds_data()
            and obj.may_hold(self.options.since, self.options.until)
        ]
        objects.sort(key=lambda obj: obj.key)
        self.counts.objects.update(obj.kind for obj in objects)
        return objects

    def replay_object(self, obj: BackupObject) -> None:
        documents = self.documents(obj)
        self.counts.read += len(documents)
        selected = self.fresh(d for d in documents if self.options.wants(d))
        for batch in batches(selected, self.options.batch_size):
            missing = self.not_indexed(batch)
            self.counts.already_indexed += len(batch) - len(missing)
            if self.indexer is None:
                self.counts.indexed += len(missing)
            elif missing:
                sent = self.indexer.send(missing)
                self.counts.indexed += sent.indexed
                self.counts.already_indexed += sent.already_present

    def documents(self, obj: BackupObject) -> list[Document]:
        found = contents(obj, self.bucket.read(obj))
        self.counts.unreadable += found.unreadable
        documents = list(found.documents)
        if found.records:
            settings = self.settings_for(obj, found)
            delivery = transform_records(
                found.records, settings=settings, architectures=self.architectures(settings)
            )
            self.counts.failed_records += len(delivery.failed)
            documents += delivery.documents
        return documents

    def settings_for(self, obj: BackupObject, found: Contents) -> Settings:
        """The transformer's settings for raw records: the region of --region or the environment
        (CLOUD_REGION, AWS_REGION), else of the transformer that failed them, else the bucket's."""
        if self.settings.region:
            return self.settings
        region = found.region or self.bucket.region
        if not region:
            raise InputError(
                f"cannot tell the region of the raw records in s3://{self.bucket.bucket}/"
                f"{obj.key}: pass --region (or set AWS_REGION)"
            )
        return replace(self.settings, region=region)

    def architectures(self, settings: Settings) -> LambdaArchitectures:
        """Priced like the transformer prices them: the function's architecture from Lambda."""
        region = settings.region
        if region not in self._architectures:
            self._architectures[region] = LambdaArchitectures(
                lambda: _lambda_client(region), region, settings.default_architecture
            )
        return self._architectures[region]

    def fresh(self, documents: Iterable[Document]) -> list[Document]:
        """Selected documents whose event was not seen earlier in this run."""
        kept = []
        for document in documents:
            self.counts.selected += 1
            found = event_id(document)
            if found is not None and found in self._seen:
                self.counts.duplicates += 1
                continue
            if found is not None:
                self._seen.add(found)
            kept.append(document)
        return kept

    def not_indexed(self, batch: Sequence[Document]) -> list[Document]:
        """The documents whose event id is not in OpenSearch yet.

        Asked as a terms aggregation (distinct ids), not as hits: an index that already holds
        an event twice (Firehose retries) would fill `size` hits with copies and hide others."""
        ids = sorted({found for found in map(event_id, batch) if found is not None})
        if self.cluster is None or not ids:
            return list(batch)
        present: set[str] = set()
        for start in range(0, len(ids), EXISTENCE_QUERY_IDS):
            present |= self.present(self.cluster, ids[start : start + EXISTENCE_QUERY_IDS])
        return [d for d in batch if event_id(d) not in present]

    def present(self, cluster: OpenSearchCluster, ids: list[str]) -> set[str]:
        """Which of these event ids some document in the indices carries."""
        answer = cluster.search(
            f"{self.options.index_prefix}-*",
            {
                "size": 0,
                "query": {"terms": {EVENT_ID: ids}},
                "aggs": {"present": {"terms": {"field": EVENT_ID, "size": len(ids)}}},
            },
        )
        buckets = answer.get("aggregations", {}).get("present", {}).get("buckets", [])
        return {str(bucket.get("key")) for bucket in buckets if isinstance(bucket, dict)}


def _lambda_client(region: str) -> Any:
    import boto3

    return boto3.client("lambda", region_name=region)

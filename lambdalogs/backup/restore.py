"""Restoring documents from the S3 backup bucket into OpenSearch, by time and function (the
engine of the `replay` command).

Resumable and idempotent: objects are read in key order and recorded in a checkpoint file once
all their documents are indexed; what is indexed never duplicates an event
(`lambdalogs/search/restoring.py`).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

from lambdalogs.backup.bucket import BucketReader
from lambdalogs.backup.checkpoint import Checkpoint, default_path, fingerprint
from lambdalogs.backup.objects import KINDS, BackupObject, Contents, Kind, contents
from lambdalogs.console import Progress
from lambdalogs.documents import DEFAULT_INDEX_PREFIX, Document, timestamp_ms
from lambdalogs.errors import InputError
from lambdalogs.local.transform import transform_records
from lambdalogs.search.cluster import OpenSearchCluster
from lambdalogs.search.indexing import DEFAULT_BATCH, RateLimiter
from lambdalogs.search.restoring import RestoringIndexer
from lambdalogs.timerange import to_ms
from lambdalogs.transformer_settings import FROM_TRANSFORMER, TransformerSettings
from transformer.architecture_map import ArchitectureMap
from transformer.settings import Settings


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
    settings_from: str = FROM_TRANSFORMER
    """Whose settings raw records are transformed with (lambdalogs/transformer_settings.py)."""

    def fingerprint(self, target: str) -> str:
        """What identifies this replay: where from, where to, which documents, and (when not
        the default) whose settings make them: a checkpoint of other settings does not resume."""
        chosen = asdict(self)
        for irrelevant in ("batch_size", "rate", "dry_run", "checkpoint"):
            chosen.pop(irrelevant)
        if chosen["settings_from"] == FROM_TRANSFORMER:
            chosen.pop("settings_from")  # as before the option existed
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
        self.transformers = (
            TransformerSettings() if options.settings_from == FROM_TRANSFORMER else None
        )
        """The failing transformers' own settings for raw records; None: `settings`."""
        self._architectures: dict[str, ArchitectureMap] = {}
        self.counts = ReplayCounts()
        self.sink = RestoringIndexer(
            cluster,
            self.counts,
            index_prefix=options.index_prefix,
            batch_size=options.batch_size,
            dry_run=options.dry_run,
            limiter=limiter or RateLimiter(options.rate),
        )

    def run(self) -> ReplayCounts:
        if self.cluster is not None:
            self.cluster.info()  # a bad URL or refused credentials fail before any S3 work
        objects = self.scope()
        target = self.cluster.url if self.cluster else "-"
        digest = self.options.fingerprint(target)
        path = self.options.checkpoint or default_path(digest)
        checkpoint = Checkpoint.load(path, digest, enabled=not self.options.dry_run)
        # started at once (an object's first batches can take long: show the run has begun)
        with Progress("replay", len(objects), unit="objects") as progress:
            for obj in objects:
                if checkpoint.is_done(obj.key, obj.etag):
                    self.counts.resumed += 1
                else:
                    self.replay_object(obj)
                    checkpoint.mark(obj.key, obj.etag)
                progress.advance()
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
        self.sink.add(d for d in documents if self.options.wants(d))

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
        """The transformer's settings for raw records: those of the transformer that failed
        them (lambdalogs/transformer_settings.py) or the environment's; the region of
        --region or the environment (CLOUD_REGION, AWS_REGION), else of that transformer, else
        the bucket's."""
        base = self.settings
        if self.transformers is not None:
            base = self.transformers.for_arn(found.transformer_arn, where=obj.key)
        if self.settings.region:
            return replace(base, region=self.settings.region)
        region = found.region or self.bucket.region
        if not region:
            raise InputError(
                f"cannot tell the region of the raw records in s3://{self.bucket.bucket}/"
                f"{obj.key}: pass --region (or set AWS_REGION)"
            )
        return replace(base, region=region)

    def architectures(self, settings: Settings) -> ArchitectureMap:
        """Priced as the transformer prices them: from the architecture maps the subscribers
        publish into this bucket (`architectures/<account>/<region>.json.gz`, transformer/
        architecture_map.py), read with the bucket's own client; a function no map names, or a
        bucket without maps, at `settings.default_architecture` (one map reader per default:
        each transformer's settings name theirs). Not from Lambda: a hub's records are its
        spokes' functions, which the operator's account cannot look up (and a function of the
        same name there would lend its architecture). A map that cannot be read is a warning."""
        default = settings.default_architecture
        if default not in self._architectures:
            client = self.bucket.client
            self._architectures[default] = ArchitectureMap(
                lambda: client, self.bucket.bucket, default, log=_warn_once()
            )
        return self._architectures[default]


def _warn_once() -> Callable[[str, str], None]:
    """The map reader's log: each distinct warning or error once, on stderr."""
    said: set[str] = set()

    def log(level: str, message: str) -> None:
        if level in ("WARN", "ERROR") and message not in said:
            said.add(message)
            print(f"lambdalogs replay: warning: {message}", file=sys.stderr)

    return log

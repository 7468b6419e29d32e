"""`replay`: restore documents from the S3 backup bucket into OpenSearch (resumable, never a
duplicate); the options, the run and the report. The restoring itself is `backup.restore`."""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from lambdalogs.backup.bucket import BucketReader, parse_location, s3_client
from lambdalogs.backup.objects import KINDS, BackupObject
from lambdalogs.backup.restore import ReplayCounts, Replayer, ReplayOptions
from lambdalogs.commands.options import (
    Commands,
    add_connection_options,
    add_restore_options,
    add_time_range_options,
    cluster_from,
    opensearch_url,
    require_target,
    time_range_from,
)
from lambdalogs.console import print_lines
from lambdalogs.documents import Document
from lambdalogs.errors import InputError
from lambdalogs.transformer_settings import add_settings_options, environment_settings


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "replay",
        help="restore documents from the S3 backup into OpenSearch",
        description="Restore from the backup bucket into OpenSearch: documents of the "
        "all-documents backup, raw records of processing-failed/ (run through the transformer "
        "locally) and documents of AmazonOpenSearchService-failed/. Skips events already "
        "indexed (by aws.cloudwatch.event_id); interrupted runs resume from a checkpoint file "
        "when the same command is repeated; never creates duplicates.",
    )
    parser.add_argument("--bucket", required=True, help="bucket name or s3://bucket/prefix/")
    parser.add_argument(
        "--prefix", default=ReplayOptions.prefix, help="key prefix of the backup (default: none)"
    )
    add_time_range_options(parser)
    parser.add_argument(
        "--function",
        action="append",
        default=[],
        dest="functions",
        metavar="NAME",
        help="only this function (repeatable; default: all)",
    )
    parser.add_argument(
        "--source",
        action="append",
        choices=KINDS,
        dest="sources",
        help="only this kind of object (repeatable; default: all three)",
    )
    add_restore_options(parser, dry_run_help="read and count, write nothing (no checkpoint)")
    parser.add_argument(
        "--checkpoint",
        type=Path,
        help="checkpoint file (default: ./.lambdalogs-replay-<options hash>.json)",
    )
    add_settings_options(parser, named=False)
    parser.add_argument("--json", action="store_true", help="the counts as one JSON object")
    add_connection_options(parser)
    parser.set_defaults(run=run_command)


class _SeeingReplayer(Replayer):
    """Counts the functions of the documents read, to tell an unknown --function."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.functions_seen: Counter[str] = Counter()

    def documents(self, obj: BackupObject) -> list[Document]:
        found = super().documents(obj)
        self.functions_seen.update(str(d["faas.name"]) for d in found if d.get("faas.name"))
        return found


def run_command(args: argparse.Namespace, out: TextIO, env: Mapping[str, str] = os.environ) -> int:
    require_target(args, env)
    window = time_range_from(args)
    bucket_name, prefix = parse_location(args.bucket, args.prefix)
    options = ReplayOptions(
        bucket=bucket_name,
        prefix=prefix,
        since=window.since,
        until=window.until,
        functions=tuple(args.functions),
        sources=tuple(args.sources or KINDS),
        index_prefix=args.index_prefix,
        batch_size=args.batch_size,
        rate=args.rate,
        dry_run=args.dry_run,
        checkpoint=args.checkpoint,
        settings_from=args.settings_from,
    )
    cluster = cluster_from(args, env) if opensearch_url(args, env) else None
    bucket = BucketReader(s3_client(args.region), bucket_name, prefix)
    # --region, else CLOUD_REGION/AWS_REGION, else (per object) the backup's own region
    region_env = {**env, "CLOUD_REGION": args.region} if args.region else env
    settings = environment_settings(region_env, args.settings_from)
    replayer = _SeeingReplayer(options, bucket, cluster, settings=settings)
    counts = replayer.run()
    target = f"{cluster.url} ({args.index_prefix}-*)" if cluster else "(no OpenSearch)"
    source = f"s3://{bucket_name}/{prefix}"
    if args.json:
        report = as_json(options, counts, source, target, replayer.functions_seen)
        print(json.dumps(report, indent=2), file=out)
    else:
        print_lines(out, render(options, counts, source, target))
    if not counts.resumed:  # objects done by an earlier run were not read this time
        check_functions(options.functions, replayer.functions_seen)
    return 0


def check_functions(wanted: tuple[str, ...], seen: Counter[str]) -> None:
    """An unknown --function is an error that lists the functions the backup holds."""
    unknown = [name for name in wanted if name not in seen]
    if not unknown:
        return
    names = ", ".join(f"{name} ({count:,})" for name, count in sorted(seen.items())) or "none"
    raise InputError(
        f"--function {', '.join(unknown)}: no such function in the documents read; functions "
        f"seen (documents): {names}"
    )


def as_json(
    options: ReplayOptions,
    counts: ReplayCounts,
    source: str,
    target: str,
    seen: Counter[str],
) -> dict[str, Any]:
    return {
        "source": source,
        "target": target,
        "since": _utc(options.since, "") or None,
        "until": _utc(options.until, "") or None,
        "functions": list(options.functions),
        "dry_run": options.dry_run,
        "objects": {kind: counts.objects[kind] for kind in KINDS},
        "resumed": counts.resumed,
        "read": counts.read,
        "selected": counts.selected,
        "duplicates": counts.duplicates,
        "already_indexed": counts.already_indexed,
        "indexed": counts.indexed,
        "unreadable": counts.unreadable,
        "failed_records": counts.failed_records,
        "functions_seen": dict(sorted(seen.items())),
    }


def _utc(moment: datetime | None, absent: str) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" if moment else absent


def render(options: ReplayOptions, counts: ReplayCounts, source: str, target: str) -> list[str]:
    window = f"{_utc(options.since, 'the beginning')} to {_utc(options.until, 'now')}"
    kinds = ", ".join(f"{counts.objects[k]} {k}" for k in KINDS if counts.objects[k]) or "none"
    lines = [
        f"Replay {source} → {target}",
        f"  events from {window}; functions: {', '.join(options.functions) or 'all'}",
        f"  objects: {sum(counts.objects.values())} ({kinds}); {counts.resumed} already done "
        "by an interrupted run",
        f"  documents: {counts.read} read, {counts.selected} in range, {counts.duplicates} "
        f"duplicates in the backup, {counts.already_indexed} already indexed",
    ]
    if counts.unreadable or counts.failed_records:
        lines.append(
            f"  not restorable: {counts.unreadable} unreadable error-output entries, "
            f"{counts.failed_records} raw records the transformer rejects"
        )
    if options.dry_run:
        lines.append(f"Dry run: would index {counts.indexed} documents; nothing was written.")
    else:
        lines.append(f"Indexed {counts.indexed} documents.")
    return lines

"""`replay`: restore documents from the S3 backup bucket into OpenSearch (resumable, never a
duplicate); the options, the run and the report. The restoring itself is `backup.restore`."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from lambdalogs.backup.bucket import BucketReader, parse_location, s3_client
from lambdalogs.backup.objects import KINDS
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
from lambdalogs.local.transform import settings_from_env


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
    add_connection_options(parser)
    parser.set_defaults(run=run_command)


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
    )
    cluster = cluster_from(args, env) if opensearch_url(args, env) else None
    bucket = BucketReader(s3_client(args.region), bucket_name, prefix)
    # --region, else CLOUD_REGION/AWS_REGION, else (per object) the backup's own region
    settings = settings_from_env({**env, "CLOUD_REGION": args.region} if args.region else env)
    counts = Replayer(options, bucket, cluster, settings=settings).run()
    target = f"{cluster.url} ({args.index_prefix}-*)" if cluster else "(no OpenSearch)"
    print_lines(out, render(options, counts, f"s3://{bucket_name}/{prefix}", target))
    return 0


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

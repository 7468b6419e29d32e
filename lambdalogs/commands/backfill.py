"""`backfill`: read log groups' events back from CloudWatch Logs, run them through the
transformer and index what OpenSearch is missing. It restores what no backup holds: the
deliveries CloudWatch Logs dropped after retrying a throttled stream for 24 hours, and any gap
while a group was not subscribed (the events stay in the group for its retention)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TextIO

from lambdalogs.aws_clients import retrying_client
from lambdalogs.cloudwatch.reader import Window, log_groups, logs_errors, pages
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
from lambdalogs.console import Progress, print_lines
from lambdalogs.errors import InputError
from lambdalogs.local.transform import records, settings_from_env, transform_records
from lambdalogs.search.indexing import RateLimiter
from lambdalogs.search.restoring import RestoringIndexer
from lambdalogs.timerange import to_ms
from lambdalogs.transformer_settings import (
    FROM_TRANSFORMER,
    TransformerSettings,
    add_settings_options,
)
from transformer.cost import LambdaArchitectures


@dataclass
class BackfillCounts:
    groups: int = 0
    read: int = 0
    selected: int = 0
    duplicates: int = 0
    already_indexed: int = 0
    indexed: int = 0  # or, in a dry run, would be indexed
    dropped: int = 0  # answered Dropped by the transformer (not a log group it accepts)
    failed_records: int = 0


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "backfill",
        help="index log events read back from CloudWatch Logs that OpenSearch is missing",
        description="Read the events of log groups between --since and --until back from "
        "CloudWatch Logs (FilterLogEvents), run them through the transformer and index those "
        "OpenSearch does not hold yet (by aws.cloudwatch.event_id): it restores deliveries "
        "CloudWatch dropped after 24 hours of throttling. Never creates duplicates; repeat "
        "the command after an interruption.",
    )
    parser.add_argument(
        "--log-group",
        action="append",
        default=[],
        dest="groups",
        metavar="NAME",
        help="a log group (repeatable)",
    )
    parser.add_argument(
        "--log-group-prefix",
        action="append",
        default=[],
        dest="prefixes",
        metavar="PREFIX",
        help="every log group whose name starts with PREFIX (repeatable)",
    )
    add_time_range_options(parser)
    add_restore_options(parser, dry_run_help="read and count, write nothing")
    add_settings_options(parser, named=True)
    add_connection_options(parser)
    parser.set_defaults(run=run_command)


def _window(args: argparse.Namespace) -> Window:
    window = time_range_from(args)
    if window.since is None:
        raise InputError("give --since: the start of the events to read back (e.g. 2h, or ISO)")
    until = window.until or datetime.now(UTC)
    if window.since >= until:
        raise InputError("--since is in the future: give a start before now (or before --until)")
    return Window(to_ms(window.since), to_ms(until))


def _region(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    region = args.region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if not region:
        raise InputError("give --region (or set AWS_REGION): the region of the log groups")
    return str(region)


def run_command(args: argparse.Namespace, out: TextIO, env: Mapping[str, str] = os.environ) -> int:
    require_target(args, env)
    window = _window(args)
    region = _region(args, env)
    with logs_errors("the caller's account", "sts:GetCallerIdentity"):
        logs = retrying_client("logs", region)
        owner = str(retrying_client("sts", region).get_caller_identity()["Account"])
    if args.settings_from == FROM_TRANSFORMER:  # as deployed: its redaction and event rules
        settings = TransformerSettings(command="backfill").for_function(args.transformer, region)
    else:
        settings = settings_from_env(env)
    settings = replace(settings, region=region)  # the log groups' region, whatever the shell's
    architectures = LambdaArchitectures(
        lambda: retrying_client("lambda", region), region, settings.default_architecture
    )
    cluster = cluster_from(args, env) if opensearch_url(args, env) else None
    if cluster is not None:
        cluster.info()  # a bad URL or refused credentials fail before any read
    counts = BackfillCounts()
    sink = RestoringIndexer(
        cluster,
        counts,
        index_prefix=args.index_prefix,
        batch_size=args.batch_size,
        dry_run=args.dry_run,
        limiter=RateLimiter(args.rate),
    )
    groups = log_groups(logs, args.groups, args.prefixes)
    # started at once (a group's first pages can take long: show the run has begun)
    with Progress("backfill", len(groups), unit="log groups") as progress:
        for group in groups:
            for batches in pages(logs, group, window, owner):
                counts.read += sum(len(batch.events) for batch in batches)
                delivery = transform_records(
                    records(batches), settings=settings, architectures=architectures
                )
                counts.dropped += delivery.dropped
                counts.failed_records += len(delivery.failed)
                sink.add(delivery.documents)
            counts.groups += 1
            progress.advance()
    target = f"{cluster.url} ({args.index_prefix}-*)" if cluster else "(no OpenSearch)"
    print_lines(out, render(counts, window, target, dry_run=args.dry_run))
    return 1 if counts.failed_records else 0


def _utc(ms: int) -> str:
    return f"{datetime.fromtimestamp(ms / 1000, UTC):%Y-%m-%dT%H:%M:%SZ}"


def render(counts: BackfillCounts, window: Window, target: str, *, dry_run: bool) -> list[str]:
    verb = "Would index" if dry_run else "Indexed"
    lines = [
        f"Backfill {counts.groups} log groups → {target}",
        f"  events from {_utc(window.start_ms)} to {_utc(window.end_ms)}",
        f"  read {counts.read} events; {counts.selected} documents, {counts.duplicates} "
        f"repeated, {counts.already_indexed} already indexed",
        f"{verb} {counts.indexed} documents.",
    ]
    if counts.dropped:
        lines.append(
            f"  {counts.dropped} records dropped by the transformer: groups outside "
            "LOG_GROUP_PREFIXES (set it as deployed) or a pipeline's own groups"
        )
    if counts.failed_records:
        lines.append(
            f"  {counts.failed_records} records failed in the transformer: repeat the command "
            "(nothing is indexed twice); if they fail again, report them with their group"
        )
    return lines

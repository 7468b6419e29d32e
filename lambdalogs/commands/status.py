"""`status`: the health of a deployed stack on one screen — subscription coverage, the age of
the newest document per function, failed records waiting in S3, ISM on the indices, the alarms.
Exit 0 when every check is OK, 1 when something needs attention (or could not be checked),
2 on bad input; `--json` for scripts."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TextIO

from lambdalogs.commands.options import (
    Commands,
    add_connection_options,
    cluster_from,
    positive_int,
)
from lambdalogs.console import print_lines
from lambdalogs.search.cluster import OpenSearchCluster
from lambdalogs.status import alarms, coverage, failed_records, freshness, retention, screen
from lambdalogs.status.report import Check, as_json, exit_code, skipped
from lambdalogs.status.runs import aws_session, coverage_of, guarded
from lambdalogs.status.stack import Stack, read_outputs, stack_from


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "status",
        help="health of a deployed stack: coverage, freshness, failed records, ISM, alarms",
        description="One screen on a deployed stack: log groups subscribed of those eligible, "
        "the newest document per function, failed records waiting in the bucket, the ISM "
        "policy on the indices and the alarms' states. Exit code 0: all OK; 1: something "
        "needs attention or could not be checked; 2: bad input.",
    )
    stack = parser.add_argument_group("the stack (flags override --outputs)")
    stack.add_argument(
        "--outputs",
        type=Path,
        metavar="FILE",
        help="`pulumi stack output --json` saved to FILE, or - to read it from standard input",
    )
    stack.add_argument("--stream", help="delivery stream ARN (output streamArn)")
    stack.add_argument("--bucket", help="backup bucket (output bucketName)")
    stack.add_argument("--subscriber", help="subscriber function (output subscriberFunctionName)")
    stack.add_argument(
        "--endpoint", help="OpenSearch domain endpoint or URL (output domainEndpoint)"
    )
    stack.add_argument(
        "--alarm-prefix",
        default=alarms.DEFAULT_ALARM_PREFIX,
        help="name prefix of the stack's alarms (default: %(default)s)",
    )
    stack.add_argument("--profile", help="AWS profile for the AWS calls (default: the usual chain)")
    parser.add_argument(
        "--max-groups",
        type=positive_int,
        default=coverage.DEFAULT_MAX_CHECKS,
        help="log groups whose filters are read, at 2 a second; above it an even sample "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--stale-after",
        type=age_value,
        default=freshness.DEFAULT_STALE_AFTER,
        metavar="AGE",
        help="attention when the newest document is older (default: 30m)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    add_connection_options(parser)
    parser.set_defaults(run=run_command)


_AGE: Final = re.compile(r"(\d+)\s*([smhd])")
_UNIT_SECONDS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


def age_value(text: str) -> timedelta:
    """`--stale-after`: an age like 90s, 30m, 2h, 1d, more than 0."""
    found = _AGE.fullmatch(text.strip())
    if found is None or int(found[1]) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not an age; use e.g. 30m, 2h or 1d")
    return timedelta(seconds=int(found[1]) * _UNIT_SECONDS[found[2]])


def run_command(
    args: argparse.Namespace,
    out: TextIO,
    env: Mapping[str, str] = os.environ,
    stdin: TextIO | None = None,
) -> int:
    flags = {
        "region": args.region,
        "stream_arn": args.stream,
        "bucket": args.bucket,
        "subscriber": args.subscriber,
        "endpoint": args.endpoint or args.opensearch or env.get("OPENSEARCH_URL"),
        "index_prefix": args.index_prefix,
    }
    stack = stack_from(read_outputs(args.outputs, stdin or sys.stdin), flags, env)
    checks = run_checks(stack, args, env, args.stale_after)
    if args.json:
        print(json.dumps(as_json(stack.as_json(), checks), indent=2), file=out)
    else:
        print_lines(out, screen.render(stack, checks, out))
    return exit_code(checks)


def run_checks(
    stack: Stack, args: argparse.Namespace, env: Mapping[str, str], threshold: timedelta
) -> list[Check]:
    session = aws_session(args.profile, stack.region)
    now = datetime.now(UTC)
    cluster = _cluster(stack, args, env)
    steps: list[tuple[str, bool, str, Callable[[], Check]]] = [
        (
            "subscriptions",
            bool(stack.subscriber),
            "no subscriber (give --subscriber); in account-policy mode the policy covers every "
            "group: `aws logs describe-account-policies --policy-type SUBSCRIPTION_FILTER_POLICY`",
            lambda: coverage_of(session, stack.subscriber, args.max_groups, now),
        ),
        (
            "freshness",
            cluster is not None,
            "no OpenSearch endpoint (give --endpoint)",
            lambda: _freshness(cluster, stack.index_prefix, now, threshold),
        ),
        (
            "failed records",
            bool(stack.bucket),
            "no bucket (give --bucket)",
            lambda: _failed(session, stack.bucket),
        ),
        (
            "retention (ISM)",
            cluster is not None,
            "no OpenSearch endpoint (give --endpoint)",
            lambda: _retention(cluster, stack.index_prefix),
        ),
        (
            "alarms",
            True,
            "",
            lambda: _alarms(session, args.alarm_prefix, stack.alarm_topic_arn),
        ),
    ]
    return [
        guarded(name, run) if wanted else skipped(name, why) for name, wanted, why, run in steps
    ]


def _cluster(
    stack: Stack, args: argparse.Namespace, env: Mapping[str, str]
) -> OpenSearchCluster | None:
    """The connection options as every command reads them, at the stack's endpoint and region."""
    if not stack.opensearch_url:
        return None
    chosen = {**vars(args), "opensearch": stack.opensearch_url, "region": stack.region}
    return cluster_from(argparse.Namespace(**chosen), env)


def _freshness(
    cluster: OpenSearchCluster | None, prefix: str, now: datetime, threshold: timedelta
) -> Check:
    assert cluster is not None
    found = freshness.newest_per_function(cluster, prefix, now)
    return freshness.freshness_check(found, now, threshold)


def _retention(cluster: OpenSearchCluster | None, prefix: str) -> Check:
    assert cluster is not None
    return retention.retention_check(retention.explain(cluster, prefix), prefix)


def _failed(session: Any, bucket: str) -> Check:
    s3 = session.client("s3")
    found = [failed_records.waiting(s3, bucket, p) for p in failed_records.ERROR_PREFIXES]
    return failed_records.failed_check(bucket, found)


def _alarms(session: Any, prefix: str, topic_arn: str) -> Check:
    found = alarms.alarms(session.client("cloudwatch"), prefix, topic_arn)
    return alarms.alarms_check(found, prefix)

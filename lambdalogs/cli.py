"""`python -m lambdalogs <command>`: argument parsing and the one-line error contract."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from lambdalogs import backup, inputs, timerange
from lambdalogs.cluster import Cluster
from lambdalogs.console import print_lines
from lambdalogs.documents import DEFAULT_INDEX_PREFIX
from lambdalogs.errors import CliError, InputError
from lambdalogs.indexer import DEFAULT_BATCH

Command = Callable[[argparse.Namespace, TextIO], int]

DESCRIPTION = """\
Operator tools for the Lambda logs → Firehose → OpenSearch pipeline.

  demo     generate a conference-app workload, run it through the real transformer, report
  preview  run your own log file through the transformer, show the documents and fields
  replay   restore documents from the S3 backup bucket into OpenSearch (resumable, idempotent)
  trace    one trace's events across functions in time order, milestones first
"""


class Parser(argparse.ArgumentParser):
    """Usage errors as one line that points to --help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> Parser:
    parser = Parser(
        prog="python -m lambdalogs",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    _demo_parser(commands)
    _preview_parser(commands)
    _replay_parser(commands)
    _trace_parser(commands)
    return parser


def _opensearch_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("OpenSearch")
    group.add_argument(
        "--opensearch",
        metavar="URL",
        default=os.environ.get("OPENSEARCH_URL"),
        help="cluster URL, e.g. https://search-logs-abc.eu-west-1.es.amazonaws.com "
        "(env OPENSEARCH_URL)",
    )
    group.add_argument("--user", help="Basic auth user (env OPENSEARCH_USER)")
    group.add_argument("--password", help="Basic auth password (env OPENSEARCH_PASSWORD)")
    group.add_argument(
        "--sigv4",
        action="store_true",
        help="sign requests with your AWS credentials (IAM access to Amazon OpenSearch Service)",
    )
    group.add_argument(
        "--region",
        help="AWS region for --sigv4 (default: from the endpoint, else AWS_REGION) and, for "
        "replay, of the bucket (default: the AWS profile's)",
    )
    group.add_argument(
        "--index-prefix",
        default=DEFAULT_INDEX_PREFIX,
        help="daily indices <prefix>-YYYY-MM-DD (default: %(default)s)",
    )


def _demo_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    parser = commands.add_parser(
        "demo",
        help="the conference-app demo (no AWS needed)",
        description="Generate a conference-app workload (3 functions: API, DynamoDB writer, "
        "stream-triggered chat notifier), run it through the real transformer as Firehose "
        "would, write an OpenSearch bulk file and print what the dashboards show.",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default: %(default)s)")
    parser.add_argument(
        "--sessions",
        type=_positive_int,
        default=40,
        help="talk submissions to simulate (default: %(default)s)",
    )
    parser.add_argument(
        "--start",
        default=None,
        help="time of the first submission: ISO 8601 or `now` (default: 2026-11-20T14:00:00Z, "
        "so a seed always gives the same documents)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="bulk file (or directory) to write (default: ./lambda-logs-demo.ndjson)",
    )
    _opensearch_options(parser)
    parser.add_argument(
        "--dashboards-url",
        help="OpenSearch Dashboards URL for the saved objects (default: <opensearch>/_dashboards)",
    )
    parser.set_defaults(run=_run_demo)


def _preview_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    parser = commands.add_parser(
        "preview",
        help="run your own logs through the transformer",
        description="Run a log file through the real transformer and show the documents and a "
        "field summary. FILE is the JSON of `aws logs filter-log-events`, a CloudWatch Logs "
        "export (.gz or '<ISO time> <message>' lines), or plain log lines (with --log-group). "
        "Transformer settings (LABEL_KEYS, TRACE_ID_KEYS, prices, …) come from the environment.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--format", choices=inputs.FORMATS, default="auto")
    parser.add_argument(
        "--log-group",
        help="the log group the lines come from, e.g. /aws/lambda/orders-api "
        "(required for plain lines)",
    )
    parser.add_argument("--log-stream", help="the log stream (default: from the file or made up)")
    parser.add_argument(
        "--architecture",
        choices=("x86_64", "arm64"),
        help="the function's architecture, for the cost (default: DEFAULT_ARCHITECTURE)",
    )
    parser.add_argument(
        "--show", type=int, default=5, help="documents to print, -1 for all (default: 5)"
    )
    parser.add_argument("--out", type=Path, help="also write the documents as a bulk file")
    parser.set_defaults(run=_run_preview)


def _replay_parser(commands: argparse._SubParsersAction[Parser]) -> None:
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
    parser.add_argument("--prefix", default="", help="key prefix of the backup (default: none)")
    parser.add_argument("--since", help=f"first event time; {timerange.HINT}")
    parser.add_argument("--until", help="end of the range (exclusive); same forms")
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
        choices=backup.KINDS,
        dest="sources",
        help="only this kind of object (repeatable; default: all three)",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        default=DEFAULT_BATCH,
        help=f"documents per _bulk (default {DEFAULT_BATCH})",
    )
    parser.add_argument(
        "--rate", type=float, help="at most this many documents per second (default: no limit)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="read and count, write nothing (no checkpoint)"
    )
    parser.add_argument(
        "--checkpoint",
        type=Path,
        help="checkpoint file (default: ./.lambdalogs-replay-<options hash>.json)",
    )
    _opensearch_options(parser)
    parser.set_defaults(run=_run_replay)


def _trace_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    parser = commands.add_parser(
        "trace",
        help="one trace's events across functions",
        description="Print one trace's events across functions in time order, milestones "
        "first. ID is a trace.id, an X-Ray trace id or a request id. Reads OpenSearch, or a "
        "bulk file written by demo with --file.",
    )
    parser.add_argument("trace_id", metavar="ID")
    parser.add_argument("--file", type=Path, help="a bulk file instead of OpenSearch")
    _opensearch_options(parser)
    parser.set_defaults(run=_run_trace)


# -- commands ----------------------------------------------------------------------------------


def _run_demo(args: argparse.Namespace, out: TextIO) -> int:
    from lambdalogs import demo, workload

    options = demo.DemoOptions(
        seed=args.seed,
        sessions=args.sessions,
        start=timerange.parse(args.start) if args.start else workload.DEFAULT_START,
        out=demo.output_path(args.out),
        index_prefix=args.index_prefix,
        dashboards_url=args.dashboards_url,
    )
    demo.run(options, out, cluster=_cluster(args) if args.opensearch else None)
    return 0


def _run_preview(args: argparse.Namespace, out: TextIO) -> int:
    from lambdalogs import preview

    options = preview.PreviewOptions(
        path=args.file,
        fmt=args.format,
        log_group=args.log_group,
        log_stream=args.log_stream,
        architecture=args.architecture,
        show=args.show,
        out=args.out,
    )
    preview.run(options, out)
    return 0


def _run_replay(args: argparse.Namespace, out: TextIO) -> int:
    from lambdalogs import replay
    from lambdalogs.s3store import BackupBucket, parse_location, s3_client

    if not args.opensearch and not args.dry_run:
        raise InputError("give --opensearch URL (or OPENSEARCH_URL), or --dry-run to only count")
    since = timerange.parse(args.since) if args.since else None
    until = timerange.parse(args.until) if args.until else None
    if since and until and since >= until:
        raise InputError("--since must be before --until")
    bucket_name, prefix = parse_location(args.bucket, args.prefix)
    options = replay.ReplayOptions(
        bucket=bucket_name,
        prefix=prefix,
        since=since,
        until=until,
        functions=tuple(args.functions),
        sources=tuple(args.sources or backup.KINDS),
        index_prefix=args.index_prefix,
        batch_size=args.batch_size,
        rate=args.rate,
        dry_run=args.dry_run,
        checkpoint=args.checkpoint,
    )
    cluster = _cluster(args) if args.opensearch else None
    bucket = BackupBucket(s3_client(args.region), bucket_name, prefix)
    counts = replay.Replayer(options, bucket, cluster).run()
    target = f"{cluster.url} ({args.index_prefix}-*)" if cluster else "(no OpenSearch)"
    print_lines(out, replay.render(options, counts, f"s3://{bucket_name}/{prefix}", target))
    return 0


def _run_trace(args: argparse.Namespace, out: TextIO) -> int:
    from lambdalogs import trace

    if args.file is not None:
        fetch = trace.from_file(args.file)
    elif args.opensearch:
        fetch = trace.from_cluster(_cluster(args), args.index_prefix)
    else:
        raise InputError("give --file BULK_FILE or --opensearch URL (or OPENSEARCH_URL)")
    print_lines(out, trace.render(trace.collect(args.trace_id, fetch)))
    return 0


def _cluster(args: argparse.Namespace) -> Cluster:
    return Cluster.from_options(
        args.opensearch, args.user, args.password, sigv4=args.sigv4, region=args.region
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run one command; errors the operator can fix are one line on stderr, never a traceback."""
    args = build_parser().parse_args(argv)
    stdout = out if out is not None else sys.stdout
    run: Command = args.run
    try:
        return run(args, stdout)
    except CliError as error:
        print(f"lambdalogs {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(
            f"lambdalogs {args.command}: interrupted; repeat the command to resume", file=sys.stderr
        )
        return 130
    except BrokenPipeError:
        return 0

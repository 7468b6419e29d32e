"""The option groups the commands share, declared once: the OpenSearch connection and its auth,
the index prefix, the time range and the output file. Each option has one form everywhere: an
environment variable backs it only where its help says so, and is read when the command runs."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, NoReturn, TextIO, TypeAlias

from lambdalogs import timerange
from lambdalogs.documents import DEFAULT_INDEX_PREFIX
from lambdalogs.errors import InputError
from lambdalogs.search.cluster import AUTH_MODES, OpenSearchCluster, connection_for
from lambdalogs.search.indexing import DEFAULT_BATCH

Command = Callable[[argparse.Namespace, TextIO], int]


class Parser(argparse.ArgumentParser):
    """Usage errors as one line that points to --help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


Commands: TypeAlias = "argparse._SubParsersAction[Parser]"


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def positive_rate(text: str) -> float:
    """`--rate`: documents per second, more than 0 (leave it out for no limit)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of documents per second"
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} must be more than 0 documents per second; leave --rate out for no limit"
        )
    return value


# OpenSearch's index name rules ("Create index", index naming restrictions, and Amazon OpenSearch
# Service's "Naming restrictions for indexes"): all letters lowercase; not beginning with _ or -
# (nor +); no spaces, commas, or : " * + / \ | ? # > <; at most 255 bytes. The prefix becomes
# `<prefix>-YYYY-MM-DD`, 11 bytes more.
INDEX_PREFIX_RULE: Final = (
    'lowercase, with no space, comma or any of : " * + / \\ | ? # > <, not starting with '
    "_ - or +, and at most 244 bytes"
)
_INDEX_FORBIDDEN: Final = frozenset(' ,:"*+/\\|?#><')
_DAILY_SUFFIX_BYTES: Final = len("-YYYY-MM-DD")


def index_prefix(text: str) -> str:
    """`--index-prefix`: refused unless `<prefix>-YYYY-MM-DD` is a valid OpenSearch index name."""
    bad = sorted({c for c in text if c in _INDEX_FORBIDDEN})
    problem = (
        "is empty"
        if not text
        else "has uppercase letters"
        if text != text.lower()
        else f"contains {' '.join(repr(c) for c in bad)}"
        if bad
        else f"starts with {text[0]!r}"
        if text[0] in "_-+"
        else "is . or .."
        if text in (".", "..")
        else "is too long"
        if len(text.encode()) + _DAILY_SUFFIX_BYTES > 255
        else ""
    )
    if problem:
        raise argparse.ArgumentTypeError(
            f"{text!r} {problem}: an OpenSearch index name is {INDEX_PREFIX_RULE}"
        )
    return text


def time_value(text: str) -> datetime:
    """A time option: ISO 8601 (UTC unless an offset is given), `now`, or an age."""
    try:
        return timerange.parse(text)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# -- OpenSearch: connection, auth, index prefix -------------------------------------------------


class RefusedPassword(argparse.Action):
    """`--password` is refused: a command line is visible to every user of the machine."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        parser.error(
            "--password is not accepted: every user of this machine can read a command line "
            "(ps); set OPENSEARCH_PASSWORD, or leave it out and type it at the prompt"
        )


def add_connection_options(parser: argparse.ArgumentParser, *, dashboards: bool = False) -> None:
    group = parser.add_argument_group("OpenSearch")
    group.add_argument(
        "--opensearch",
        metavar="URL",
        help="cluster URL, e.g. https://search-logs-abc.eu-west-1.es.amazonaws.com "
        "(env OPENSEARCH_URL)",
    )
    group.add_argument(
        "--user",
        help="Basic auth user (env OPENSEARCH_USER); the password from env OPENSEARCH_PASSWORD, "
        "else a prompt at a terminal (never on the command line: `ps` shows it to everyone)",
    )
    group.add_argument("--password", action=RefusedPassword, help=argparse.SUPPRESS)
    group.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="PEM file of the CA that signed the cluster's certificate (a private CA); "
        "certificates are always verified",
    )
    group.add_argument(
        "--sigv4",
        action="store_true",
        help="sign requests with your AWS credentials (IAM access to Amazon OpenSearch Service); "
        "the same as --auth sigv4",
    )
    group.add_argument(
        "--auth",
        choices=AUTH_MODES,
        default="auto",
        help="how to authenticate: auto (default) is basic with --user, sigv4 for an "
        "*.es.amazonaws.com endpoint, none otherwise (e.g. http://localhost:9200 without the "
        "security plugin)",
    )
    group.add_argument(
        "--region",
        help="AWS region for --sigv4 (default: from the endpoint, else env AWS_REGION) and, for "
        "replay, of the bucket (default: the AWS profile's) and of the restored documents "
        "(default: env CLOUD_REGION or AWS_REGION, else the backup's lambdaArn); for backfill, "
        "of the log groups (default: env AWS_REGION or AWS_DEFAULT_REGION)",
    )
    if dashboards:
        group.add_argument(
            "--dashboards-url",
            metavar="URL",
            help="OpenSearch Dashboards URL for the saved objects (default: "
            "<opensearch>/_dashboards, as on Amazon OpenSearch Service; a local Dashboards: "
            "http://localhost:5601)",
        )
    add_index_prefix_option(group)


def add_index_prefix_option(parser: argparse._ActionsContainer) -> None:
    parser.add_argument(
        "--index-prefix",
        type=index_prefix,
        default=DEFAULT_INDEX_PREFIX,
        help="daily indices <prefix>-YYYY-MM-DD (default: %(default)s)",
    )


def opensearch_url(args: argparse.Namespace, env: Mapping[str, str] = os.environ) -> str | None:
    """--opensearch, else OPENSEARCH_URL; None when neither is given."""
    url: str | None = args.opensearch or env.get("OPENSEARCH_URL")
    return url or None


def cluster_from(
    args: argparse.Namespace, env: Mapping[str, str] = os.environ
) -> OpenSearchCluster:
    """The cluster the connection options name (the URL must be given)."""
    url = opensearch_url(args, env)
    if url is None:
        raise InputError("give --opensearch URL (or OPENSEARCH_URL)")
    connection = connection_for(
        url,
        args.user,
        None,
        sigv4=args.sigv4,
        auth=args.auth,
        region=args.region,
        dashboards_url=getattr(args, "dashboards_url", None),
        ca_bundle=args.ca_bundle,
        env=env,
    )
    return OpenSearchCluster(connection)


# -- time range ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeRange:
    since: datetime | None
    until: datetime | None  # exclusive


def add_restore_options(parser: argparse.ArgumentParser, *, dry_run_help: str) -> None:
    """What the restoring commands (replay, backfill) share: batch size, rate, dry run."""
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=DEFAULT_BATCH,
        help="documents per _bulk (default: %(default)s)",
    )
    parser.add_argument(
        "--rate",
        type=positive_rate,
        help="at most this many documents per second, more than 0 (default: no limit)",
    )
    parser.add_argument("--dry-run", action="store_true", help=dry_run_help)


def require_target(args: argparse.Namespace, env: Mapping[str, str] = os.environ) -> None:
    """A restoring command writes to OpenSearch unless it only counts."""
    if not opensearch_url(args, env) and not args.dry_run:
        raise InputError("give --opensearch URL (or OPENSEARCH_URL), or --dry-run to only count")


def add_time_range_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("time range (the events' own time)")
    group.add_argument(
        "--since", type=time_value, metavar="TIME", help=f"first event time; {timerange.HINT}"
    )
    group.add_argument(
        "--until", type=time_value, metavar="TIME", help="end of the range (exclusive); same forms"
    )


def time_range_from(args: argparse.Namespace) -> TimeRange:
    since: datetime | None = args.since
    until: datetime | None = args.until
    if since and until and since >= until:
        raise InputError("--since must be before --until")
    return TimeRange(since, until)


# -- output -------------------------------------------------------------------------------------


def add_output_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--out", type=Path, metavar="FILE|DIR", help=help_text)


def output_path(out: Path | None, default_name: str) -> Path:
    """`--out`: a file, or a directory to write the default file name into."""
    if out is None:
        return Path(default_name)
    return out / default_name if out.is_dir() else out

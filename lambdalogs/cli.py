"""`python -m lambdalogs <command>`: the commands, and the one-line error contract."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from lambdalogs import __version__
from lambdalogs.commands import backfill, demo, preview, replay, status, trace
from lambdalogs.commands.options import Command, Parser
from lambdalogs.errors import CliError

DESCRIPTION = """\
Operator tools for the Lambda logs → Firehose → OpenSearch pipeline.

  demo     generate a conference-app workload, run it through the real transformer, report
  preview  run your own log file through the transformer, show the documents and fields
  replay   restore documents from the S3 backup bucket into OpenSearch (resumable, idempotent)
  backfill index events read back from CloudWatch Logs that OpenSearch is missing (idempotent)
  trace    one trace's events across functions in time order, milestones first
  status   a deployed stack's health: coverage, freshness, failed records, ISM, alarms
"""


def build_parser() -> Parser:
    parser = Parser(
        prog="lambdalogs",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lambdalogs {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    for command in (demo, preview, replay, backfill, trace, status):
        command.register(commands)
    return parser


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

"""Errors the command line reports as one line that says what to do (never a traceback)."""

from __future__ import annotations


class CliError(Exception):
    """A problem the operator can fix; the message says how. Exit code 2."""

    exit_code = 2


class InputError(CliError):
    """A file, option or argument the command cannot use."""


class RemoteError(CliError):
    """OpenSearch or S3 refused, failed or could not be reached. Exit code 3."""

    exit_code = 3

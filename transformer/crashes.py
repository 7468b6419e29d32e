"""Lines the Lambda platform and the runtimes write when an invocation or an environment dies:
runtime exits and signal kills, the legacy "Process exited before completing request", the
"Unknown application error occurred" of a crashed runtime, and Ruby's handler-error banner.

Shapes, as CloudWatch shows them (the error type on the next line, or after a space when the
line was copied from the console):
- `RequestId: <id> Error: Runtime exited with error: signal: killed\\nRuntime.ExitError`
- `Error: Runtime exited with error: exit status 1\\nRuntime.ExitError` (during INIT: no id)
- `RequestId: <id> Process exited before completing request` (runtimes before 2018)
- `Unknown application error occurred\\nRuntime.Unknown` (also `Runtime.ImportModuleError`)
- aws_lambda_ric (Ruby): `Critical exception from handler`, `Error raised from handler method`,
  `Init error when loading handler <h>`, each followed (same event or the next) by the error
  response JSON `{"errorMessage": …, "errorType": …, "stackTrace": […]}`."""

from __future__ import annotations

import re
from typing import Final

from transformer.types import Fields

# "<message>" then optionally the error type: "Runtime.ExitError", "Extension.Crash", …
_TYPED: Final = re.compile(r"(.*?)(?:\s*[\r\n]\s*(\S+)|\s+([A-Z]\w*\.[A-Z]\w*))?\s*", re.S)
_WITH_ID: Final = re.compile(r"RequestId: (\S+) (?:Error: )?(.*)", re.S)
_PROCESS_EXITED: Final = "Process exited before completing request"
UNKNOWN_ERROR: Final = "Unknown application error occurred"
# aws_lambda_ric's LambdaLogger.log_error banners (lib/aws_lambda_ric.rb)
RUBY_BANNERS: Final = (
    "Critical exception from handler",
    "Error raised from handler method",
    "Init error when loading handler",
)


def _typed(text: str, fields: Fields) -> Fields:
    match = _TYPED.fullmatch(text)
    message, kind = (match.group(1), match.group(2) or match.group(3)) if match else (text, None)
    if message:
        fields["error.message"] = message
    if kind:
        fields["error.type"] = kind
    return fields


def runtime_error(line: str) -> Fields | None:
    """`RequestId: … Error: …`, `RequestId: … Process exited …` and `Error: Runtime …` lines."""
    fields: Fields = {"aws.lambda.event": "runtime_error", "log.level": "ERROR"}
    if line.startswith("Error: Runtime "):
        return _typed(line[len("Error: ") :], fields)
    match = _WITH_ID.fullmatch(line)
    if match is None:
        return None
    rest = match.group(2)
    has_error = line.startswith(" Error: ", len("RequestId: ") + len(match.group(1)))
    if not has_error and not rest.startswith(_PROCESS_EXITED):
        return None
    fields["faas.execution"] = match.group(1)
    return _typed(rest, fields)


def unknown_error(line: str) -> Fields | None:
    """`Unknown application error occurred` with the error type the runtime reported."""
    if not line.startswith(UNKNOWN_ERROR):
        return None
    fields: Fields = {"aws.lambda.event": "runtime_error", "log.level": "ERROR"}
    return _typed(line, fields)


def ruby_banner(line: str) -> tuple[str, str] | None:
    """(banner, what follows it) of one of aws_lambda_ric's error banners, or None."""
    for banner in RUBY_BANNERS:
        if line.startswith(banner):
            rest = line[len(banner) :]
            newline = rest.find("\n")
            head = rest if newline < 0 else rest[:newline]
            if banner.startswith("Init") or not head.strip():
                return line[: len(banner) + len(head)].rstrip(), rest[len(head) :].strip()
    return None

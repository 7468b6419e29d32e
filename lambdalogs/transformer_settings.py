"""The settings `replay` and `backfill` run events through the transformer with: those of the
deployed transformer, so the events become the documents that transformer would have made (its
`redactRules` above all: running with the operator's environment instead would index the
secrets the stack is configured to redact, and its event rules, labels, folding and message cap
would differ too).

`replay` asks for the transformer each `processing-failed/` entry names in its `lambdaArn`;
`backfill` for `--transformer` (the stack output `transformerFunctionName`). Its environment is
read once per function with `lambda:GetFunctionConfiguration` ("Environment": {"Variables":
{...}}), in its region. When it cannot be (the function is gone, the permission is missing, the
variables are not valid settings), the environment's settings are used and one warning per
function says so and what to do. `--settings-from environment` uses the environment's settings
throughout."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any, Final, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from lambdalogs.errors import InputError
from lambdalogs.local.transform import settings_from_env
from transformer.settings import Settings

_ARN_REGION: Final = re.compile(r"arn:aws[\w-]*:lambda:([a-z0-9-]+):\d{12}:function:[^:]+")
FROM_TRANSFORMER: Final = "transformer"
FROM_ENVIRONMENT: Final = "environment"
DEFAULT_TRANSFORMER: Final = "lambda-logs-transformer"
"""The transformer of a stack with the default `resourcePrefix` (`transformerFunctionName`)."""


def add_settings_options(parser: argparse.ArgumentParser, *, named: bool) -> None:
    """`--settings-from`, and with `named` `--transformer NAME` (backfill: no entry names it)."""
    parser.add_argument(
        "--settings-from",
        choices=(FROM_TRANSFORMER, FROM_ENVIRONMENT),
        default=FROM_TRANSFORMER,
        help="transform with the deployed transformer's settings (its environment: redaction "
        "and event rules, labels, ...; needs lambda:GetFunctionConfiguration) or with this "
        "environment's (default: transformer)",
    )
    if named:
        parser.add_argument(
            "--transformer",
            default=DEFAULT_TRANSFORMER,
            metavar="NAME",
            help="the transformer whose settings apply: pulumi stack output "
            f"transformerFunctionName (default: {DEFAULT_TRANSFORMER})",
        )


def _lambda_client(region: str) -> Any:
    import boto3

    return boto3.client("lambda", region_name=region)


class TransformerSettings:
    """The settings of a deployed transformer, else `fallback`'s (see the module docstring)."""

    def __init__(
        self,
        fallback: Settings,
        client_for: Callable[[str], Any] = _lambda_client,
        warnings: TextIO | None = None,
        command: str = "replay",
    ) -> None:
        self._fallback = fallback
        self._command = command
        self._client_for = client_for
        self._warnings = warnings
        self._known: dict[str, Settings] = {}
        self._unnamed: set[str] = set()

    def for_arn(self, arn: str | None, where: str = "") -> Settings:
        """The settings of the function at `arn` (its region is the ARN's); without one (the
        entries of the object `where` name none, or several), the fallback, said once."""
        if not arn:
            if where and where not in self._unnamed:
                self._unnamed.add(where)
                self._say(
                    f"warning: the raw records of {where} name no single transformer "
                    "(lambdaArn): they are transformed with this environment's settings "
                    "(REDACT_RULES, EVENT_RULES, LABEL_KEYS, ... as set here)"
                )
            return self._fallback
        found = _ARN_REGION.match(arn)
        if found is None:
            if arn not in self._known:
                self._known[arn] = self._warned(arn, "it is not a Lambda function ARN")
            return self._known[arn]
        return self.for_function(arn, found.group(1))

    def for_function(self, function: str, region: str) -> Settings:
        """The settings of `function` (a name or an ARN) in `region`."""
        if function not in self._known:
            self._known[function] = self._read(function, region)
        return self._known[function]

    def _read(self, function: str, region: str) -> Settings:
        try:
            client = self._client_for(region)
            answer = client.get_function_configuration(FunctionName=function)
        except (ClientError, BotoCoreError) as error:
            return self._warned(function, f"{type(error).__name__}: {error}")
        environment = answer.get("Environment") or {}
        if environment.get("Error"):  # e.g. its variables' KMS key cannot decrypt them
            refusal = environment["Error"]
            said = refusal.get("Message") or refusal
            return self._warned(function, f"its environment: {said}")
        variables = environment.get("Variables") or {}
        try:
            settings = settings_from_env({str(k): str(v) for k, v in variables.items()})
        except InputError as error:
            return self._warned(function, f"its environment is not valid settings: {error}")
        self._say(f"transforming with the settings of {answer.get('FunctionArn') or function}")
        return settings

    def _warned(self, function: str, why: str) -> Settings:
        self._say(
            f"warning: cannot read the settings of the transformer {function} ({why}); its "
            "events are transformed with this environment's settings (REDACT_RULES, "
            "EVENT_RULES, LABEL_KEYS, ... as set here). Grant lambda:GetFunctionConfiguration "
            "on it, or pass --settings-from environment to say that is intended"
        )
        return self._fallback

    def _say(self, line: str) -> None:
        print(f"lambdalogs {self._command}: {line}", file=self._warnings or sys.stderr)

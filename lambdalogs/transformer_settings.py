"""The settings `replay` and `backfill` run events through the transformer with: those of the
deployed transformer, so the events become the documents that transformer would have made (its
`redactRules` above all: running with the operator's environment instead would index the
secrets the stack is configured to redact, and its event rules, labels, folding and message cap
would differ too).

`replay` asks for the transformer each `processing-failed/` entry names in its `lambdaArn`;
`backfill` for `--transformer` (the stack output `transformerFunctionName`). Its environment is
read once per function with `lambda:GetFunctionConfiguration` ("Environment": {"Variables":
{...}}), in its region, throttling retried (botocore's adaptive mode). When it cannot be read
(the function is gone, the permission is missing, the variables are not valid settings, the
records name no single function), the command stops with what went wrong and what to do,
before that function's events are transformed: falling back to this environment's settings
would index what the stack redacts. `--settings-from environment` says that this
environment's settings are meant, and uses them throughout."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from typing import Any, Final, TextIO

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from lambdalogs.aws_clients import retrying_client
from lambdalogs.backup.objects import FUNCTION_ARN
from lambdalogs.cloudwatch.reader import BAD_CREDENTIALS
from lambdalogs.errors import CliError, InputError, RemoteError
from lambdalogs.local.transform import settings_from_env
from transformer.settings import Settings

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


REGION_VARIABLES: Final = ("CLOUD_REGION", "AWS_REGION")


def environment_settings(env: Mapping[str, str], settings_from: str, region: str = "") -> Settings:
    """This environment's settings as the command uses them: all of them with `--settings-from
    environment`; with the deployed transformer's, only the region (CLOUD_REGION, AWS_REGION,
    else `region`), so a stray variable of this shell (a malformed REDACT_RULES) cannot stop a
    run that does not use it."""
    if settings_from == FROM_TRANSFORMER:
        env = {name: env[name] for name in REGION_VARIABLES if name in env}
    return settings_from_env(env, region=region)


def _lambda_client(region: str) -> Any:
    return retrying_client("lambda", region)


class SettingsUnreadable(CliError):
    """The deployed transformer's settings cannot be read: nothing is transformed with others.
    Exit 2 when the input names what cannot be used (a function that does not exist, settings
    this version cannot read), 3 when AWS refused or failed (the CLI's convention)."""

    def __init__(self, message: str, *, remote: bool = False) -> None:
        super().__init__(message)
        self.exit_code = RemoteError.exit_code if remote else InputError.exit_code


_FIX: Final = (
    "pass --settings-from environment to transform with this environment's settings instead, "
    "with the stack's rules exported first (export REDACT_RULES=\"$(pulumi config get "
    'redactRules)", and EVENT_RULES, LABEL_KEYS, ... as the stack sets them): without them, '
    "what the stack redacts would be indexed"
)
"""The other way out of every refusal: this environment's settings, asked for."""
_NOT_A_NAME: Final = frozenset({"ValidationException", "InvalidParameterValueException"})
"""Lambda refusing the function name itself (GetFunctionConfiguration: "FunctionName ... Length
Constraints: Minimum length of 1. Maximum length of 170", and its pattern)."""


class TransformerSettings:
    """The settings of a deployed transformer (see the module docstring)."""

    def __init__(
        self,
        client_for: Callable[[str], Any] = _lambda_client,
        messages: TextIO | None = None,
        command: str = "replay",
    ) -> None:
        self._command = command
        self._client_for = client_for
        self._messages = messages
        self._known: dict[str, Settings] = {}

    def for_arn(self, arn: str | None, where: str = "") -> Settings:
        """The settings of the function at `arn` (its region is the ARN's); the raw records of
        the object `where` without one (they name none, or several) stop the run."""
        if not arn:
            raise SettingsUnreadable(
                f"the raw records of {where or 'an object'} name no single transformer "
                f"(lambdaArn), so the settings they were to be transformed with are unknown: {_FIX}"
            )
        found = FUNCTION_ARN.match(arn)
        if found is None:
            raise self._unreadable(arn, "it is not a Lambda function ARN", "check the records")
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
        except ClientError as error:
            raise self._refused(function, error) from error
        except ParamValidationError as error:  # refused before any request: an empty name
            why = f"{type(error).__name__}: {error}"
            raise self._unreadable(
                function, why, "it is not a function name" + self._named()
            ) from error
        except BotoCoreError as error:  # no credentials, no endpoint, no connection
            why = f"{type(error).__name__}: {error}"
            fix = "check the credentials and the network, and repeat the command"
            raise self._unreadable(function, why, fix, remote=True) from error
        environment = answer.get("Environment") or {}
        if environment.get("Error"):  # e.g. its variables' KMS key cannot decrypt them
            refusal = environment["Error"]
            said = refusal.get("Message") or refusal
            fix = "grant kms:Decrypt on the key that encrypts its environment"
            raise self._unreadable(function, f"its environment: {said}", fix, remote=True)
        variables = environment.get("Variables") or {}
        try:
            settings = settings_from_env({str(k): str(v) for k, v in variables.items()})
        except InputError as error:
            why = f"its environment is not valid settings here: {error}"
            fix = "use the lambdalogs version the stack was deployed with"
            raise self._unreadable(function, why, fix) from error
        self._say(f"transforming with the settings of {answer.get('FunctionArn') or function}")
        return settings

    def _refused(self, function: str, error: ClientError) -> SettingsUnreadable:
        """What AWS's refusal means here, and its own fix (lambdalogs/cloudwatch/reader.py's
        convention: credentials, a function that is not there, a permission, anything else)."""
        code = str(error.response.get("Error", {}).get("Code", "")) or type(error).__name__
        why = f"{code}: {error}"
        if code in BAD_CREDENTIALS:
            fix = "refresh your credentials (`aws sso login`) or set AWS_PROFILE, and repeat"
            return self._unreadable(function, why, fix, remote=True)
        if code == "ResourceNotFoundException":
            where = ", or is in another region" if self._command == "backfill" else ""
            fix = f"it was deleted or renamed{where}" + self._named()
            return self._unreadable(function, why, fix)
        if code in _NOT_A_NAME:
            return self._unreadable(function, why, "it is not a function name" + self._named())
        if code in ("AccessDeniedException", "AccessDenied"):
            fix = "grant lambda:GetFunctionConfiguration on it" + self._named()
            return self._unreadable(function, why, fix, remote=True)
        return self._unreadable(function, why, "repeat the command", remote=True)

    def _unreadable(
        self, function: str, why: str, fix: str, *, remote: bool = False
    ) -> SettingsUnreadable:
        return SettingsUnreadable(
            f"cannot read the settings of the transformer {function} ({why}): {fix}; or {_FIX}",
            remote=remote,
        )

    def _named(self) -> str:
        if self._command != "backfill":
            return ""
        return " (name the stack's with --transformer: stack output transformerFunctionName)"

    def _say(self, line: str) -> None:
        print(f"lambdalogs {self._command}: {line}", file=self._messages or sys.stderr)

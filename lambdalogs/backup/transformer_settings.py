"""The settings `replay` runs raw records through the transformer with: those of the deployed
transformer that failed them, so a replayed record becomes the documents that transformer would
have made (its `redactRules` above all: replaying with the operator's environment instead
would index the secrets the stack is configured to redact, and its event rules, labels,
folding and message cap would differ too).

Each `processing-failed/` entry names the transformer in its `lambdaArn`; its environment is read
once per ARN with `lambda:GetFunctionConfiguration` ("Environment": {"Variables": {...}}), in the
ARN's region. When it cannot be (the function is gone, the permission is missing, the variables
are not valid settings), the environment's settings are used and one warning per ARN says so
and what to do. `--settings-from environment` uses the environment's settings throughout."""

from __future__ import annotations

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


def _lambda_client(region: str) -> Any:
    import boto3

    return boto3.client("lambda", region_name=region)


class TransformerSettings:
    """`for_arn(arn)`: the settings of the transformer at `arn`, else `fallback`'s."""

    def __init__(
        self,
        fallback: Settings,
        client_for: Callable[[str], Any] = _lambda_client,
        warnings: TextIO | None = None,
    ) -> None:
        self._fallback = fallback
        self._client_for = client_for
        self._warnings = warnings
        self._known: dict[str, Settings] = {}

    def for_arn(self, arn: str | None) -> Settings:
        if not arn:
            return self._fallback
        if arn not in self._known:
            self._known[arn] = self._read(arn)
        return self._known[arn]

    def _read(self, arn: str) -> Settings:
        found = _ARN_REGION.match(arn)
        if found is None:
            return self._warned(arn, "it is not a Lambda function ARN")
        try:
            answer = self._client_for(found.group(1)).get_function_configuration(FunctionName=arn)
        except (ClientError, BotoCoreError) as error:
            return self._warned(arn, f"{type(error).__name__}: {error}")
        variables = (answer.get("Environment") or {}).get("Variables") or {}
        try:
            return settings_from_env({str(k): str(v) for k, v in variables.items()})
        except InputError as error:
            return self._warned(arn, f"its environment is not valid settings: {error}")

    def _warned(self, arn: str, why: str) -> Settings:
        print(
            f"lambdalogs replay: warning: cannot read the settings of {arn} ({why}); its raw "
            "records are transformed with this environment's settings (REDACT_RULES, "
            "EVENT_RULES, LABEL_KEYS, ... as set here). Grant lambda:GetFunctionConfiguration "
            "on it, or pass --settings-from environment to say that is intended",
            file=self._warnings or sys.stderr,
        )
        return self._fallback

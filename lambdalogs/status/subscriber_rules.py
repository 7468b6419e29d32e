"""The subscriber's eligibility rules, read from its deployed environment: the same
`subscriptions.settings` parser and `subscriptions.selection` rules the function runs, so
`status` counts as eligible exactly the groups the subscriber would subscribe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambdalogs.errors import RemoteError
from subscriptions.errors import SettingsError
from subscriptions.logs_api import SubscriptionFilter
from subscriptions.selection import Selection
from subscriptions.settings import Settings


@dataclass(frozen=True)
class Rules:
    selection: Selection
    filter_name: str
    destinations: frozenset[str]

    def owns(self, existing: SubscriptionFilter) -> bool:
        """The pipeline's filter: its name and one of its streams (another stack may reuse the
        name with another destination)."""
        return existing.name == self.filter_name and existing.destination_arn in self.destinations


def rules_of(lambda_client: Any, function_name: str) -> Rules:
    """GetFunctionConfiguration of the subscriber → its rules (lambda:GetFunctionConfiguration)."""
    config = lambda_client.get_function_configuration(FunctionName=function_name)
    env = dict(config.get("Environment", {}).get("Variables", {}))
    # Lambda sets AWS_LAMBDA_LOG_GROUP_NAME at run time: the function's own group, always excluded
    own_group = config.get("LoggingConfig", {}).get("LogGroup") or f"/aws/lambda/{function_name}"
    env.setdefault("AWS_LAMBDA_LOG_GROUP_NAME", own_group)
    destinations = frozenset(a.strip() for a in env.get("DESTINATION_ARN", "").split(",") if a)
    try:
        settings = Settings.from_env(env)
    except SettingsError as error:
        raise RemoteError(
            f"the subscriber {function_name}'s environment is unusable: {error}"
        ) from None
    return Rules(
        Selection.from_settings(settings),
        settings.filter_name,
        destinations | {settings.destination.arn},
    )

"""The destroy step's first move: stop the subscriber before its `remove` loop.

A reconcile longer than one invocation continues by invoking itself asynchronously; at reserved
concurrency 1 that continuation waits in Lambda's queue (up to 6 h) while the destroy's
synchronous `remove` calls hold the slot, then runs between two of them or after the last,
and puts filters back on groups the remove has passed: after the destroy they would point at
the deleted stream. Lambda has no call that empties a function's asynchronous queue, so the
destroy step writes SUBSCRIBER_STOPPED_UNTIL into the function's environment first: "Lambda
uses the updated configuration for subsequent invocations" once `LastUpdateStatus` is
`Successful` (Lambda developer guide, function states), and every run but `remove` then does
nothing (subscriptions/handler.py). A run already in flight keeps the old configuration, but it
holds the one slot, so the loop's first `remove` waits for it, and the continuation it queues
runs with the stop.

The stop lasts the delete step's time limit and STOP_MARGIN_SECONDS: a destroy that fails and
is left leaves a subscriber that starts again by itself after that, or at once with `pulumi up
--refresh` (the refreshed environment differs from the program's, so it is written again).
The environment is read, changed and written back with its `RevisionId` (a concurrent change
makes the write fail, and it is retried on the new revision)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from lambda_shared.environment import SUBSCRIBER_STOPPED_UNTIL

STOP_MARGIN_SECONDS: Final = 15 * 60
"""How much longer than the delete step's own time limit the stop lasts."""
STOP_VALUE_RESERVE: Final = {SUBSCRIBER_STOPPED_UNTIL.name: "9" * 12}
"""The variable at its longest, counted in the subscriber's 4 KB of environment at `pulumi up`
(infra/function_environments.py) so that the destroy can always add it."""
RETRIED_CODES: Final = frozenset(
    {"PreconditionFailedException", "ResourceConflictException", "TooManyRequestsException"}
)
"""Another change won the revision, an update is in progress, or the control plane throttled."""
ATTEMPTS: Final = 10
POLL_SECONDS: Final = 3.0
UPDATE_WAIT_SECONDS: Final = 5 * 60
"""How long the new configuration may take to become the one invocations get."""


def stop_subscriber(
    client: Any,
    function_name: str,
    limit_seconds: float,
    *,
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """Stop `function_name` (see the module docstring); None once every later invocation gets
    the stop, else why it could not be (a warning: the remove loop runs all the same)."""
    until = int(now() + limit_seconds + STOP_MARGIN_SECONDS)
    for _ in range(ATTEMPTS):
        try:
            config = client.get_function_configuration(FunctionName=function_name)
            environment = config.get("Environment") or {}
            if environment.get("Error"):  # its variables cannot be decrypted: nothing runs
                return f"its environment cannot be read ({environment['Error']})"
            variables = {
                **(environment.get("Variables") or {}),
                SUBSCRIBER_STOPPED_UNTIL.name: str(until),
            }
            client.update_function_configuration(
                FunctionName=function_name,
                Environment={"Variables": variables},
                RevisionId=config["RevisionId"],
            )
        except BotoCoreError as error:  # no credentials, no endpoint: the remove says more
            return f"{type(error).__name__}: {error}"
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException":
                return None  # gone: nothing can run (the remove loop says so too)
            if code not in RETRIED_CODES:
                return f"{code}: {error}"
            sleep(POLL_SECONDS)
            continue
        return _updated(client, function_name, sleep)
    return f"its configuration kept changing ({ATTEMPTS} attempts)"


def _updated(client: Any, function_name: str, sleep: Callable[[float], None]) -> str | None:
    """None once the update is `Successful`, else why not."""
    waited = 0.0
    while waited <= UPDATE_WAIT_SECONDS:
        try:
            config = client.get_function_configuration(FunctionName=function_name)
        except BotoCoreError as error:  # a connection lost while waiting: said, not raised
            return f"{type(error).__name__}: {error}"
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in RETRIED_CODES:
                return str(error)
        else:
            status = config.get("LastUpdateStatus", "Successful")
            if status == "Successful":
                return None
            if status == "Failed":
                return f"the update failed: {config.get('LastUpdateStatusReason', '')}"
        sleep(POLL_SECONDS)
        waited += POLL_SECONDS
    return f"the update was not done after {UPDATE_WAIT_SECONDS} s"


def stop_warning(function_name: str, why: str) -> str:
    """What the destroy says when the stop could not be written."""
    return (
        f"could not stop {function_name} before removing its filters ({why}): a reconcile "
        "continuation still queued may put filters back after the remove; if `aws logs "
        "describe-subscription-filters` shows one of the stack's after the destroy, delete it"
    )

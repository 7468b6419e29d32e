"""The relay's entry point: SNS event → alarms → one request per channel → post to every channel,
then raise if any refused, so that Lambda's asynchronous retries (SNS invokes a subscribed
function asynchronously) send it again. A channel's failure never stops the others.

The channels (webhook URLs and keys) are read from the Secrets Manager secret named by
`ALARM_RELAY_SECRET_ARN`, once per cold start: they are never environment variables, which
whoever may call lambda:GetFunctionConfiguration could read."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, Final

from alarm_relay.alarm import Alarm, alarms_in
from alarm_relay.bodies import request_for
from alarm_relay.channels import Channel, read_channels
from alarm_relay.post import Outcome, Sender, send
from lambda_shared.aws_clients import LOOKUP_TIMEOUTS, make_client

SECRET_ARN_VARIABLE: Final = "ALARM_RELAY_SECRET_ARN"

_channels: dict[str, tuple[Channel, ...]] = {}
"""Secret ARN → its channels, for the life of the execution environment (one read per cold
start)."""

SecretReader = Callable[[str], str]


def log(level: str, message: str, **fields: Any) -> None:
    """One structured (JSON) line on stdout, which Lambda writes to the function's log group."""
    print(json.dumps({"level": level, "message": message, **fields}, default=str))


class RelayError(RuntimeError):
    """At least one channel did not take the alarm; raised so that Lambda retries the event."""


def read_secret(arn: str) -> str:
    client = make_client("secretsmanager", os.environ.get("AWS_REGION"), LOOKUP_TIMEOUTS)
    return str(client.get_secret_value(SecretId=arn)["SecretString"])


def channels(arn: str, reader: SecretReader = read_secret) -> tuple[Channel, ...]:
    """The channels of the secret, read once per cold start."""
    if arn not in _channels:
        _channels[arn] = read_channels(reader(arn))
    return _channels[arn]


def relay(
    alarms: list[Alarm], targets: tuple[Channel, ...], sender: Sender = send
) -> list[Outcome]:
    """Every alarm to every channel (that has something to say about it), each tried once."""
    outcomes = []
    for alarm in alarms:
        for channel in targets:
            request = request_for(alarm, channel)
            if request is not None:
                outcomes.append(sender(request))
    return outcomes


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    alarms, skipped = alarms_in(event)
    if skipped:  # the OpenSearch monitors' own messages on the topic: they reach the channels
        log("INFO", "skipped messages that are not CloudWatch alarms", skipped=skipped)
    if not alarms:
        return {"delivered": 0, "failed": 0}
    outcomes = relay(alarms, channels(os.environ[SECRET_ARN_VARIABLE]))
    failed = [o for o in outcomes if not o.delivered]
    for o in outcomes:  # the channel's name and status only: never its URL or key
        log("INFO" if o.delivered else "ERROR", "delivery", channel=o.channel, status=o.status,
            error=o.error or None)  # fmt: skip
    summary = {"delivered": len(outcomes) - len(failed), "failed": len(failed)}
    log("INFO" if not failed else "ERROR", "relayed", alarms=len(alarms), **summary)
    if failed:
        raise RelayError(
            f"{len(failed)} of {len(outcomes)} deliveries failed "
            f"({'; '.join(o.describe() for o in failed)}): Lambda retries the event"
        )
    return summary

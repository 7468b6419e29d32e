"""The in-VPC content applier: a Lambda function that runs `opensearch.apply.apply_content`
inside the domain's VPC, where `pulumi up` on the deployer's machine cannot reach (issue 14).

`handler(event, context)`: `event` is the content's property bag (`opensearch.content_props`:
the endpoint, region, settings and master user name, plus the secrets `master_user_password`
and `notification_secrets`), `content_hash` (what the deployer rendered: the function refuses
to apply when its own artifacts hash differently), and on a re-apply `previous_result` (the
last answer, whose `channel_ids` say which notification channels an earlier apply created).
It answers the `ApplyResult` as JSON. A failure raises: Lambda answers the invocation with
`FunctionError`, the error's class as `errorType` and its message, which names the cause and the
fix, as `errorMessage`.

Never logged: the event (it carries the master password and the webhook URLs); the function
prints only the steps it applied. Requests go through `opensearch.lean_transport` (urllib and
botocore's SigV4 signer): the package has no opensearch-py.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Final

from opensearch.apply import apply_content
from opensearch.artifacts import load_artifacts
from opensearch.content_props import channel_secrets_from, connection_from, settings_from
from opensearch.lean_transport import LeanBackend

REQUIRED_KEYS: Final = (
    "endpoint",
    "region",
    "index_prefix",
    "shards",
    "replicas",
    "retention_days",
)
APPLIER_FIX: Final = (
    "the content applier function runs in the VPC subnets and security groups of the stack's "
    "VPC configuration: the domain's security group must admit HTTPS (TCP 443) from the "
    "applier's security group, the applier's security group must allow that egress, and the "
    "subnets must route to the domain's subnets (docs/security.md, In-VPC content applier)"
)


class ApplierPayloadError(ValueError):
    """The invocation payload is not what the deployer sends; the message says what is wrong."""


def _previous_channel_ids(event: dict[str, Any]) -> list[str]:
    previous = event.get("previous_result")
    if isinstance(previous, str):
        try:
            previous = json.loads(previous)
        except ValueError:  # a result cut at the invocation's 4,000 characters
            previous = None
    ids = previous.get("channel_ids") if isinstance(previous, dict) else None
    return [str(i) for i in ids] if isinstance(ids, list) else []


def apply_event(event: Any) -> dict[str, Any]:
    """Apply the content an invocation payload describes; the ApplyResult as a dict."""
    if not isinstance(event, dict):
        raise ApplierPayloadError(
            "the payload must be a JSON object (the content properties): invoke the applier "
            "through `pulumi up` (infra/content_applier.py)"
        )
    missing = [key for key in REQUIRED_KEYS if key not in event]
    if missing:
        raise ApplierPayloadError(
            f"the payload lacks {', '.join(missing)}: invoke the applier through `pulumi up` "
            "(infra/content_applier.py), which sends the whole content property bag"
        )
    settings = settings_from(event)
    expected = str(event.get("content_hash") or "")
    actual = load_artifacts(settings).content_hash()
    if expected and expected != actual:
        raise ApplierPayloadError(
            f"the function's OpenSearch artifacts hash to {actual}, the deployer's to "
            f"{expected}: the function runs an older package. Run `pulumi up` again (it updates "
            "the function's code before invoking it)"
        )
    result = apply_content(
        connection_from(event, unreachable_fix=APPLIER_FIX),
        settings,
        channel_secrets=channel_secrets_from(event),
        previous_channel_ids=_previous_channel_ids(event),
        backend=LeanBackend(),
    )
    return asdict(result)


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point: apply, print the steps (never the event), answer the result."""
    result = apply_event(event)
    print(json.dumps({"applied": result["steps"], "content_hash": result["content_hash"]}))
    return result

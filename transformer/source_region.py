"""The region a CloudWatch record's log group is in, which a hub must not take for its own
(docs/organisation.md): every document's `cloud.region` is the log group's.

In order:
1. `extractedFields["@aws.region"]` of the record's first event. The subscriber creates every
   filter with `emitSystemFields=["@aws.account", "@aws.region"]`, and CloudWatch Logs then adds
   them to each forwarded event: `{"id": …, "timestamp": …, "message": …, "extractedFields":
   {"@aws.account": "111122223333", "@aws.region": "us-east-1"}}` (PutSubscriptionFilter's
   `emitSystemFields`; the shape as the Terraform AWS provider's acceptance test shows it, PR
   #48956). A record holds one log stream's events, so the first event speaks for all of them.
2. A region at the end of the record's filter name after `-subscription-`: account-level
   policies take no `emitSystemFields`, so a spoke names its policy
   `<prefix>-subscription-<region>` (infra/spoke.py).
3. The region the transformer runs in (a standalone stack's own groups).

A value that is not a region name is ignored: a sender controls its own log lines, never these
fields, but nothing read from a record is trusted to be well formed. `cloud.account.id` stays the
record's `owner`, which CloudWatch Logs sets."""

from __future__ import annotations

import re
from typing import Any, Final

REGION: Final = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
_POLICY_SUFFIX: Final = re.compile(r"-subscription-([a-z]{2}(?:-[a-z]+)+-\d{1,2})")


def source_region(message: dict[str, Any], default: str) -> str:
    events = message.get("logEvents")
    if type(events) is list and events and type(events[0]) is dict:
        extracted = events[0].get("extractedFields")
        if type(extracted) is dict:
            region = extracted.get("@aws.region")
            if type(region) is str and REGION.fullmatch(region):
                return region
    filters = message.get("subscriptionFilters")
    if type(filters) is list and filters and type(filters[0]) is str:
        found = _POLICY_SUFFIX.search(filters[0])
        if found is not None and found.end() == len(filters[0]):
            return found.group(1)
    return default

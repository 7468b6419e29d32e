"""EventBridge patterns that wake the subscriber for a new log group or function."""

from __future__ import annotations

from typing import Any, Final

CREATE_LOG_GROUP: Final[dict[str, Any]] = {
    "source": ["aws.logs"],
    "detail-type": ["AWS API Call via CloudTrail"],
    "detail": {"eventSource": ["logs.amazonaws.com"], "eventName": ["CreateLogGroup"]},
}

FUNCTION_CHANGES: Final[dict[str, Any]] = {
    "source": ["aws.lambda"],
    "detail-type": ["AWS API Call via CloudTrail"],
    "detail": {
        "eventSource": ["lambda.amazonaws.com"],
        # CloudTrail names carry the API version: CreateFunction20150331,
        # UpdateFunctionConfiguration20150331v2.
        "eventName": [{"prefix": "CreateFunction"}, {"prefix": "UpdateFunctionConfiguration"}],
    },
}

RECONCILE: Final[dict[str, str]] = {"action": "reconcile"}
REMOVE: Final[dict[str, str]] = {"action": "remove"}

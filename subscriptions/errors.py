"""The subscriber's exceptions. Each message says what to do about it."""

from __future__ import annotations


class SubscriberError(Exception):
    """Base class of every error the subscriber raises on purpose."""


class SettingsError(SubscriberError, ValueError):
    """An environment variable is missing or holds a value the subscriber cannot use."""


class UnsupportedEventError(SubscriberError, ValueError):
    """The invocation event is not one the subscriber understands; nothing was changed."""


class ContinuationError(SubscriberError, ValueError):
    """A continuation token is malformed or from an incompatible version."""


class RoleNotAssumableError(SubscriberError):
    """CloudWatch Logs could not assume ROLE_ARN even after waiting for IAM to propagate."""


class DestinationNotReadyError(SubscriberError):
    """CloudWatch Logs could not deliver its test message to the Firehose stream."""


class DestinationAccessDeniedError(SubscriberError):
    """The hub's destination policy refused this account's PutSubscriptionFilter (a spoke)."""


class ThrottledError(SubscriberError):
    """An AWS API kept throttling (or failing transiently) after every retry."""


class BackfillDeliveryError(SubscriberError):
    """Firehose kept rejecting some backfill records after every retry."""


class BackfillReadError(SubscriberError):
    """CloudWatch Logs refused to read a group's events for its backfill, for good."""


class PendingStateError(SubscriberError, ValueError):
    """The stored pending-backfill state cannot be read back."""

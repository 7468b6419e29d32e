"""The applier's notification-channel step: put every channel, delete the ones an earlier apply
created that are no longer configured, and send each a test message when asked.

Send test message: `POST _plugins/_notifications/feature/test/<config_id>` (Notifications 2.2+,
opensearch-api-specification `notifications/test_feature`); its answer lists each delivery's
`status_code`. Error messages never show a webhook's URL or headers (they carry its secret).

PagerDuty and Opsgenie channels get no test message: Notifications 2.19 sends a webhook's test as
the plain text "Test message content body for config id <id>"
(`SendTestNotificationActionHelper.kt`, opensearch-project/notifications 2.19.0.0), which both APIs
refuse as not their JSON. A PagerDuty routing key stands in the content as a marker
(`incident_bodies.routing_key_marker`); `with_keys` puts the secret in its place just before a
monitor is sent, so it is never part of the hashed content or the plain state.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opensearch.channels import (
    INCIDENT_TYPES,
    ChannelSecret,
    channel_id,
    label,
    redacted,
    sns_config,
    webhook_config,
)
from opensearch.connection import OpenSearchContentError, OpenSearchRequestError
from opensearch.incident_bodies import routing_key_marker

if TYPE_CHECKING:
    from opensearch.apply import ContentApplier

CONFIGS = "/_plugins/_notifications/configs"
TEST = "/_plugins/_notifications/feature/test"


class ChannelSecretMissingError(OpenSearchRequestError):
    """A configured webhook channel has no URL."""


@dataclass
class ChannelSteps:
    secrets: dict[str, ChannelSecret] = field(default_factory=dict)
    previous_ids: tuple[str, ...] = ()

    def configs(self, applier: ContentApplier) -> list[tuple[str, dict[str, Any]]]:
        """(id, config) of every channel the settings ask for."""
        settings = applier.settings
        found = []
        if settings.alarm_topic_arn:
            config = sns_config(
                settings.index_prefix, settings.alarm_topic_arn, settings.alerting_role_arn
            )
            found.append((settings.channel_id, config))
        for spec in settings.channels:
            secret = self.secrets.get(spec.name)
            if secret is None or not secret.url:
                raise ChannelSecretMissingError(
                    f"the {label(spec)} has no URL: set it in the notificationChannels "
                    "configuration (pulumi config set --secret notificationChannels ...)"
                )
            config = webhook_config(settings.index_prefix, spec, secret)
            found.append((channel_id(settings.channel_id, spec), config))
        return found

    def run(self, applier: ContentApplier) -> None:
        wanted = self.configs(applier)
        untested = {
            channel_id(applier.settings.channel_id, spec)
            for spec in applier.settings.channels
            if spec.type in INCIDENT_TYPES
        }
        with self.redacting():
            for config_id, config in wanted:
                self.put(applier, config_id, config)
            current = {config_id for config_id, _ in wanted}
            for stale in sorted(set(self.previous_ids) - current):
                self.delete(applier, stale)
            if applier.settings.test_notification:
                for config_id, _ in wanted:
                    if config_id not in untested:
                        self.test(applier, config_id)
        applier.result.channel_ids = [config_id for config_id, _ in wanted]
        applier.result.channel_id = applier.settings.channel_id if wanted else ""
        applier.result.steps.append("channels" if wanted else "channels: none configured")
        if applier.settings.test_notification and untested:
            skipped = ", ".join(sorted(untested))
            applier.result.steps.append(f"channels: no test message to {skipped} (plain text)")

    @contextmanager
    def redacting(self) -> Iterator[None]:
        """Errors raised inside without any secret URL, header or key in their message."""
        try:
            yield
        except OpenSearchContentError as exc:
            raise type(exc)(redacted(str(exc), self.secrets), status=exc.status) from None

    def with_keys(self, applier: ContentApplier, monitor: dict[str, Any]) -> dict[str, Any]:
        """`monitor` with each PagerDuty channel's routing key in place of its marker."""
        text = json.dumps(monitor)
        for spec in applier.settings.channels:
            marker = routing_key_marker(spec.name)
            if spec.type != "pagerduty" or marker not in text:
                continue
            key = self.secrets.get(spec.name, ChannelSecret("")).headers.get("X-Routing-Key")
            if not key:
                raise ChannelSecretMissingError(
                    f"the {label(spec)} has no routing key: set routingKey in the "
                    "notificationChannels configuration"
                )
            text = text.replace(marker, key)  # letters, digits and '-' only: JSON-safe as is
        loaded: dict[str, Any] = json.loads(text)
        return loaded

    def put(self, applier: ContentApplier, config_id: str, config: dict[str, Any]) -> None:
        path = f"{CONFIGS}/{config_id}"
        existing = applier.get_or_none(f"reading the notification channel {config_id}", path)
        step = f"putting the notification channel {config_id}"
        if existing is None:
            body = {"config_id": config_id, "config": config}
            applier.request(step, "POST", CONFIGS, body)
        else:
            applier.request(step, "PUT", path, {"config": config})

    def delete(self, applier: ContentApplier, config_id: str) -> None:
        step = f"deleting the notification channel {config_id}, no longer configured"
        try:
            applier.request(step, "DELETE", f"{CONFIGS}/{config_id}")
        except OpenSearchRequestError as exc:
            if exc.status != 404:
                raise

    def test(self, applier: ContentApplier, config_id: str) -> None:
        step = f"sending a test message to the notification channel {config_id}"
        answer = applier.request(step, "POST", f"{TEST}/{config_id}")
        statuses = answer.get("status_list", []) if isinstance(answer, dict) else []
        failed = [
            s.get("delivery_status", {})
            for s in statuses
            if str(s.get("delivery_status", {}).get("status_code")) != "200"
        ]
        if not statuses or failed:
            detail = failed[0].get("status_text", "no delivery status") if failed else "no status"
            raise OpenSearchRequestError(
                f"the test message to the notification channel {config_id} was not delivered "
                f"({detail}). Check the channel's URL in notificationChannels, or set "
                "testNotification to false to deploy without the test"
            )

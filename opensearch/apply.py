"""Apply the rendered artifacts to a domain, idempotently, in dependency order.

1. `GET /` (fails early and clearly on 401/403/unreachable)
2. `PUT _index_template/<prefix>`
3. ISM policy `<prefix>-retention` (create, or update with `if_seq_no`), then attach it to the
   existing `<prefix>-*` indices (`_plugins/_ism/add`; `change_policy` after an update)
4. security role `<prefix>-firehose`, and its role mapping merged with what is there
   (skipped when fine-grained access control is off or no Firehose role is given)
5. the notification channels: SNS `<prefix>-alarms` (when an alarm topic is configured) and
   `<prefix>-alarms-<name>` per webhook channel (Slack, Teams, Chime, generic); channels of an
   earlier apply that are no longer configured are deleted; a test message to each, if asked
6. saved objects: one `_dashboards/api/saved_objects/_import?overwrite=true`
7. monitors, upserted by name

The functions `apply_index_template`, `import_saved_objects` and `apply_content` are the API for
the Pulumi provider, the operator CLI and the in-VPC content applier function. Requests go through
a `opensearch.transport.Backend`: opensearch-py by default (imported only then), or the lean
urllib transport inside the applier function, whose package has no opensearch-py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opensearch.artifacts import Artifacts, ContentSettings, JsonObject, load_artifacts
from opensearch.channel_steps import ChannelSteps
from opensearch.channels import ChannelSecret
from opensearch.connection import Connection, OpenSearchRequestError
from opensearch.transport import Backend, Transport

MAPPING_KEYS = ("backend_roles", "hosts", "users", "description")


@dataclass
class ApplyResult:
    content_hash: str
    steps: list[str] = field(default_factory=list)
    monitor_ids: dict[str, str] = field(default_factory=dict)
    saved_objects: int = 0
    channel_id: str = ""
    channel_ids: list[str] = field(default_factory=list)
    security: str = "applied"


def default_backend() -> Backend:
    """opensearch-py (imported here, so this module imports without it)."""
    from opensearch.client import OpenSearchPyBackend

    return OpenSearchPyBackend()


def _json(raw: Any) -> Any:
    if isinstance(raw, (bytes, str)):
        return json.loads(raw) if raw else {}
    return raw


class ContentApplier:
    """Sends one `Artifacts` to one domain; every request goes through `backend.call`."""

    def __init__(
        self,
        connection: Connection,
        artifacts: Artifacts,
        channels: ChannelSteps | None = None,
        backend: Backend | None = None,
    ) -> None:
        self.connection = connection
        self.artifacts = artifacts
        self.settings: ContentSettings = artifacts.settings
        self.backend = backend or default_backend()
        self.transport: Transport = self.backend.transport(connection, connection.url)
        self.result = ApplyResult(content_hash=artifacts.content_hash())
        self.channels = channels or ChannelSteps()

    def request(
        self,
        step: str,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, str] | None = None,
        transport: Transport | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sender = transport or self.transport
        answer = self.backend.call(
            self.connection,
            step,
            lambda: sender.perform_request(method, path, params=params, body=body, headers=headers),
        )
        return _json(answer)

    def get_or_none(self, step: str, path: str) -> Any:
        """GET `path`; None on 404 (other errors raise)."""
        try:
            return self.request(step, "GET", path)
        except OpenSearchRequestError as exc:
            if exc.status == 404:
                return None
            raise

    # -- the steps ---------------------------------------------------------------------------

    def check_reachable(self) -> None:
        self.request("checking the connection (GET /)", "GET", "/")
        self.result.steps.append("connection")

    def put_index_template(self) -> None:
        name = self.settings.template_name
        self.request(
            f"putting the index template {name}",
            "PUT",
            f"/_index_template/{name}",
            self.artifacts.index_template,
        )
        self.result.steps.append("index_template")

    def put_ism_policy(self) -> None:
        policy_id = self.settings.ism_policy_id
        path = f"/_plugins/_ism/policies/{policy_id}"
        step = f"putting the ISM policy {policy_id}"
        existing = self.get_or_none(f"reading the ISM policy {policy_id}", path)
        params = None
        if existing is not None:
            params = {
                "if_seq_no": str(existing["_seq_no"]),
                "if_primary_term": str(existing["_primary_term"]),
            }
        self.request(step, "PUT", path, self.artifacts.ism_policy, params=params)
        pattern = f"{self.settings.index_prefix}-*"
        body = {"policy_id": policy_id}
        self.request(
            f"attaching the ISM policy to existing {pattern} indices",
            "POST",
            f"/_plugins/_ism/add/{pattern}",
            body,
        )
        if existing is not None:
            self.request(
                f"moving managed {pattern} indices to the new ISM policy version",
                "POST",
                f"/_plugins/_ism/change_policy/{pattern}",
                body,
            )
        self.result.steps.append("ism_policy")

    def put_security(self) -> None:
        role = self.settings.role_name
        path = f"/_plugins/_security/api/roles/{role}"
        step = f"putting the security role {role}"
        try:
            self.request(step, "PUT", path, self.artifacts.security_role)
        except OpenSearchRequestError as exc:
            if exc.status not in (400, 404) or "no handler found" not in str(exc):
                raise
            self.result.security = "skipped: fine-grained access control is not enabled"
            self.result.steps.append("security: skipped")
            return
        if self.settings.firehose_role_arn:
            self.merge_role_mapping(role, self.settings.firehose_role_arn)
        else:
            self.result.security = "role only: no Firehose role ARN given"
        self.result.steps.append("security")

    def merge_role_mapping(self, role: str, backend_role: str) -> None:
        path = f"/_plugins/_security/api/rolesmapping/{role}"
        current = self.get_or_none(f"reading the role mapping of {role}", path) or {}
        mapping = merged_mapping(current.get(role, {}), backend_role)
        self.request(f"updating the role mapping of {role}", "PUT", path, mapping)

    def put_channels(self) -> None:
        """Every notification channel, the stale ones deleted, a test message if asked."""
        self.channels.run(self)

    def import_saved_objects(self) -> None:
        boundary = f"lambdalogs-{uuid.uuid4().hex}"
        body = multipart_body(boundary, "file", "lambda-logs.ndjson", self.artifacts)
        dashboards = self.backend.transport(self.connection, self.connection.dashboards)
        answer = self.request(
            "importing the Dashboards saved objects",
            "POST",
            "/api/saved_objects/_import",
            body,
            params={"overwrite": "true"},
            transport=dashboards,
            headers={
                "osd-xsrf": "true",
                "securitytenant": "global",  # shared by every user when multi-tenancy is on
                "content-type": f"multipart/form-data; boundary={boundary}",
            },
        )
        check_import(answer)
        self.result.saved_objects = int(answer.get("successCount", 0))
        self.result.steps.append("saved_objects")

    def put_monitors(self) -> None:
        for key, monitor in sorted(self.artifacts.monitors.items()):
            with self.channels.redacting():  # PagerDuty bodies carry the routing key
                sent = self.channels.with_keys(self, monitor)
                self.result.monitor_ids[key] = self.upsert_monitor(sent)
        self.result.steps.append("monitors")

    def search_monitors(self, name: str) -> Any:
        """Monitors matching `name`; none before the first monitor exists (the alerting config
        index is created with it, and searching it answers 404 until then)."""
        query = {"size": 20, "query": {"match_phrase": {"monitor.name": name}}}
        step = f"searching the monitor {name!r}"
        try:
            return self.request(step, "POST", "/_plugins/_alerting/monitors/_search", query)
        except OpenSearchRequestError as exc:
            if exc.status != 404:
                raise
            return {}

    def upsert_monitor(self, monitor: JsonObject) -> str:
        name = str(monitor["name"])
        found = self.search_monitors(name)
        ids = [
            hit["_id"]
            for hit in found.get("hits", {}).get("hits", [])
            if _monitor_name(hit.get("_source", {})) == name
        ]
        if ids:
            step = f"updating the monitor {name!r}"
            self.request(step, "PUT", f"/_plugins/_alerting/monitors/{ids[0]}", monitor)
            return str(ids[0])
        created = self.request(
            f"creating the monitor {name!r}", "POST", "/_plugins/_alerting/monitors", monitor
        )
        return str(created["_id"])

    def run(self) -> ApplyResult:
        self.check_reachable()
        self.put_index_template()
        self.put_ism_policy()
        self.put_security()
        self.put_channels()
        self.import_saved_objects()
        self.put_monitors()
        return self.result


def _monitor_name(source: JsonObject) -> Any:
    inner = source.get("monitor")
    return inner.get("name") if isinstance(inner, dict) else source.get("name")


def merged_mapping(current: JsonObject, backend_role: str) -> JsonObject:
    """The role mapping with `backend_role` added; every other user/role/host kept."""
    mapping = {key: current[key] for key in MAPPING_KEYS if key in current}
    backend_roles = list(mapping.get("backend_roles", []))
    if backend_role not in backend_roles:
        backend_roles.append(backend_role)
    mapping["backend_roles"] = backend_roles
    mapping.setdefault("hosts", [])
    mapping.setdefault("users", [])
    return mapping


def multipart_body(boundary: str, field_name: str, filename: str, artifacts: Artifacts) -> str:
    content = artifacts.saved_objects_ndjson().decode("utf-8")
    return (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
        "Content-Type: application/ndjson\r\n\r\n"
        f"{content}\r\n"
        f"--{boundary}--\r\n"
    )


def check_import(answer: Any) -> None:
    if not isinstance(answer, dict) or answer.get("success") is not True:
        errors = answer.get("errors", answer) if isinstance(answer, dict) else answer
        raise OpenSearchRequestError(
            f"Dashboards rejected some saved objects: {json.dumps(errors)[:2000]}. Fix the "
            "objects in opensearch/saved-objects (regenerate with python -m opensearch.dashboards)"
        )


# -- the API -------------------------------------------------------------------------------


def apply_content(
    connection: Connection,
    settings: ContentSettings,
    *,
    channel_secrets: Mapping[str, ChannelSecret] | None = None,
    previous_channel_ids: Sequence[str] = (),
    backend: Backend | None = None,
) -> ApplyResult:
    """Apply everything (template, ISM, security, channels, saved objects, monitors).
    `channel_secrets`: each webhook channel's URL (and headers) by name;
    `previous_channel_ids`: the channels an earlier apply created (the unconfigured ones go);
    `backend`: how requests are sent (None: opensearch-py)."""
    steps = ChannelSteps(dict(channel_secrets or {}), tuple(previous_channel_ids))
    return ContentApplier(connection, load_artifacts(settings), steps, backend).run()


def apply_index_template(connection: Connection, settings: ContentSettings) -> ApplyResult:
    """Only the index template (e.g. before the CLI indexes demo documents)."""
    applier = ContentApplier(connection, load_artifacts(settings))
    applier.check_reachable()
    applier.put_index_template()
    return applier.result


def import_saved_objects(connection: Connection, settings: ContentSettings) -> ApplyResult:
    """Only the Dashboards saved objects (index pattern, searches, visualizations, dashboards)."""
    applier = ContentApplier(connection, load_artifacts(settings))
    applier.import_saved_objects()
    return applier.result

"""Load the artifacts of `opensearch/` and render their `${PLACEHOLDER}`s.

Placeholders such as `${INDEX_PREFIX}` take their values from `ContentSettings`; the table of
them is in opensearch/README.md.

A string that is exactly one placeholder takes the value's type (so `"${SHARDS}"` becomes the
number 1); elsewhere the value is substituted as text, also inside JSON-in-JSON strings of saved
objects. Rendering fails on an unknown placeholder.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from opensearch.channels import ChannelSpec, Destination, destination
from opensearch.incident_bodies import routed_action

JsonObject = dict[str, Any]

ARTIFACTS_DIR: Final = Path(__file__).parent
PLACEHOLDER: Final = re.compile(r"\$\{([A-Z_]+)\}")
INDEX_PREFIX_RULE: Final = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,200}$")
TIME_VALUE_RULE: Final = re.compile(r"^(-1|\d+(ms|s|m|h|d))$")
METRIC_NAME_RULE: Final = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
# Notifications config ids: "All Base64 chars + _-" and not blank (OpenSearch 2.19,
# opensearch-project/common-utils src/main/kotlin/org/opensearch/commons/utils/ValidationHelpers.kt,
# VALID_ID_CHARS / isValidId, used by CreateNotificationConfigRequest).
CHANNEL_ID_RULE: Final = re.compile(r"^[A-Za-z0-9+/_-]+$")


class ArtifactError(ValueError):
    """An artifact file or a setting is invalid; the message names the file or setting to fix."""


@dataclass(frozen=True)
class ContentSettings:
    """Everything that shapes the rendered content (hashed into the content hash)."""

    index_prefix: str = "lambda-logs"
    shards: int = 1
    replicas: int = 1
    retention_days: int = 30
    refresh_interval: str = "30s"
    emf_metric: str = "Latency"
    firehose_role_arn: str = ""
    alarm_topic_arn: str = ""
    alerting_role_arn: str = ""
    channels: tuple[ChannelSpec, ...] = ()
    """Webhook channels (Slack, Teams, Chime, generic) besides the SNS topic: every monitor
    action goes to each (their URLs are secrets, given to the applier, not here)."""
    test_notification: bool = False
    """Send a test message to every channel when the content is applied."""

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise ArtifactError("invalid OpenSearch content settings: " + "; ".join(problems))

    def _problems(self) -> list[str]:
        found: list[str] = []
        if not INDEX_PREFIX_RULE.match(self.index_prefix):
            found.append(
                f"index_prefix {self.index_prefix!r} must be lowercase letters, digits, '-', "
                "'_' or '.', not starting with '-', '_' or '.'"
            )
        for name in ("shards", "retention_days"):
            if int(getattr(self, name)) < 1:
                found.append(f"{name} must be at least 1")
        if self.replicas < 0:
            found.append("replicas must be 0 or more")
        if not TIME_VALUE_RULE.match(self.refresh_interval):
            found.append(f"refresh_interval {self.refresh_interval!r} must look like 30s or 1m")
        if not METRIC_NAME_RULE.match(self.emf_metric):
            found.append(f"emf_metric {self.emf_metric!r} must be a metric name without dots")
        if bool(self.alarm_topic_arn) != bool(self.alerting_role_arn):
            found.append("alarm_topic_arn and alerting_role_arn must be given together")
        names = [spec.name for spec in self.channels]
        found += [problem for spec in self.channels for problem in spec.problems()]
        found += [
            f"channel name {n!r} is used twice" for n in sorted(set(names)) if names.count(n) > 1
        ]
        return found

    @property
    def template_name(self) -> str:
        return self.index_prefix

    @property
    def ism_policy_id(self) -> str:
        return f"{self.index_prefix}-retention"

    @property
    def role_name(self) -> str:
        return f"{self.index_prefix}-firehose"

    @property
    def channel_id(self) -> str:
        return channel_id_for(self.index_prefix)

    @property
    def alerting_enabled(self) -> bool:
        return bool(self.alarm_topic_arn or self.channels)

    def destinations(self) -> list[Destination]:
        """Every channel the monitors notify: the SNS topic's first."""
        sns = Destination(self.channel_id, "the pipeline's SNS topic")
        found = [sns] if self.alarm_topic_arn else []
        return found + [destination(self.channel_id, c) for c in self.channels]

    def placeholders(self) -> dict[str, str | int]:
        return {
            "INDEX_PREFIX": self.index_prefix,
            "SHARDS": self.shards,
            "REPLICAS": self.replicas,
            "REFRESH_INTERVAL": self.refresh_interval,
            "RETENTION_DAYS": self.retention_days,
            "NOTIFICATION_CHANNEL_ID": self.channel_id,
            "EMF_METRIC": self.emf_metric,
        }


def channel_id_for(index_prefix: str) -> str:
    """The Notifications channel id of a prefix: `<prefix>-alarms` when the prefix is a valid id,
    else the prefix with every character outside the id alphabet (only `.` in a valid prefix) as
    `_`, plus 8 hex digits of the prefix's sha256, so that `a.b` and `a_b` never share a channel.
    """
    plain = f"{index_prefix}-alarms"
    if CHANNEL_ID_RULE.match(plain):
        return plain
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", index_prefix)
    digest = hashlib.sha256(index_prefix.encode("utf-8")).hexdigest()[:8]
    return f"{safe}-{digest}-alarms"


def render(value: Any, values: dict[str, str | int], origin: str = "artifact") -> Any:
    """A deep copy of `value` with every `${NAME}` replaced; ArtifactError on unknown names."""
    if isinstance(value, dict):
        return {render(k, values, origin): render(v, values, origin) for k, v in value.items()}
    if isinstance(value, list):
        return [render(item, values, origin) for item in value]
    if not isinstance(value, str):
        return value
    whole = PLACEHOLDER.fullmatch(value)
    if whole is not None:
        return _lookup(whole.group(1), values, origin)
    return PLACEHOLDER.sub(lambda m: str(_lookup(m.group(1), values, origin)), value)


def _lookup(name: str, values: dict[str, str | int], origin: str) -> str | int:
    if name not in values:
        known = ", ".join(sorted(values))
        raise ArtifactError(f"{origin}: unknown placeholder ${{{name}}} (known: {known})")
    return values[name]


def placeholders_in(value: Any) -> set[str]:
    """Every placeholder name used anywhere in `value`."""
    text = json.dumps(value)
    return set(PLACEHOLDER.findall(text))


def read_json(path: Path) -> JsonObject:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{path}: cannot read it as JSON ({exc}); fix the file") from exc
    if not isinstance(loaded, dict):
        raise ArtifactError(f"{path}: must hold one JSON object")
    return loaded


def read_ndjson(path: Path) -> list[JsonObject]:
    """The saved objects of an .ndjson file (an export summary line is skipped)."""
    objects: list[JsonObject] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            loaded = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ArtifactError(f"{path}:{number}: not JSON ({exc}); fix the line") from exc
        if not isinstance(loaded, dict):
            raise ArtifactError(f"{path}:{number}: must be one JSON object")
        if "exportedCount" in loaded:
            continue
        objects.append(loaded)
    return objects


def ndjson(objects: list[JsonObject]) -> str:
    """Saved objects as .ndjson text: one sorted-key JSON object a line (what read_ndjson reads)."""
    return "".join(json.dumps(obj, sort_keys=True) + "\n" for obj in objects)


@dataclass(frozen=True)
class Artifacts:
    """The rendered content, ready to send."""

    settings: ContentSettings
    index_template: JsonObject
    ism_policy: JsonObject
    security_role: JsonObject
    saved_objects: list[JsonObject]
    monitors: dict[str, JsonObject] = field(default_factory=dict)

    def saved_objects_ndjson(self) -> bytes:
        return ndjson(self.saved_objects).encode()

    def content_hash(self) -> str:
        """sha256 of the rendered content and the settings: changes exactly when they do."""
        canonical = json.dumps(
            {
                "settings": asdict(self.settings),
                "index_template": self.index_template,
                "ism_policy": self.ism_policy,
                "security_role": self.security_role,
                "saved_objects": self.saved_objects,
                "monitors": self.monitors,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_raw(directory: Path = ARTIFACTS_DIR) -> dict[str, Any]:
    """The unrendered artifacts, keyed like `Artifacts` fields (for tests and tooling)."""
    saved_dir = directory / "saved-objects"
    monitor_dir = directory / "monitors"
    return {
        "index_template": read_json(directory / "index-template.json"),
        "ism_policy": read_json(directory / "ism-policy.json"),
        "security_role": read_json(directory / "security-role.json"),
        "saved_objects": [o for p in sorted(saved_dir.glob("*.ndjson")) for o in read_ndjson(p)],
        "monitors": {p.stem: read_json(p) for p in sorted(monitor_dir.glob("*.json"))},
    }


def load_artifacts(
    settings: ContentSettings | None = None, directory: Path = ARTIFACTS_DIR
) -> Artifacts:
    """Read every artifact under `directory` and render it with `settings`."""
    settings = settings or ContentSettings()
    values = settings.placeholders()
    raw = load_raw(directory)
    monitors = {
        name: render(body, values, f"monitors/{name}.json")
        for name, body in raw["monitors"].items()
    }
    destinations = settings.destinations()
    monitors = {name: to_channels(body, destinations) for name, body in monitors.items()}
    return Artifacts(
        settings=settings,
        index_template=render(raw["index_template"], values, "index-template.json"),
        ism_policy=render(raw["ism_policy"], values, "ism-policy.json"),
        security_role=render(raw["security_role"], values, "security-role.json"),
        saved_objects=render(raw["saved_objects"], values, "saved-objects"),
        monitors=monitors,
    )


def to_channels(monitor: JsonObject, destinations: list[Destination]) -> JsonObject:
    """The monitor with each trigger action once per destination (its id, its name
    `notify <label>`, and for PagerDuty and Opsgenie their JSON body: `routed_action`); with
    none, no actions (alerts still show in Dashboards' Alerting page)."""
    triggers = []
    for trigger in monitor.get("triggers", []):
        triggers.append(
            {
                kind: {
                    **spec,
                    "actions": [
                        routed_action(monitor, spec, action, where)
                        for action in spec.get("actions", [])
                        for where in destinations
                    ],
                }
                for kind, spec in trigger.items()
            }
        )
    return {**monitor, "triggers": triggers}

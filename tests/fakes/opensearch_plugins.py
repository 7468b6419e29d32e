"""Built-in plugin APIs of the OpenSearch HTTP fake, with their state in `fake.objects`.

- `PUT|GET|HEAD|DELETE /_index_template/<name>`             → `objects["index_template"][name]`
- `PUT|GET|DELETE /_plugins/_ism/policies/<id>` (seq_no checks) → `objects["ism"][id]`
- `PUT|GET /_plugins/_security/api/roles/<name>`             → `objects["roles"][name]`
- `PUT|GET /_plugins/_security/api/rolesmapping/<name>`      → `objects["rolesmapping"][name]`
- `POST|GET /_plugins/_notifications/configs[/<id>]`, `PUT`, `DELETE` → `objects["notifications"][id]`
  (bodies validated as common-utils 2.19 reads them); `POST
  /_plugins/_notifications/feature/test/<id>` → `objects["notification_tests"]` (config ids)
- `POST /_plugins/_alerting/monitors`, `PUT|GET|DELETE .../<id>`, `POST|GET .../_search`
                                                              → `objects["monitors"][id]`
- `POST /_plugins/_ism/add/<pattern>`, `.../change_policy/<pattern>` → `objects["ism_managed"]`
- `POST /_dashboards/api/saved_objects/_import` (needs `osd-xsrf`) → `objects["saved_objects"]`
  keyed by `<type>:<id>`.
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import re
import threading
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any

from tests.fakes.opensearch_store import JsonObject, error_body

if TYPE_CHECKING:
    from tests.fakes.opensearch_http import FakeOpenSearch, RecordedRequest, Reply

# Notifications config id alphabet ("All Base64 chars + _-"), common-utils 2.19 ValidationHelpers.kt
CONFIG_ID_CHARS = re.compile(r"[A-Za-z0-9+/_-]")
_counter = itertools.count(1)
_counter_lock = threading.Lock()


def _next() -> int:
    with _counter_lock:
        return next(_counter)


def install_plugins(fake: FakeOpenSearch) -> None:
    for name in (
        "index_template",
        "ism",
        "roles",
        "rolesmapping",
        "notifications",
        "notification_tests",
        "monitors",
        "saved_objects",
    ):
        fake.objects.setdefault(name, {})
    _install_index_templates(fake)
    _install_ism(fake)
    _install_security(fake)
    _install_notifications(fake)
    _install_alerting(fake)
    _install_dashboards(fake)


def _reply(status: int, body: Any = None) -> Reply:
    from tests.fakes.opensearch_http import Reply

    return Reply(status, body)


def _stored(doc_id: str, entry: JsonObject, kind: str, body: JsonObject) -> JsonObject:
    """How the ISM and alerting plugins answer with a stored object."""
    return {
        "_id": doc_id,
        "_version": entry["_version"],
        "_seq_no": entry["_seq_no"],
        "_primary_term": 1,
        kind: body,
    }


def _body(request: RecordedRequest) -> JsonObject:
    parsed = request.json()
    if not isinstance(parsed, dict):
        raise ValueError("body is not a JSON object")
    return parsed


def _install_index_templates(fake: FakeOpenSearch) -> None:
    templates: dict[str, JsonObject] = fake.objects["index_template"]
    path = r"/_index_template/(?P<name>[^/]+)"

    def put(req: RecordedRequest) -> Reply:
        templates[req.match["name"]] = _body(req)
        return _reply(200, {"acknowledged": True})

    def get(req: RecordedRequest) -> Reply:
        name = req.match["name"]
        if name not in templates:
            reason = f"index template matching [{name}] not found"
            return _reply(404, error_body(404, "resource_not_found_exception", reason))
        return _reply(200, {"index_templates": [{"name": name, "index_template": templates[name]}]})

    def delete(req: RecordedRequest) -> Reply:
        if templates.pop(req.match["name"], None) is None:
            return _reply(404, error_body(404, "index_template_missing_exception", "missing"))
        return _reply(200, {"acknowledged": True})

    for method in ("PUT", "POST"):
        fake.builtin(method, path, put)
    fake.builtin("GET", path, get)
    fake.builtin("HEAD", path, lambda r: _reply(200 if r.match["name"] in templates else 404))
    fake.builtin("DELETE", path, delete)


def _install_ism(fake: FakeOpenSearch) -> None:
    policies: dict[str, JsonObject] = fake.objects["ism"]
    path = r"/_plugins/_ism/policies/(?P<id>[^/]+)"

    def not_found() -> Reply:
        return _reply(404, error_body(404, "status_exception", "Policy not found"))

    def stored(policy_id: str) -> JsonObject:
        entry = policies[policy_id]
        return _stored(policy_id, entry, "policy", {**entry["policy"], "policy_id": policy_id})

    def get(req: RecordedRequest) -> Reply:
        policy_id = req.match["id"]
        return _reply(200, stored(policy_id)) if policy_id in policies else not_found()

    def put(req: RecordedRequest) -> Reply:
        policy_id = req.match["id"]
        existing = policies.get(policy_id)
        if existing is not None:
            seq_no, term = req.param("if_seq_no"), req.param("if_primary_term")
            if seq_no is None or term is None or int(seq_no) != existing["_seq_no"]:
                reason = f"[{policy_id}]: version conflict, required seqNo [{seq_no}]"
                return _reply(409, error_body(409, "version_conflict_engine_exception", reason))
        version = 1 if existing is None else existing["_version"] + 1
        policies[policy_id] = {
            "policy": _body(req)["policy"],
            "_version": version,
            "_seq_no": _next(),
        }
        result = stored(policy_id)
        result["policy"] = {"policy": result["policy"]}
        return _reply(201 if existing is None else 200, result)

    def delete(req: RecordedRequest) -> Reply:
        if policies.pop(req.match["id"], None) is None:
            return not_found()
        return _reply(200, {"result": "deleted"})

    fake.builtin("GET", path, get)
    fake.builtin("PUT", path, put)
    fake.builtin("DELETE", path, delete)
    _install_ism_attach(fake)


def _install_ism_attach(fake: FakeOpenSearch) -> None:
    """`_plugins/_ism/add/<pattern>` and `change_policy/<pattern>` over the store's indices;
    managed indices are recorded in `objects["ism_managed"]` (index -> policy id)."""
    managed: dict[str, str] = fake.objects.setdefault("ism_managed", {})
    policies: dict[str, JsonObject] = fake.objects["ism"]

    def attach(req: RecordedRequest, change: bool) -> Reply:
        policy_id = str(_body(req).get("policy_id", ""))
        if policy_id not in policies:
            return _reply(404, error_body(404, "status_exception", "Policy not found"))
        names = [n for n in fake.store.indices if fnmatch.fnmatchcase(n, req.match["pattern"])]
        failed, updated = [], 0
        for name in names:
            if (name in managed) != change:
                reason = "This index already has a policy" if not change else "not managed"
                failed.append({"index_name": name, "index_uuid": name, "reason": reason})
            else:
                managed[name] = policy_id
                updated += 1
        return _reply(
            200, {"updated_indices": updated, "failures": bool(failed), "failed_indices": failed}
        )

    fake.builtin("POST", r"/_plugins/_ism/add/(?P<pattern>[^/]+)", lambda r: attach(r, False))
    fake.builtin(
        "POST", r"/_plugins/_ism/change_policy/(?P<pattern>[^/]+)", lambda r: attach(r, True)
    )


def _install_security(fake: FakeOpenSearch) -> None:
    for kind in ("roles", "rolesmapping"):
        _install_security_kind(fake, kind)


def _install_security_kind(fake: FakeOpenSearch, kind: str) -> None:
    entries: dict[str, JsonObject] = fake.objects[kind]
    path = rf"/_plugins/_security/api/{kind}/(?P<name>[^/]+)"

    def get(req: RecordedRequest) -> Reply:
        name = req.match["name"]
        if name not in entries:
            return _reply(404, {"status": "NOT_FOUND", "message": f"Resource '{name}' not found."})
        return _reply(200, {name: entries[name]})

    def put(req: RecordedRequest) -> Reply:
        name = req.match["name"]
        created = name not in entries
        entries[name] = _body(req)
        status, word = (201, "CREATED") if created else (200, "OK")
        return _reply(status, {"status": word, "message": f"'{name}' {word.lower()}."})

    fake.builtin("GET", path, get)
    fake.builtin("PUT", path, put)


def _install_notifications(fake: FakeOpenSearch) -> None:
    configs: dict[str, JsonObject] = fake.objects["notifications"]
    base = r"/_plugins/_notifications/configs"

    def listing(ids: list[str]) -> JsonObject:
        found = [
            {"config_id": i, "last_updated_time_ms": 1, "created_time_ms": 1, "config": configs[i]}
            for i in ids
            if i in configs
        ]
        return {
            "start_index": 0,
            "total_hits": len(found),
            "total_hit_relation": "eq",
            "config_list": found,
        }

    def get(req: RecordedRequest) -> Reply:
        config_id = req.match["id"]
        if config_id not in configs:
            reason = f"NotificationConfig {config_id} not found"
            return _reply(404, error_body(404, "status_exception", reason))
        return _reply(200, listing([config_id]))

    def create(req: RecordedRequest) -> Reply:
        body = _body(req)
        config_id = str(body.get("config_id") or f"cfg-{_next()}")
        invalid = "".join(c for c in config_id if not CONFIG_ID_CHARS.match(c))
        if invalid or not config_id.strip():
            # 2.19: common-utils ValidationHelpers.kt validateId (CreateNotificationConfigRequest)
            reason = f"Invalid characters in id : {invalid}"
            return _reply(400, error_body(400, "illegal_argument_exception", reason))
        if config_id in configs:
            reason = f"version conflict, document already exists ({config_id})"
            return _reply(409, error_body(409, "version_conflict_engine_exception", reason))
        problem = config_problem(body.get("config"))
        if problem:
            return _reply(400, error_body(400, "illegal_argument_exception", problem))
        configs[config_id] = body["config"]
        return _reply(200, {"config_id": config_id})

    def update(req: RecordedRequest) -> Reply:
        config_id = req.match["id"]
        if config_id not in configs:
            return _reply(404, error_body(404, "status_exception", "not found"))
        problem = config_problem(_body(req).get("config"))
        if problem:
            return _reply(400, error_body(400, "illegal_argument_exception", problem))
        configs[config_id] = _body(req)["config"]
        return _reply(200, {"config_id": config_id})

    def delete(req: RecordedRequest) -> Reply:
        config_id = req.match["id"]
        if configs.pop(config_id, None) is None:
            return _reply(404, error_body(404, "status_exception", "not found"))
        return _reply(200, {"delete_response_list": {config_id: "OK"}})

    def send_test(req: RecordedRequest) -> Reply:
        config_id = req.match["id"]
        if config_id not in configs:
            return _reply(404, error_body(404, "status_exception", "not found"))
        fake.objects["notification_tests"].setdefault("sent", []).append(config_id)
        status = {"status_code": "200", "status_text": "ok"}
        config = configs[config_id]
        entry = {
            "config_id": config_id,
            "config_name": config["name"],
            "config_type": config["config_type"],
            "delivery_status": status,
        }
        return _reply(200, {"event_source": {"title": "Test message"}, "status_list": [entry]})

    fake.builtin("GET", base, lambda _r: _reply(200, listing(sorted(configs))))
    fake.builtin("POST", base, create)
    fake.builtin("GET", base + r"/(?P<id>[^/]+)", get)
    fake.builtin("PUT", base + r"/(?P<id>[^/]+)", update)
    fake.builtin("DELETE", base + r"/(?P<id>[^/]+)", delete)
    fake.builtin("POST", r"/_plugins/_notifications/feature/test/(?P<id>[^/]+)", send_test)


URL_TYPES = ("slack", "chime", "microsoft_teams", "webhook")


def config_problem(config: Any) -> str | None:
    """Why common-utils 2.19 would refuse a notification `config` (NotificationConfig.parse and
    the per-type models: Slack/Chime/MicrosoftTeams/Webhook need `url`, Sns `topic_arn`), or None."""
    if not isinstance(config, dict):
        return "config is missing"
    kind = config.get("config_type")
    if not config.get("name") or kind not in (*URL_TYPES, "sns"):
        return f"name and a known config_type are required, got {kind!r}"
    inner = config.get(kind)
    if not isinstance(inner, dict):
        return f"config_type {kind} needs the object {kind!r}"
    if kind == "sns":
        return None if str(inner.get("topic_arn", "")).startswith("arn:") else "invalid topic_arn"
    if not re.match(r"^https?://", str(inner.get("url", ""))):
        return "Invalid URL or unsupported"
    if kind == "webhook" and inner.get("method", "POST") not in ("POST", "PUT", "PATCH"):
        return "Invalid method supplied. Only POST, PUT and PATCH are allowed"
    return None


def _install_alerting(fake: FakeOpenSearch) -> None:
    monitors: dict[str, JsonObject] = fake.objects["monitors"]
    base = r"/_plugins/_alerting/monitors"

    def envelope(monitor_id: str) -> JsonObject:
        entry = monitors[monitor_id]
        return _stored(monitor_id, entry, "monitor", entry["monitor"])

    def create(req: RecordedRequest) -> Reply:
        fake.objects["alerting_config_index"] = True
        monitor_id = f"monitor-{_next()}"
        monitors[monitor_id] = {"monitor": _body(req), "_version": 1, "_seq_no": _next()}
        return _reply(201, envelope(monitor_id))

    def update(req: RecordedRequest) -> Reply:
        monitor_id = req.match["id"]
        if monitor_id not in monitors:
            return _reply(404, error_body(404, "status_exception", "Monitor not found."))
        version = monitors[monitor_id]["_version"] + 1
        monitors[monitor_id] = {"monitor": _body(req), "_version": version, "_seq_no": _next()}
        return _reply(200, envelope(monitor_id))

    def get(req: RecordedRequest) -> Reply:
        monitor_id = req.match["id"]
        if monitor_id not in monitors:
            return _reply(404, error_body(404, "status_exception", "Monitor not found."))
        return _reply(200, envelope(monitor_id))

    def delete(req: RecordedRequest) -> Reply:
        if monitors.pop(req.match["id"], None) is None:
            return _reply(404, error_body(404, "status_exception", "Monitor not found."))
        return _reply(200, {"_id": req.match["id"], "result": "deleted"})

    def search(req: RecordedRequest) -> Reply:
        if not fake.objects.get("alerting_config_index"):
            # like OpenSearch before the first monitor: the config index does not exist yet
            reason = "no such index [.opendistro-alerting-config]"
            return _reply(404, error_body(404, "index_not_found_exception", reason))
        wanted = _name_in_query(req.json() or {})
        hits = [
            {
                "_index": ".opendistro-alerting-config",
                "_id": mid,
                "_version": e["_version"],
                "_seq_no": e["_seq_no"],
                "_primary_term": 1,
                "_score": 1.0,
                "_source": e["monitor"],
            }
            for mid, e in monitors.items()
            if wanted is None or e["monitor"].get("name") == wanted
        ]
        return _reply(
            200,
            {
                "took": 1,
                "timed_out": False,
                "hits": {
                    "total": {"value": len(hits), "relation": "eq"},
                    "max_score": 1.0,
                    "hits": hits,
                },
            },
        )

    fake.builtin("POST", base, create)
    fake.builtin("PUT", base + r"/(?P<id>[^_/][^/]*)", update)
    fake.builtin("GET", base + r"/(?P<id>[^_/][^/]*)", get)
    fake.builtin("DELETE", base + r"/(?P<id>[^_/][^/]*)", delete)
    for method in ("GET", "POST"):
        fake.builtin(method, base + r"/_search", search)


def _name_in_query(body: JsonObject) -> str | None:
    """The monitor name a search asks for (`match`/`match_phrase`/`term` on `monitor.name`)."""
    query = body.get("query", {})
    for key in ("match_phrase", "match", "term"):
        found = _find_clause(query, key)
        if found is not None:
            for field_name in ("monitor.name", "monitor.name.keyword", "name"):
                if field_name in found:
                    value = found[field_name]
                    if isinstance(value, dict):
                        value = value.get("query", value.get("value"))
                    return str(value)
    return None


def _find_clause(node: Any, key: str) -> JsonObject | None:
    if isinstance(node, dict):
        if key in node and isinstance(node[key], dict):
            return dict(node[key])
        for value in node.values():
            found = _find_clause(value, key)
            if found is not None:
                return found
    if isinstance(node, list):
        for item in node:
            found = _find_clause(item, key)
            if found is not None:
                return found
    return None


def _install_dashboards(fake: FakeOpenSearch) -> None:
    saved: dict[str, JsonObject] = fake.objects["saved_objects"]

    def import_objects(req: RecordedRequest) -> Reply:
        if "osd-xsrf" not in req.headers:
            return _reply(
                400,
                {
                    "statusCode": 400,
                    "error": "Bad Request",
                    "message": "Request must contain a osd-xsrf header.",
                },
            )
        content = multipart_file(req)
        if content is None:
            return _reply(
                415,
                {
                    "statusCode": 415,
                    "error": "Unsupported Media Type",
                    "message": "Unsupported Media Type",
                },
            )
        results = []
        for line in content.decode("utf-8").splitlines():
            if not line.strip():
                continue
            obj = json.loads(line)
            if "type" not in obj or "id" not in obj:
                continue  # the export summary line
            saved[f"{obj['type']}:{obj['id']}"] = obj
            results.append(
                {
                    "type": obj["type"],
                    "id": obj["id"],
                    "meta": {"title": obj.get("attributes", {}).get("title", "")},
                }
            )
        return _reply(
            200, {"successCount": len(results), "success": True, "successResults": results}
        )

    fake.builtin("POST", r"/_dashboards/api/saved_objects/_import", import_objects)


def multipart_file(request: RecordedRequest, field_name: str = "file") -> bytes | None:
    """The content of the multipart/form-data part named `field_name`, or None."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return None
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == field_name:
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None

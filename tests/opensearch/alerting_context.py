"""The Mustache context OpenSearch Alerting 2.19 gives a monitor's actions, built the way 2.19 does.

Sources (tags 2.19.0.0):
- opensearch-project/alerting `alerting/src/main/kotlin/org/opensearch/alerting/`
  `script/TriggerExecutionContext.kt` (monitor, results, periodStart, periodEnd, error),
  `script/BucketLevelTriggerExecutionContext.kt` (+ trigger, dedupedAlerts, newAlerts,
  completedAlerts; results as is), `script/QueryLevelTriggerExecutionContext.kt` (+ trigger,
  alert), `model/AlertContext.kt`, `MonitorRunnerService.compileTemplate` (params
  `{"ctx": ctx.asTemplateArg()}`), `BucketLevelMonitorRunner.kt` (a per-alert action gets a
  context whose one category holds just that alert: `getActionContextForAlertCategory`),
  `TriggerService.runBucketLevelTrigger` (bucket keys: the values of the composite `key`), the
  pages of the composite (`paged_runs`: the actions see the last, empty page's `results`),
  `InputService.kt` (the query is a Mustache template with `period_start`/`period_end` in epoch
  millis; results are the search response as a map).
- opensearch-project/common-utils `src/main/kotlin/org/opensearch/commons/alerting/model/`
  `Alert.kt` `asTemplateArg` (no bucket values: `bucket_keys` joined with ",",
  `parent_bucket_path`, ids, state, times in epoch millis), `Monitor.kt`, `BucketLevelTrigger.kt`,
  `QueryLevelTrigger.kt`, `action/Action.kt` `asTemplateArg`;
  `aggregation/bucketselectorext/BucketSelectorIndices.kt` (`parent_bucket_path`,
  `bucket_indices` under `aggregations.<trigger id>`).
- OpenSearch `modules/lang-mustache`: `CustomReflectionObjectHandler` (a list is read by index,
  `list.0`, and `list.size`), `CustomMustacheFactory` (default media type JSON: values are
  JSON-string escaped), no lambdas.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pystache  # type: ignore[import-untyped]

from tests.fakes.opensearch_aggs import bucket_value, run_script, search_response

JsonObject = dict[str, Any]
TRIGGER_ID = "trigger-1"
START_MS = 1_764_662_400_000  # the alert's start_time


class CollectionMap(list[Any]):
    """A list as mustache.java's CustomReflectionObjectHandler.CollectionMap shows it."""

    def __getattr__(self, name: str) -> Any:
        if name == "size":
            return len(self)
        if name.isdigit() and int(name) < len(self):
            return self[int(name)]
        raise AttributeError(name)


def as_mustache(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: as_mustache(v) for k, v in value.items()}
    if isinstance(value, list):
        return CollectionMap(as_mustache(v) for v in value)
    return value


def render(template: str, context: JsonObject) -> str:
    """mustache.java as OpenSearch configures it; a tag the context lacks is an error here
    (OpenSearch prints nothing: the `- :  errors` of the issue)."""
    renderer = pystache.Renderer(
        escape=lambda s: json.dumps(s, ensure_ascii=False)[1:-1], missing_tags="strict"
    )
    return str(renderer.render(template, as_mustache(context)))


def instant(millis: int) -> str:
    """java.time.Instant.toString (what a Mustache tag prints for periodEnd)."""
    moment = datetime.fromtimestamp(millis / 1000, tz=UTC)
    fraction = f".{millis % 1000:03d}" if millis % 1000 else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def monitor_arg(monitor: JsonObject) -> JsonObject:
    # Monitor.asTemplateArg; schedule and inputs kept as their JSON (no template here uses them)
    return {
        "_id": "monitor-1",
        "_version": 1,
        "name": monitor["name"],
        "enabled": monitor["enabled"],
        "monitor_type": monitor["monitor_type"],
        "enabled_time": START_MS,
        "last_update_time": START_MS,
        "schedule": monitor["schedule"],
        "inputs": monitor["inputs"],
    }


def trigger_arg(spec: JsonObject) -> JsonObject:
    arg: JsonObject = {
        "id": TRIGGER_ID,
        "name": spec["name"],
        "severity": spec["severity"],
        "actions": [
            {
                "id": f"action-{i}",
                "name": a["name"],
                "destination_id": a["destination_id"],
                "throttle_enabled": a.get("throttle_enabled", False),
            }
            for i, a in enumerate(spec["actions"])
        ],
        "condition": {"script": dict(spec["condition"]["script"])},
    }
    if "parent_bucket_path" in spec["condition"]:
        arg["parent_bucket_path"] = spec["condition"]["parent_bucket_path"]
    return arg


def alert_arg(state: str, bucket_keys: list[str], parent_bucket_path: str) -> JsonObject:
    """Alert.asTemplateArg of a bucket-level alert (the keys 2.19 sets, nothing else)."""
    return {
        "acknowledged_time": None,
        "id": f"alert-{','.join(bucket_keys)}",
        "version": 1,
        "end_time": None,
        "error_message": None,
        "execution_id": "execution-1",
        "workflow_id": "",
        "workflow_name": "",
        "associated_alert_ids": [],
        "last_notification_time": None,
        "severity": "2",
        "start_time": START_MS,
        "state": state,
        "bucket_keys": ",".join(bucket_keys),
        "parent_bucket_path": parent_bucket_path,
        "finding_ids": "",
        "related_doc_ids": "",
        "clusters": None,
    }


@dataclass(frozen=True)
class ActionRun:
    """One action execution: the action and the template params it is rendered with."""

    action: JsonObject
    category: str
    params: JsonObject


def monitor_response(
    monitor: JsonObject,
    documents: list[JsonObject],
    end_ms: int,
    after: tuple[str, JsonObject] | None = None,
) -> JsonObject:
    """The search response of the monitor's input at `end_ms` (its query rendered first);
    `after`: (the trigger's parent composite, its after key) for a page after the first."""
    (search,) = [i["search"] for i in monitor["inputs"]]
    period = {"period_start": end_ms - 300_000, "period_end": end_ms}
    text = pystache.Renderer(escape=lambda s: s).render(json.dumps(search["query"]), period)
    query = json.loads(text)
    if after is not None:
        query["aggregations"][after[0]]["composite"]["after"] = after[1]
    return search_response(documents, query)


def paged_runs(
    monitor: JsonObject, documents: list[JsonObject], end_ms: int, spec: JsonObject
) -> tuple[list[list[str]], JsonObject]:
    """The bucket keys the trigger selects on every page, and the response of the last page:
    the one the actions see. Alerting 2.19 `BucketLevelMonitorRunner.runMonitor` runs the query
    again with the composite's `after_key` (`AggregationQueryRewriter.rewriteQuery`:
    `factory.aggregateAfter(afterKey)`) `while (monitorResult.inputResults.afterKeysPresent())`,
    keeps each page's trigger context (`triggerContexts[trigger.id] = triggerCtx`) and runs the
    actions after the loop with the last one; a composite returns an after key whenever it has
    buckets (`InternalComposite.reduce`), so the last page is the empty one after them."""
    parent = spec["condition"]["parent_bucket_path"]
    selected: list[list[str]] = []
    response = monitor_response(monitor, documents, end_ms)
    while True:
        selected += select_buckets(response, spec)
        after_key = response["aggregations"][parent].get("after_key")
        if after_key is None:
            return selected, response
        response = monitor_response(monitor, documents, end_ms, (parent, after_key))


def select_buckets(response: JsonObject, spec: JsonObject) -> list[list[str]]:
    """The trigger's bucket selector: adds `aggregations.<trigger id>`, returns the bucket keys."""
    condition = spec["condition"]
    parent = condition["parent_bucket_path"]
    buckets = response["aggregations"][parent]["buckets"]
    indices = [
        i
        for i, bucket in enumerate(buckets)
        if run_script(
            condition["script"]["source"],
            {name: bucket_value(bucket, path) for name, path in condition["buckets_path"].items()},
        )
    ]
    response["aggregations"][TRIGGER_ID] = {"parent_bucket_path": parent, "bucket_indices": indices}
    return [[str(v) for v in buckets[i]["key"].values()] for i in indices]


def bucket_level_runs(
    monitor: JsonObject, documents: list[JsonObject], end_ms: int, alerted: set[str]
) -> list[ActionRun]:
    """Every action execution of the monitor's trigger at `end_ms`; `alerted` are the bucket keys
    of alerts already active (they come back DEDUPED, the others NEW)."""
    ((_, spec),) = monitor["triggers"][0].items()
    selected, response = paged_runs(monitor, documents, end_ms, spec)
    parent = spec["condition"]["parent_bucket_path"]
    alerts: dict[str, list[JsonObject]] = {"NEW": [], "DEDUPED": []}
    for keys in selected:
        state = "DEDUPED" if ",".join(keys) in alerted else "NEW"
        alerts[state].append(alert_arg("ACTIVE", keys, parent))
    base: JsonObject = {
        "monitor": monitor_arg(monitor),
        "results": [response],
        "periodStart": instant(end_ms - 300_000),
        "periodEnd": instant(end_ms),
        "error": None,
        "trigger": trigger_arg(spec),
    }
    runs: list[ActionRun] = []
    for action in spec["actions"]:
        scope = action["action_execution_policy"]["action_execution_scope"]
        for category in scope["per_alert"]["actionable_alerts"]:
            for alert in alerts[category]:
                lists: dict[str, list[JsonObject]] = {
                    "newAlerts": [],
                    "dedupedAlerts": [],
                    "completedAlerts": [],
                }
                lists["newAlerts" if category == "NEW" else "dedupedAlerts"] = [alert]
                runs.append(ActionRun(action, category, {"ctx": {**base, **lists}}))
    return runs


def query_level_runs(
    monitor: JsonObject, documents: list[JsonObject], end_ms: int
) -> list[ActionRun]:
    """The action executions of a query-level monitor whose trigger fires at `end_ms`."""
    ((_, spec),) = monitor["triggers"][0].items()
    response = monitor_response(monitor, documents, end_ms)
    ctx: JsonObject = {
        "monitor": monitor_arg(monitor),
        "results": [response],
        "periodStart": instant(end_ms - 300_000),
        "periodEnd": instant(end_ms),
        "error": None,
        "trigger": trigger_arg(spec),
        "alert": None,
    }
    return [ActionRun(action, "QUERY", {"ctx": ctx}) for action in spec["actions"]]

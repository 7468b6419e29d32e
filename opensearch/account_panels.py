"""Panels for an organisation's logs: the account and region controls every main dashboard
starts with, and the "Accounts and regions" panel of the overview.

Every document carries the log group's `cloud.account.id` and `cloud.region` (DESIGN.md
"Deployments"). The controls are an options-list `input_control_vis`: choosing an account or a
region adds a filter on the field to the whole dashboard.
"""

from __future__ import annotations

from typing import Any, Final

from opensearch.saved_objects import INVOCATION, PATTERN_ID, dumps, search_source
from opensearch.vega import SCHEMA, vega_data
from opensearch.visualizations import ACCOUNT, _vega

JsonObject = dict[str, Any]
REGION: Final = "cloud.region"
CONTROLS_KEY: Final = "account-region-controls"
# Composite buckets the panel reads: accounts × regions shown at once.
MAX_ACCOUNT_REGIONS: Final = 500


def _control(index: int, field: str, label: str) -> JsonObject:
    return {
        "id": str(index + 1),
        "fieldName": field,
        "label": label,
        "type": "list",
        "options": {
            "type": "terms",
            "multiselect": True,
            "dynamicOptions": True,
            "size": 500,
            "order": "desc",
        },
        "parent": "",
        "indexPatternRefName": f"control_{index}_index_pattern",
    }


def controls() -> JsonObject:
    """Options lists of the accounts and regions; their choice filters the dashboard."""
    fields = [(ACCOUNT, "Account"), (REGION, "Region")]
    params = {
        "controls": [_control(i, f, label) for i, (f, label) in enumerate(fields)],
        "updateFiltersOnChange": True,
        "useTimeFilter": True,
        "pinFilters": False,
    }
    title = "Account and region"
    state = {"title": title, "type": "input_control_vis", "aggs": [], "params": params}
    return {
        "id": f"${{INDEX_PREFIX}}-vis-{CONTROLS_KEY}",
        "type": "visualization",
        "attributes": {
            "title": title,
            "description": "Filter the dashboard by cloud.account.id and cloud.region.",
            "visState": dumps(state),
            "uiStateJSON": "{}",
            "version": 1,
            "kibanaSavedObjectMeta": search_source("", with_index=False),
        },
        "references": [
            {"name": f"control_{i}_index_pattern", "type": "index-pattern", "id": PATTERN_ID}
            for i in range(len(fields))
        ],
        "migrationVersion": {"visualization": "7.10.0"},
    }


def _failed_filter() -> JsonObject:
    """Failed invocations, as the error-spike monitor and the Errors panel count them."""
    return {
        "bool": {
            "should": [
                {"terms": {"aws.lambda.status": ["error", "timeout", "failure"]}},
                {"term": {"aws.lambda.event": "timeout"}},
            ],
            "minimum_should_match": 1,
        }
    }


def accounts_regions_body() -> JsonObject:
    sources = [{"account": {"terms": {"field": ACCOUNT}}}, {"region": {"terms": {"field": REGION}}}]
    return {
        "size": 0,
        "aggs": {
            "places": {
                "composite": {"size": MAX_ACCOUNT_REGIONS, "sources": sources},
                "aggs": {
                    "reports": {
                        "filter": {"term": {"aws.lambda.event": "report"}},
                        "aggs": {"cost": {"sum": {"field": "aws.lambda.cost_usd"}}},
                    },
                    "failed": {
                        "filter": _failed_filter(),
                        "aggs": {"invocations": {"cardinality": {"field": INVOCATION}}},
                    },
                },
            }
        },
    }


def accounts_regions_spec() -> JsonObject:
    """One bar per account × region: its invocations; errors and cost in the tooltip."""
    return {
        "$schema": SCHEMA,
        "title": "Invocations, errors and cost per account and region",
        "data": vega_data(accounts_regions_body(), "aggregations.places.buckets"),
        "transform": [
            {"calculate": "datum.key.account + ' ' + datum.key.region", "as": "place"},
            {"calculate": "datum.key.account", "as": "account"},
            {"calculate": "datum.key.region", "as": "region"},
            {"calculate": "datum.reports.doc_count", "as": "invocations"},
            {"calculate": "datum.failed.invocations.value", "as": "errors"},
            {"calculate": "datum.reports.cost.value", "as": "cost"},
        ],
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "place", "type": "nominal", "sort": "-x", "title": "account region"},
            "x": {"field": "invocations", "type": "quantitative", "title": "invocations"},
            "color": {"field": "errors", "type": "quantitative", "title": "errors"},
            "tooltip": [
                {"field": "account", "title": "account"},
                {"field": "region", "title": "region"},
                {"field": "invocations", "title": "invocations"},
                {"field": "errors", "title": "errors (failed invocations)"},
                {"field": "cost", "title": "cost (USD)", "format": "$.8~f"},
            ],
        },
    }


def account_panels() -> list[JsonObject]:
    return [
        controls(),
        _vega(
            "accounts-regions",
            "Accounts and regions",
            "Invocations (bar), failed invocations (colour) and cost (tooltip) per account and "
            "region.",
            accounts_regions_spec(),
        ),
    ]

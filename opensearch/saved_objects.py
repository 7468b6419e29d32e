"""Saved-object building blocks: ids, search sources, the index pattern and saved searches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

JsonObject = dict[str, Any]

PATTERN_ID = "${INDEX_PREFIX}-index-pattern"
PATTERN_TITLE = "${INDEX_PREFIX}-*"
REPORTS = "aws.lambda.event:report"
ERRORS = "log.level:(ERROR or FATAL)"
TIMEOUTS = "aws.lambda.event:timeout or aws.lambda.status:timeout"
# Failed invocations, as Lambda's `Errors` metric counts them (function errors, timeouts, runtime
# failures): REPORT `Status` (`aws.lambda.status`) or the timeout line; counted as distinct
# request ids (`faas.execution`), so a timeout's two documents count once.
FAILED = "aws.lambda.status:(error or timeout or failure) or aws.lambda.event:timeout"
INVOCATION = "faas.execution"
SAVED_OBJECTS_DIR = Path(__file__).parent / "saved-objects"
VERSION = "7.10.0"  # panel version: OpenSearch Dashboards migrates panels from here


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=False)


def search_source(query: str, with_index: bool) -> JsonObject:
    source: JsonObject = {"query": {"query": query, "language": "kuery"}, "filter": []}
    if with_index:
        source["indexRefName"] = "kibanaSavedObjectMeta.searchSourceJSON.index"
    return {"searchSourceJSON": dumps(source)}


def index_reference() -> list[JsonObject]:
    return [
        {
            "name": "kibanaSavedObjectMeta.searchSourceJSON.index",
            "type": "index-pattern",
            "id": PATTERN_ID,
        }
    ]


# Cost of one invocation is ~2e-7 USD (1 ms at 128 MB + the request price); Dashboards' default
# number format `0,0.[000]` prints it as 0 (AWS-FACTS "OpenSearch 2.19 details that bite").
# OpenSearch Dashboards' `currency` field format (opensearch-project/OpenSearch-Dashboards
# src/plugins/data/common/field_formats/converters/currency.ts, a numeral pattern; its default
# `format:currency:defaultPattern` is `($0,0.[00])`) with 8 optional decimals shows one
# invocation's cost; sums of many keep their leading digits.
COST_FIELDS = ("aws.lambda.cost_usd",)
COST_PATTERN = "$0,0.[00000000]"


def field_format_map() -> JsonObject:
    return {f: {"id": "currency", "params": {"pattern": COST_PATTERN}} for f in COST_FIELDS}


def index_pattern() -> JsonObject:
    return {
        "id": PATTERN_ID,
        "type": "index-pattern",
        "attributes": {
            "title": PATTERN_TITLE,
            "timeFieldName": "@timestamp",
            "fieldFormatMap": dumps(field_format_map()),
        },
        "references": [],
        "migrationVersion": {"index-pattern": "7.6.0"},
    }


def search(
    key: str, title: str, description: str, query: str, columns: list[str], order: str
) -> JsonObject:
    return {
        "id": f"${{INDEX_PREFIX}}-search-{key}",
        "type": "search",
        "attributes": {
            "title": title,
            "description": description,
            "columns": columns,
            "sort": [["@timestamp", order]],
            "hits": 0,
            "version": 1,
            "kibanaSavedObjectMeta": search_source(query, with_index=True),
        },
        "references": index_reference(),
        "migrationVersion": {"search": "7.9.3"},
    }


def searches() -> list[JsonObject]:
    common = ["faas.name", "log.level", "message"]
    return [
        search(
            "errors",
            "Lambda errors",
            "ERROR and FATAL lines, newest first.",
            ERRORS,
            ["faas.name", "error.type", "error.message", "message"],
            "desc",
        ),
        search(
            "timeouts",
            "Lambda timeouts",
            "Timeout lines and REPORT lines with Status: timeout.",
            TIMEOUTS,
            ["faas.name", "faas.execution", "aws.lambda.duration_ms", "message"],
            "desc",
        ),
        search(
            "cold-starts",
            "Lambda cold starts",
            "REPORT lines of cold starts (Init Duration).",
            f"{REPORTS} and faas.coldstart:true",
            [
                "faas.name",
                "aws.lambda.init_duration_ms",
                "aws.lambda.duration_ms",
                "aws.lambda.memory_size_mb",
            ],
            "desc",
        ),
        search(
            "trace-milestones",
            "Lambda trace milestones (one trace, in order)",
            'The milestones of traces, oldest first. Add trace.id:"<id>" to the query to '
            "follow one trace across functions.",
            "labels.milestone:*",
            ["trace.id", "labels.milestone", "faas.name", "message"],
            "asc",
        ),
        search(
            "invocation",
            "Lambda invocation lines (one invocation, in order)",
            'Every line of invocations, oldest first. Add faas.execution:"<request id>" to '
            "the query to read one invocation from START to REPORT.",
            "faas.execution:*",
            ["faas.execution", *common],
            "asc",
        ),
    ]

"""The "Errors by fingerprint" table: each kind of error (`error.fingerprint`, see
`transformer/fingerprint.py`), with its count, first and last occurrence and the functions."""

from __future__ import annotations

from typing import Any

from opensearch.visualizations import _agg, _table_params, _terms, visualization

JsonObject = dict[str, Any]


def _labelled(agg: JsonObject, label: str) -> JsonObject:
    return {**agg, "params": {**agg["params"], "customLabel": label}}


def fingerprints_table() -> JsonObject:
    """Kinds of error, those first seen most recently on top; one row per function."""
    return visualization(
        "error-fingerprints",
        "Errors by fingerprint",
        "Each kind of error (error.fingerprint: type, normalised message and innermost frames), "
        "the kinds first seen most recently on top; one row per function and account it "
        "occurred in, with its count, first and last occurrence in the time range.",
        "table",
        [
            _agg("1", "count", "metric", customLabel="Count"),
            _agg("3", "min", "metric", field="@timestamp", customLabel="First seen"),
            _agg("4", "max", "metric", field="@timestamp", customLabel="Last seen"),
            _labelled(_terms("2", "error.fingerprint", "bucket", 50, "3"), "Fingerprint"),
            _labelled(_terms("5", "error.type", "bucket", 1), "Error type"),
            _labelled(_terms("6", "faas.name", "bucket", 20), "Function"),
            _labelled(_terms("7", "cloud.account.id", "bucket", 20), "Account"),
        ],
        _table_params(),
        "error.fingerprint:*",
    )

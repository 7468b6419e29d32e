"""Every field a saved object or monitor aggregates, sorts or filters on is mapped explicitly,
and cost fields carry a number format that shows one invocation's cost.

Dynamic templates (`labels.*`, `metrics.*`) map a field only once a document carried it, so a
panel on such a field fails ("Could not locate that index-pattern-field") on every day's index
until then, and forever for a function that never emits it (AWS-FACTS, "OpenSearch 2.19 details
that bite").
"""

from __future__ import annotations

import copy
import json
import re

import pytest

from opensearch.artifacts import Artifacts, ContentSettings, load_artifacts
from opensearch.mapping import Mapping, mapping_of
from opensearch.saved_objects import COST_FIELDS
from tests.opensearch.usage import FieldUse, dsl_uses, saved_object_uses
from transformer.cost import invocation_cost
from transformer.settings import Prices

SETTINGS = [ContentSettings(), ContentSettings(emf_metric="CheckoutLatency")]


def every_use(artifacts: Artifacts) -> list[FieldUse]:
    uses = [u for o in artifacts.saved_objects for u in saved_object_uses(o)]
    for key, monitor in artifacts.monitors.items():
        for monitor_input in monitor["inputs"]:
            uses += dsl_uses(monitor_input["search"]["query"], f"monitor {key}")
    return uses


def not_explicit(uses: list[FieldUse], mapping: Mapping) -> list[str]:
    return sorted({f"{u.where}: {u.field}" for u in uses if u.field not in mapping.fields})


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: s.emf_metric)
def test_every_used_field_is_mapped_explicitly(settings: ContentSettings) -> None:
    artifacts = load_artifacts(settings)
    uses = every_use(artifacts)
    assert {"labels.milestone", f"metrics.{settings.emf_metric}", "faas.name"} <= {
        u.field for u in uses
    }
    assert not_explicit(uses, mapping_of(artifacts.index_template)) == []


def test_a_field_only_a_dynamic_template_maps_is_reported() -> None:
    # GIVEN the template as it was: labels.* and metrics.* only through dynamic templates
    artifacts = load_artifacts(ContentSettings())
    template = copy.deepcopy(artifacts.index_template)
    properties = template["template"]["mappings"]["properties"]
    for name in ("labels", "metrics"):
        properties[name].pop("properties")
    mapping = mapping_of(template)
    assert mapping.type_of("labels.milestone") == "keyword"  # dynamic: "exists" once seen
    # THEN both panels that aggregate them are named
    problems = not_explicit(every_use(artifacts), mapping)
    assert any(p.endswith(": labels.milestone") for p in problems)
    assert any(p.endswith(": metrics.Latency") for p in problems)


# -- number formats ---------------------------------------------------------------------------

NUMERAL = re.compile(r"^(?P<currency>\$?)0,0(?:\.\[(?P<optional>0+)\]|\.(?P<fixed>0+))?$")


def numeral(value: float, pattern: str) -> str:
    """The subset of numeral.js that `0,0`, `$0,0.[000]` and `0,0.000` patterns use: optional
    decimals are rounded to their count and trailing zeros dropped."""
    match = NUMERAL.match(pattern)
    assert match is not None, f"pattern {pattern!r} is outside the subset this test knows"
    optional, fixed = match["optional"] or "", match["fixed"] or ""
    text = f"{value:,.{len(optional) or len(fixed)}f}"
    if optional:
        text = text.rstrip("0").rstrip(".")
    return f"{match['currency']}{text}"


def test_the_numeral_subset_is_numeral() -> None:
    assert numeral(0.000123, "0,0.[000]") == "0"  # Dashboards' default: the bug
    assert numeral(1234.5, "$0,0.[00]") == "$1,234.5"
    assert numeral(2.5, "0,0.000") == "2.500"


def field_formats(artifacts: Artifacts) -> dict[str, dict[str, object]]:
    (pattern,) = [o for o in artifacts.saved_objects if o["type"] == "index-pattern"]
    formats: dict[str, dict[str, object]] = json.loads(pattern["attributes"]["fieldFormatMap"])
    return formats


def test_cost_fields_show_one_invocations_cost() -> None:
    artifacts = load_artifacts(ContentSettings())
    mapping = mapping_of(artifacts.index_template)
    assert set(COST_FIELDS) == {f for f in mapping.fields if "cost" in f}
    formats = field_formats(artifacts)
    # the cheapest invocation there is: 1 ms billed at 128 MB on arm64, plus the request
    cheapest = invocation_cost(1, 128, "arm64", Prices())
    for field in COST_FIELDS:
        assert formats[field]["id"] == "currency"
        params = formats[field]["params"]
        assert isinstance(params, dict)
        shown = numeral(cheapest, params["pattern"])
        assert float(shown.lstrip("$")) == pytest.approx(cheapest, rel=0.05), shown
        assert numeral(1234.5, params["pattern"]) == "$1,234.5"

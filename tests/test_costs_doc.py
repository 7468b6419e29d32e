"""docs/costs.md's fixed-cost counts are the code's: the alarms and metric-math metrics a
reconciler stack with one stream creates, what each extra stream adds, and the custom metrics
each function emits (every one is billed, so a metric added must be priced there too)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from infra.alarm_specs import MonitoredNames, alarm_specs, expression_alarm_specs
from subscriptions.report import RunReport
from transformer.summary import METRIC_NAMES

ROOT = Path(__file__).parent.parent
COSTS = (ROOT / "docs" / "costs.md").read_text()


def _row(item: str) -> str:
    (row,) = [line for line in COSTS.splitlines() if line.startswith(f"| {item} |")]
    return row


def _alarm_units(streams: int) -> tuple[int, int]:
    names = MonitoredNames(tuple(f"s{i}" for i in range(streams)), "t", "s", 900)
    expression = expression_alarm_specs(names)
    return len(alarm_specs(names)), sum(len(spec.inputs) for spec in expression)


def _subscriber_metrics() -> int:
    lines: list[str] = []
    report = RunReport("reconcile", emit=lines.append, namespace="N", function="f")
    report.emit_metrics(report.result("done", None, False, 0), 1.0)
    (document,) = [json.loads(line) for line in lines if '"_aws"' in line]
    return len(document["_aws"]["CloudWatchMetrics"][0]["Metrics"])


def test_the_alarm_row_counts_what_a_reconciler_stack_creates() -> None:
    row = _row("CloudWatch alarms")
    standard, inputs = _alarm_units(1)
    two_standard, two_inputs = _alarm_units(2)
    more_standard, more_inputs = two_standard - standard, two_inputs - inputs
    assert f"{standard} standard alarms" in row and f"metric-math alarms' {inputs} metrics" in row
    assert f"({more_standard} alarms, {more_inputs} metrics;" in row
    assert f"${(more_standard + more_inputs) * 0.10:.2f} more per extra delivery stream" in row
    assert row.endswith(f"| {(standard + inputs) * 0.10:.2f} |")


def test_the_metrics_row_counts_what_each_function_emits() -> None:
    row = _row("EMF metrics")
    transformer, subscriber = len(METRIC_NAMES), _subscriber_metrics()
    assert (
        f"{transformer} custom metrics of the transformer + {subscriber} of the subscriber" in row
    )
    assert f"${transformer * 0.30:.2f} more per extra stream" in row
    total = re.search(r"\| ~(\d+\.\d\d) \|$", row)
    assert total is not None and float(total.group(1)) == round((transformer + subscriber) * 0.3, 2)


def _fixed_range() -> tuple[float, float]:
    """The sum of the fixed-cost table's USD column, lowest and highest (`0–3`, `< 0.10`)."""
    table = COSTS.split("## Fixed, per month, with the defaults", 1)[1].split("\n\n", 2)[1]
    low = high = 0.0
    for row in table.splitlines()[2:]:
        cell = row.rstrip(" |").rsplit("|", 1)[1].strip().lstrip("~")
        if cell.startswith("<"):
            high += float(cell[1:])
            continue
        parts = [float(part) for part in cell.split("–")]
        low, high = low + parts[0], high + parts[-1]
    return low, high


def test_the_fixed_total_said_elsewhere_is_the_tables_sum() -> None:
    low, high = _fixed_range()
    said = f"${round(low)}–{round(high)} a month"
    assert said in (ROOT / "README.md").read_text().replace("**", "")
    assert said in (ROOT / "docs" / "organisation.md").read_text()

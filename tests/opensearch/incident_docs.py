"""The PagerDuty and Opsgenie request bodies of docs/alerts.md: the error-spike alert of the
message examples, rendered for those channels as the tests render them (values JSON-escaped as
OpenSearch's lang-mustache does) and parsed. Regenerated with the messages by
`python -m tests.opensearch.alert_docs`."""

from __future__ import annotations

import json
from typing import Final

from tests.opensearch.test_incident_bodies import alert_runs, bodies, monitors
from tests.opensearch.test_monitor_messages import failed

BEGIN: Final = "<!-- BEGIN generated bodies: python -m tests.opensearch.alert_docs -->"
END: Final = "<!-- END generated bodies -->"


def generated_bodies() -> str:
    monitor = monitors()["error-spike"]
    documents = failed("checkout", 12) + failed("search", 15) + failed("billing", 3)
    run = next(r for r in alert_runs(monitor, documents) if "checkout" in str(r.params))
    found = bodies(run, monitor)
    found["oncall"]["routing_key"] = "<routingKey: put in by the applier>"
    parts = [BEGIN]
    for kind, title in [("oncall", "PagerDuty"), ("genie", "Opsgenie")]:
        text = json.dumps(found[kind], indent=2, ensure_ascii=False)
        parts += ["", f"{title} (`POST` body), for checkout's alert:", "", "```json", text, "```"]
    return "\n".join([*parts, "", END])


def page_with_bodies(page: str) -> str:
    start, end = page.index(BEGIN), page.index(END) + len(END)
    return page[:start] + generated_bodies() + page[end:]

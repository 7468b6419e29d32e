"""docs/alerts.md shows each monitor's message as the tests render it: generated, never edited."""

from __future__ import annotations

from tests.opensearch.alert_docs import BEGIN, END, PAGE, page_with_block
from tests.opensearch.test_monitor_messages import monitors


def test_the_page_holds_the_generated_messages() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert BEGIN in page and END in page
    assert page == page_with_block(page), "run: .venv/bin/python -m tests.opensearch.alert_docs"


def test_every_monitor_has_its_message_on_the_page() -> None:
    page = PAGE.read_text(encoding="utf-8")
    for key, monitor in monitors().items():
        assert f"opensearch/monitors/{key}.json" in page
        assert f"### {monitor['name']}" in page

"""The recursion guard: records of any deployment's own log groups (the reserved prefix
`/lambda-logs-pipeline/`) are dropped whatever LOG_GROUP_PREFIXES says, and a batch of nothing
else leaves no summary line that could come back as the next batch."""

from __future__ import annotations

import json

import pytest

from lambda_shared.metrics import PIPELINE_RECORDS_DROPPED
from lambda_shared.pipeline_groups import pipeline_log_group
from tests.transformer.helpers import cw_record, events, run
from transformer.settings import Settings

LAMBDA_STREAM = "2026/11/20/[$LATEST]ec964d3d4496eba592913bcbacbb07b7"


@pytest.mark.parametrize("prefixes", [(), ("/lambda-logs-pipeline/", "/aws/lambda/"), ("/",)])
def test_a_pipeline_group_is_dropped_whatever_the_prefixes_say(prefixes: tuple[str, ...]) -> None:
    # GIVEN a record of another stack's transformer group (with a Lambda stream name, which
    # would otherwise admit a group outside the prefixes) and a record of an ordinary group
    other = pipeline_log_group("staging", "transformer")
    pipeline = cw_record(events(3), group=other, stream=LAMBDA_STREAM)
    ordinary = cw_record(events(2))
    # WHEN both are transformed, with LOG_GROUP_PREFIXES empty (every group) or naming it
    settings = Settings(region="eu-west-1", log_group_prefixes=prefixes)
    result = run([pipeline, ordinary], settings=settings)
    # THEN the pipeline record is Dropped with nothing re-ingested and counted as such
    answers = result.response["records"]
    assert answers[0]["result"] == "Dropped"
    summary = result.summary()
    assert summary[PIPELINE_RECORDS_DROPPED] == summary["pipeline_dropped"] == 1
    assert answers[1]["result"] == "Ok"
    assert summary["RecordsDropped"] == 1 and summary["DocumentsReingested"] == 1
    assert PIPELINE_RECORDS_DROPPED in {
        m["Name"] for m in summary["_aws"]["CloudWatchMetrics"][0]["Metrics"]
    }


def test_a_batch_of_only_pipeline_records_writes_no_summary_line() -> None:
    # GIVEN a batch made only of this stack's own pipeline logs (a misrouted subscription)
    records = [
        cw_record(events(2), group=pipeline_log_group("prod", component), stream=LAMBDA_STREAM)
        for component in ("transformer", "subscriber", "firehose")
    ]
    # WHEN it is transformed
    result = run(records, settings=Settings(region="eu-west-1", log_group_prefixes=()))
    # THEN every record is Dropped and nothing is logged (the loop has nothing to feed on)
    assert [r["result"] for r in result.response["records"]] == ["Dropped"] * 3
    assert result.logs == []


def test_a_group_merely_named_like_the_prefix_is_not_dropped() -> None:
    result = run([cw_record(events(1), group="/aws/lambda/lambda-logs-pipeline-x")])
    assert result.response["records"][0]["result"] == "Ok"
    assert json.loads(result.logs[0])["pipeline_dropped"] == 0

"""PutRecordBatch's answer as the lean client reads it: when every record was put, the record
ids are not parsed; when any failed, the whole answer is, so the failed ones are retried."""

from __future__ import annotations

import json

import pytest

from lambda_shared.firehose_http import parse_answer

RECORD_ID = "Ft2gGW9r/sFbQTKyx4WmqmrWFRnZxQQxzh2W4vq7C5J8Cq8QJFDJE5vzHl38ALiEmXFS=" * 3


@pytest.mark.parametrize(
    "answer",
    [
        {"FailedPutCount": 0, "Encrypted": False, "RequestResponses": [{"RecordId": RECORD_ID}]},
        {"Encrypted": False, "RequestResponses": [{"RecordId": RECORD_ID}], "FailedPutCount": 0},
    ],
)
def test_an_answer_with_every_record_put_reads_only_the_count(answer: dict[str, object]) -> None:
    for text in (json.dumps(answer), json.dumps(answer, separators=(",", ":"))):
        assert parse_answer(text.encode()) == {"FailedPutCount": 0}


def test_an_answer_with_failed_records_is_parsed_whole() -> None:
    answer = {
        "FailedPutCount": 1,
        "RequestResponses": [
            {"RecordId": RECORD_ID},
            {"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."},
        ],
    }
    assert parse_answer(json.dumps(answer).encode()) == answer


def test_a_count_of_ten_or_a_zero_inside_a_message_is_not_taken_for_none_failed() -> None:
    for answer in (
        {"FailedPutCount": 10, "RequestResponses": []},
        {
            "FailedPutCount": 2,
            "RequestResponses": [{"ErrorCode": "X", "ErrorMessage": '"FailedPutCount":0,'}],
        },
    ):
        assert parse_answer(json.dumps(answer).encode()) == answer

"""AWS limits the pipeline works within, each declared once (the Lambda packages, infra/ and the
CLI read them from here)."""

from __future__ import annotations

from typing import Final

# Firehose PutRecordBatch: "Each PutRecordBatch request supports up to 500 records. Each record
# in the request can be as large as 1,000 KB (before base64 encoding), up to a limit of 4 MB for
# the entire request. These limits cannot be changed." (Firehose API reference)
PUT_RECORD_BATCH_MAX_RECORDS: Final = 500
PUT_RECORD_BATCH_MAX_BYTES: Final = 4 * 1024 * 1024
FIREHOSE_RECORD_MAX_BYTES: Final = 1_000 * 1024
# What a batch may carry: under the request limit, with room for the request's own JSON (record
# framing, stream name) whatever way the limit is counted.
PUT_RECORD_BATCH_BUDGET_BYTES: Final = PUT_RECORD_BATCH_MAX_BYTES - 64 * 1024

# Lambda's synchronous response (the transformer's answer to Firehose) is limited to 6 MB.
PROCESSOR_RESPONSE_MAX_BYTES: Final = 6_000_000

# CloudWatch Logs: a subscription filter's pattern, and how old an event PutLogEvents accepts.
FILTER_PATTERN_MAX_CHARS: Final = 1024
LOG_EVENT_MAX_AGE_DAYS: Final = 14

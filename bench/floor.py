"""The floor: the least any transformer of this schema must do for a request (base64 decode +
gunzip + parse of the envelope, one flat JSON document per event holding the message, the
event's timestamp and id and its record's fields, base64), with the same JSON library."""

from __future__ import annotations

import base64
import zlib
from typing import Any

from transformer import jsonlib


def floor(event: dict[str, Any], codec: jsonlib.Codec) -> int:
    """The floor's work on `event`; returns the bytes of base64 it made."""
    out = 0
    for record in event["records"]:
        message = codec.loads(zlib.decompress(base64.b64decode(record["data"]), 31))
        record_fields = {
            "cloud.provider": "aws",
            "cloud.account.id": message["owner"],
            "cloud.region": "eu-west-1",
            "aws.cloudwatch.log_group": message["logGroup"],
            "aws.cloudwatch.log_stream": message["logStream"],
        }
        for log_event in message["logEvents"]:
            document = {"@timestamp": log_event["timestamp"], "message": log_event["message"]}
            document.update(record_fields)
            document["aws.cloudwatch.event_id"] = log_event["id"]
            out += len(base64.b64encode(codec.dumps(document)))
    return out

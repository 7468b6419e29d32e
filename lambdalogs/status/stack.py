"""Which stack `status` looks at: its names from `pulumi stack output --json` (a file or stdin)
and flags, flags winning; the region from the stream's ARN when no flag gives it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final, TextIO

from lambdalogs.errors import InputError

# The stack outputs `infra/program.py` exports, by the field they fill.
OUTPUT_KEYS: Final = {
    "stream_arn": "streamArn",
    "stream_name": "streamName",
    "bucket": "bucketName",
    "subscriber": "subscriberFunctionName",
    "endpoint": "domainEndpoint",
    "alarm_topic_arn": "alarmTopicArn",
}
_ARN_REGION: Final = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:(?P<region>[a-z]{2}(-[a-z]+)+-\d):")
_ENDPOINT_REGION: Final = re.compile(r"\.(?P<region>[a-z]{2}(-[a-z]+)+-\d)\.es\.amazonaws\.com")


@dataclass(frozen=True)
class Stack:
    """What the checks need; a name left empty skips the checks that need it."""

    region: str = ""
    stream_arn: str = ""
    stream_name: str = ""
    bucket: str = ""
    subscriber: str = ""
    endpoint: str = ""
    alarm_topic_arn: str = ""
    index_prefix: str = "lambda-logs"

    @property
    def opensearch_url(self) -> str:
        if not self.endpoint or "://" in self.endpoint:
            return self.endpoint
        return f"https://{self.endpoint}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def read_outputs(source: Path | None, stdin: TextIO) -> dict[str, Any]:
    """The outputs file (`-` for stdin) as a JSON object; {} when none is given."""
    if source is None:
        return {}
    where = "standard input" if str(source) == "-" else str(source)
    try:
        text = stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read --outputs {where}: {error.strerror}") from None
    try:
        outputs = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"--outputs {where} is not JSON ({error.msg} at line {error.lineno}); give the "
            "output of `pulumi stack output --json`"
        ) from None
    if not isinstance(outputs, dict):
        raise InputError(f"--outputs {where} is not a JSON object of stack outputs")
    return outputs


def stack_from(
    outputs: Mapping[str, Any], flags: Mapping[str, str | None], env: Mapping[str, str]
) -> Stack:
    """The outputs, overridden by the flags given (same field names as `Stack`)."""
    values: dict[str, str] = {}
    for name, key in OUTPUT_KEYS.items():
        value = outputs.get(key)
        if isinstance(value, str) and value:
            values[name] = value
    values |= {name: value for name, value in flags.items() if value}
    if "stream_arn" in values and "stream_name" not in values:
        values["stream_name"] = values["stream_arn"].rsplit("/", 1)[-1]
    values.setdefault("region", _region(values, env))
    stack = Stack(**values)
    if not any((stack.stream_arn, stack.bucket, stack.subscriber, stack.endpoint)):
        raise InputError(
            "nothing to check: give --outputs FILE (from `pulumi stack output --json`, or - for "
            "standard input) or flags (--subscriber, --endpoint, --bucket, --stream)"
        )
    if not stack.region:
        raise InputError("give --region (or AWS_REGION): the stack's region")
    return stack


def _region(values: Mapping[str, str], env: Mapping[str, str]) -> str:
    for arn in (values.get("stream_arn", ""), values.get("alarm_topic_arn", "")):
        found = _ARN_REGION.match(arn)
        if found:
            return found["region"]
    found = _ENDPOINT_REGION.search(values.get("endpoint", ""))
    if found:
        return found["region"]
    return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or ""

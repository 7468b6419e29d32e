"""Lines the Lambda platform writes: START, END, REPORT, INIT_START, INIT_REPORT, RESTORE_*,
EXTENSION/LOGS/TELEMETRY, runtime exits, timeouts, and their `platform.*` JSON records."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, Final

from transformer.crashes import runtime_error
from transformer.types import Fields

_NUMBER: Final = re.compile(r"-?\d+(?:\.\d+)?")
_START: Final = re.compile(r"START RequestId: (\S+)(?:\s+Version: (\S+))?")
_END: Final = re.compile(r"END RequestId: (\S+)")
_TIMEOUT: Final = re.compile(
    r"(\d{4}-\d\d-\d\dT[\d:.]+Z?) (\S+) (Task timed out after [\d.]+ seconds)"
)
_XRAY_ROOT: Final = re.compile(r"Root=([^;\s]+)")
_CAMEL: Final = re.compile(r"(?<!^)(?=[A-Z])")
_STATUS: Final = frozenset({"success", "timeout", "error", "failure"})

# First word of a text platform line → the `aws.lambda.event` it is.
_SIMPLE_KINDS: Final = {
    "INIT_START": "init_start",
    "RESTORE_START": "restore_start",
    "EXTENSION": "extension",
    "LOGS": "logs_subscription",
    "TELEMETRY": "telemetry_subscription",
}
PLATFORM_FIRST_CHARS: Final = frozenset("SEIRLT")


MAX_LONG: Final = 2**63 - 1
RESTORE: Final = "aws.lambda.restore_duration_ms"
BILLED_RESTORE: Final = "aws.lambda.billed_restore_duration_ms"
TENANT: Final = "aws.lambda.tenant_id"


def _number(text: str) -> float | None:
    """'182.44 ms' → 182.44; None for what is not a finite number an OpenSearch double holds."""
    try:
        value = float(text.split(" ", 1)[0])
    except ValueError:
        match = _NUMBER.search(text)
        value = float(match.group()) if match else math.nan
    return value if math.isfinite(value) else None


def _long(value: float) -> int | None:
    """A whole number within OpenSearch's `long`, or None."""
    return int(value) if -MAX_LONG <= value <= MAX_LONG else None


# The keys of REPORT, INIT_REPORT and RESTORE_REPORT. Lambda separates its fields with tabs, but
# AWS's docs, the console's copy and some tools show them separated by single spaces: a field
# then starts at a space before one of these keys (not at the space inside "Billed Duration").
# Every alternative starts with its separator character and checks what precedes the space
# after it (`(?<!Billed )`, not `(?<!Billed) `: the same condition), so the regular expression
# engine skips to the next tab, newline or space instead of trying every alternative at every
# character: 2.4 times faster on the corpus's REPORT lines, the same pieces (tested).
_SPACED_KEY: Final = re.compile(
    r"[\t\n]+| (?:(?=(?:Billed Restore Duration|Billed Duration|Memory Size|Max Memory Used|"
    r"Init Duration|Status|Error Type|XRAY TraceId|SegmentId|Sampled|Phase|Runtime Version ARN|"
    r"Runtime Version|State|Events): )|(?=Duration: )(?<!Billed )(?<!Init )(?<!Restore )"
    r"|(?=Restore Duration: )(?<!Billed ))"
)


def _report_pairs(text: str) -> dict[str, str]:
    """'Duration: 1 ms\tBilled Duration: 2 ms\t\nXRAY TraceId: …' → {'Duration': '1 ms', …};
    the same for fields separated by spaces."""
    pairs: dict[str, str] = {}
    for part in _SPACED_KEY.split(text):
        key, separator, value = part.partition(": ")
        if separator:
            pairs[key.strip()] = value.strip()
    return pairs


def _put_number(fields: Fields, key: str, text: str | None, *, integer: bool = False) -> None:
    if text is None:
        return
    value = _number(text)
    if value is not None and integer:
        fields[key] = _long(value)
        if fields[key] is None:
            del fields[key]
    elif value is not None:
        fields[key] = value


# The REPORT layouts of every runtime today, on demand and provisioned: the optional parts in
# the order Lambda writes them. Anything else (SnapStart's restore durations, fields Lambda may
# add) takes the tolerant path, which gives the same fields for these layouts (tested).
_REPORT: Final = re.compile(
    r"REPORT RequestId: (\S+)\tDuration: (\d{1,12}(?:\.\d+)?) ms\t"
    r"Billed Duration: (\d{1,15}) ms ?\tMemory Size: (\d{1,9}) MB\t"
    r"Max Memory Used: (\d{1,9}) MB\t(?:Init Duration: (\d{1,12}(?:\.\d+)?) ms\t)?"
    r"(?:Status: ([a-z]+)\t?(?:Error Type: ([^\t\n]+)\t?)?)?\s*"
    r"(?:XRAY TraceId: ([^\t\n]+)\tSegmentId: [^\t\n]*\tSampled: [^\t\n]*\t?\s*)?"
)


def common_report(line: str) -> Fields | None:
    """The fields of a REPORT line in one of today's layouts, or None."""
    match = _REPORT.fullmatch(line)
    if match is None:
        return None
    request_id, duration, billed, memory, used, init, status, error_type, trace = match.groups()
    fields: Fields = {
        "aws.lambda.event": "report",
        "faas.execution": request_id,
        "aws.lambda.duration_ms": float(duration),
        "aws.lambda.billed_duration_ms": int(billed),
        "aws.lambda.memory_size_mb": int(memory),
        "aws.lambda.max_memory_used_mb": int(used),
        "faas.coldstart": init is not None,
    }
    if init is not None:
        fields["aws.lambda.init_duration_ms"] = float(init)
    if status in _STATUS:
        _put_status(fields, status)
    if error_type and error_type.strip():
        fields["error.type"] = error_type.strip()
    if trace and trace.strip():
        fields["aws.xray.trace_id"] = trace.strip()
    return fields


def _put_status(fields: Fields, status: str) -> None:
    """`aws.lambda.status`; an invocation or phase that did not succeed is an ERROR line."""
    fields["aws.lambda.status"] = status
    if status != "success":
        fields["log.level"] = "ERROR"


def tolerant_report(line: str, kind: str) -> Fields:
    """REPORT, INIT_REPORT and RESTORE_REPORT lines of any layout: `Key: value` pairs."""
    pairs = _report_pairs(line.split(" ", 1)[1] if " " in line else "")
    fields: Fields = {"aws.lambda.event": kind}
    if "RequestId" in pairs:
        fields["faas.execution"] = pairs["RequestId"]
    _put_number(fields, "aws.lambda.duration_ms", pairs.get("Duration"))
    _put_number(fields, "aws.lambda.billed_duration_ms", pairs.get("Billed Duration"), integer=True)
    _put_number(fields, "aws.lambda.memory_size_mb", pairs.get("Memory Size"), integer=True)
    _put_number(fields, "aws.lambda.max_memory_used_mb", pairs.get("Max Memory Used"), integer=True)
    init = pairs.get("Init Duration")
    if kind == "init_report" and init is None:
        init = pairs.get("Duration")
    _put_number(fields, "aws.lambda.init_duration_ms", init)
    _put_number(fields, RESTORE, pairs.get("Restore Duration"))
    _put_number(fields, BILLED_RESTORE, pairs.get("Billed Restore Duration"), integer=True)
    if kind == "report":  # a SnapStart restore is no cold start: no INIT ran (snapstart-monitoring)
        fields["faas.coldstart"] = "Init Duration" in pairs
    status = pairs.get("Status", "").lower()
    if status in _STATUS:
        _put_status(fields, status)
    if pairs.get("Error Type"):
        fields["error.type"] = pairs["Error Type"]
    if pairs.get("XRAY TraceId"):
        fields["aws.xray.trace_id"] = pairs["XRAY TraceId"]
    return fields


def parse_platform_text(line: str) -> Fields | None:
    """Fields of a platform text line (message excluded), or None if it is not one."""
    if not line or line[0] not in PLATFORM_FIRST_CHARS:
        return None
    if line.startswith("START RequestId: "):
        match = _START.match(line)
        if match is None:
            return None
        fields: Fields = {"aws.lambda.event": "start", "faas.execution": match.group(1)}
        if match.group(2):
            fields["faas.version"] = match.group(2)
        return fields
    if line.startswith("END RequestId: "):
        end = _END.match(line)
        return {"aws.lambda.event": "end", "faas.execution": end.group(1)} if end else None
    if line.startswith("REPORT RequestId: "):
        return common_report(line) or tolerant_report(line, "report")
    if line.startswith(("INIT_REPORT ", "RESTORE_REPORT ")):
        return tolerant_report(line, "init_report" if line[0] == "I" else "restore_report")
    if line.startswith(("RequestId: ", "Error: Runtime ")):
        return runtime_error(line)
    word = line.split(None, 1)[0]
    kind = _SIMPLE_KINDS.get(word)
    if kind is None or (len(line) > len(word) and line[len(word)] not in " \t"):
        return None
    if kind == "extension" and "Error Type: " in line:
        return _failed_extension(line)
    return {"aws.lambda.event": kind}


def _failed_extension(line: str) -> Fields:
    """`EXTENSION Name: x State: LaunchError Events: [] Error Type: UnknownError` (an extension
    that could not start; quoted in public issue threads of the Datadog and .NET extensions)."""
    pairs = _report_pairs(line[len("EXTENSION") :])
    fields: Fields = {"aws.lambda.event": "extension", "log.level": "ERROR"}
    if pairs.get("Error Type"):
        fields["error.type"] = pairs["Error Type"]
    if pairs.get("State"):
        fields["error.message"] = f"extension {pairs.get('Name', '')} {pairs['State']}".replace(
            "  ", " "
        )
    return fields


def parse_timeout(line: str) -> tuple[Fields, str] | None:
    """`<ts> <requestId> Task timed out after N seconds` → (fields, message)."""
    match = _TIMEOUT.match(line)
    if match is None:
        return None
    fields: Fields = {
        "aws.lambda.event": "timeout",
        "log.level": "ERROR",
        "faas.execution": match.group(2),
    }
    return fields, match.group(3)


@lru_cache(maxsize=64)
def event_kind(platform_type: str) -> str:
    """`platform.initStart` → `init_start`, `platform.report` → `report`."""
    return _CAMEL.sub("_", platform_type[len("platform.") :]).lower()


def xray_root(value: object) -> str | None:
    """The Root of an X-Ray trace header (`Root=1-…;Parent=…;Sampled=1`)."""
    if not isinstance(value, str):
        return None
    if value.startswith("1-") and "Root=" not in value:
        return value
    match = _XRAY_ROOT.search(value)
    return match.group(1) if match else (value if value.startswith("1-") else None)


def _metric(metrics: dict[str, Any], key: str) -> float | None:
    value = metrics.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond a double
            return None
        return number if math.isfinite(number) else None
    return None


# platform.report record.metrics key → (document field, whole number)
_REPORT_METRICS: Final = (
    ("durationMs", "aws.lambda.duration_ms", False),
    ("billedDurationMs", "aws.lambda.billed_duration_ms", True),
    ("memorySizeMB", "aws.lambda.memory_size_mb", True),
    ("maxMemoryUsedMB", "aws.lambda.max_memory_used_mb", True),
    ("initDurationMs", "aws.lambda.init_duration_ms", False),
    ("restoreDurationMs", RESTORE, False),
    ("billedRestoreDurationMs", BILLED_RESTORE, True),
)


def _json_metrics(fields: Fields, kind: str, metrics: dict[str, Any]) -> None:
    if kind == "report":
        for key, field, integer in _REPORT_METRICS:
            value = metrics.get(key)
            if type(value) is int:  # bool is not: its type is bool
                if -MAX_LONG <= value <= MAX_LONG:  # beyond: no long, no double either
                    fields[field] = value if integer else float(value)
            elif type(value) is float and math.isfinite(value):
                converted = _long(value) if integer else value
                if converted is not None:
                    fields[field] = converted
        fields["faas.coldstart"] = "initDurationMs" in metrics
    elif kind in ("init_report", "restore_report"):
        value = _metric(metrics, "durationMs")
        if value is not None:
            fields["aws.lambda.init_duration_ms" if kind == "init_report" else RESTORE] = value


def parse_platform_json(obj: dict[str, Any], platform_type: str) -> Fields:
    """Fields of a Lambda JSON-format `platform.*` record."""
    kind = event_kind(platform_type)
    fields: Fields = {"aws.lambda.event": kind}
    record = obj.get("record")
    if not isinstance(record, dict):
        return fields
    request_id = record.get("requestId")
    if isinstance(request_id, str):
        fields["faas.execution"] = request_id
    version = record.get("version", record.get("functionVersion"))
    if isinstance(version, str):
        fields["faas.version"] = version
    tenant = record.get("tenantId")
    if isinstance(tenant, str) and tenant:
        fields[TENANT] = tenant
    status = record.get("status")
    if isinstance(status, str) and status.lower() in _STATUS:
        _put_status(fields, status.lower())
    if isinstance(record.get("errorType"), str):
        fields["error.type"] = record["errorType"]
    tracing = record.get("tracing")
    root = xray_root(tracing.get("value")) if isinstance(tracing, dict) else None
    if root:
        fields["aws.xray.trace_id"] = root
    metrics = record.get("metrics")
    if isinstance(metrics, dict):
        _json_metrics(fields, kind, metrics)
    return fields

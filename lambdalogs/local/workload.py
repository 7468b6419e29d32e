"""A realistic, deterministic CloudWatch Logs workload: a conference app of three functions.

A speaker submits a talk. `conference-create-session` (the API, Node.js, structured JSON logger)
validates it and invokes `conference-save-session` (Python) asynchronously, which writes it to
DynamoDB; the table's stream triggers `conference-notify-slack` (Node.js), which posts to the
chat channel. Every application line carries the request's `traceId` and a `milestone`.

The log lines are byte-for-byte what the Lambda runtimes and platform write (see the shared
corpus): INIT_START/START/END/REPORT with `Init Duration` on cold starts, X-Ray on the API, the
Python and Node.js text prefixes, EMF latency metrics, a throttled-then-retried write, one request
that fails with a traceback and one that times out.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from lambdalogs.local.logevents import LogBatch

REGION: Final = "eu-west-1"
DEFAULT_START: Final = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)

API: Final = "conference-create-session"
SAVE: Final = "conference-save-session"
NOTIFY: Final = "conference-notify-slack"

Runtime = Literal["node", "python"]


@dataclass(frozen=True)
class DemoFunction:
    name: str
    runtime: Runtime
    runtime_version: str
    architecture: Literal["x86_64", "arm64"]
    memory_mb: int
    timeout_s: int


FUNCTIONS: Final = (
    DemoFunction(API, "node", "nodejs:20.v45", "arm64", 256, 10),
    DemoFunction(SAVE, "python", "python:3.12.v38", "x86_64", 512, 15),
    DemoFunction(NOTIFY, "node", "nodejs:20.v45", "arm64", 128, 6),
)

TALKS: Final = (
    "Observability for serverless",
    "Cold starts demystified",
    "Event-driven architectures at scale",
    "OpenSearch for log analytics",
    "Designing idempotent consumers",
    "Kinesis Data Firehose in practice",
    "Cost-aware Lambda tuning",
    "Tracing across async boundaries",
    "DynamoDB single-table design",
    "Chaos engineering on AWS",
)


@dataclass
class LogStream(LogBatch):
    """One container's log stream; `busy_until` is when the container is free again."""

    busy_until: int = 0


@dataclass(frozen=True)
class Workload:
    streams: list[LogBatch]
    architectures: dict[str, str]
    sessions: int
    start_ms: int
    end_ms: int

    @property
    def event_count(self) -> int:
        return sum(len(stream.events) for stream in self.streams)


@dataclass(frozen=True)
class Fate:
    """What happens to one submitted talk."""

    throttled: bool = False
    save_fails: bool = False
    notify_times_out: bool = False


@dataclass(frozen=True)
class Talk:
    trace_id: str
    session_id: str
    title: str
    fate: Fate


class _Generator:
    def __init__(self, seed: int, start_ms: int) -> None:
        self.rng = random.Random(seed)
        self.start_ms = start_ms
        self.streams: dict[str, list[LogStream]] = {f.name: [] for f in FUNCTIONS}
        self.functions = {f.name: f for f in FUNCTIONS}
        self._emitted = 0

    # -- identifiers ---------------------------------------------------------------------------
    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, digits: int) -> str:
        return f"{self.rng.getrandbits(4 * digits):0{digits}x}"

    def event_id(self, at_ms: int) -> str:
        """56 digits like CloudWatch's, increasing with time and then with emission order."""
        self._emitted += 1
        return f"3{at_ms:015d}{self._emitted:08d}{self.rng.getrandbits(100) % 10**32:032d}"

    # -- containers ----------------------------------------------------------------------------
    def container(self, function: DemoFunction, at_ms: int) -> tuple[LogStream, bool]:
        """A free warm container, or a new one (a cold start)."""
        free = [s for s in self.streams[function.name] if s.busy_until < at_ms]
        if free:
            return max(free, key=lambda s: s.busy_until), False
        day = datetime.fromtimestamp(at_ms / 1000, UTC).strftime("%Y/%m/%d")
        stream = LogStream(f"/aws/lambda/{function.name}", f"{day}/[$LATEST]{self.hex(32)}")
        self.streams[function.name].append(stream)
        return stream, True

    def emit(self, stream: LogStream, at_ms: int, message: str) -> None:
        stream.events.append({"id": self.event_id(at_ms), "timestamp": at_ms, "message": message})


class _Invocation:
    """Writes the lines of one invocation into its container's stream."""

    def __init__(self, gen: _Generator, function: DemoFunction, at_ms: int, talk: Talk) -> None:
        self.gen = gen
        self.function = function
        self.trace_id = talk.trace_id
        self.session_id = talk.session_id
        self.request_id = gen.uuid()
        self.stream, self.cold = gen.container(function, at_ms)
        self.init_ms = gen.rng.uniform(180.0, 420.0) if self.cold else 0.0
        self.clock = at_ms
        if self.cold:
            arn = f"arn:aws:lambda:{REGION}::runtime:{gen.hex(64)}"
            self.line(
                f"INIT_START Runtime Version: {function.runtime_version}\t"
                f"Runtime Version ARN: {arn}\n"
            )
            self.clock += math.ceil(self.init_ms)
        self.started = self.clock
        self.line(f"START RequestId: {self.request_id} Version: $LATEST\n")

    def line(self, message: str, after_ms: float = 0.0) -> None:
        self.clock += round(after_ms)
        self.gen.emit(self.stream, self.clock, message)

    def iso(self) -> str:
        moment = datetime.fromtimestamp(self.clock / 1000, UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.clock % 1000:03d}Z"

    def log(
        self, after_ms: float, level: str, milestone: str | None, message: str, **extra: object
    ) -> None:
        """An application line in the function's format, with trace id and milestone."""
        self.clock += round(after_ms)
        body: dict[str, object] = {"traceId": self.trace_id, "functionName": self.function.name}
        body["AWSRequestId"] = self.request_id
        body["sessionId"] = self.session_id
        body.update(extra)
        if milestone:
            body["milestone"] = milestone
        body["message"] = message
        if self.function.name == API:  # a structured logger writing raw JSON to stdout
            text = json.dumps({"timestamp": self.iso(), "level": level, **body})
        elif self.function.runtime == "python":
            text = f"[{level}]\t{self.iso()}\t{self.request_id}\t{json.dumps(body)}"
        else:
            text = f"{self.iso()}\t{self.request_id}\t{level}\t{json.dumps(body)}"
        self.gen.emit(self.stream, self.clock, text + "\n")

    def metric(self, after_ms: float, name: str, value: float, service: str) -> None:
        """An Embedded Metric Format line, as Powertools' metrics flush prints it."""
        self.clock += round(after_ms)
        emf = {
            "_aws": {
                "Timestamp": self.clock,
                "CloudWatchMetrics": [
                    {
                        "Namespace": "ConferenceApp",
                        "Dimensions": [["service"]],
                        "Metrics": [{"Name": name, "Unit": "Milliseconds"}],
                    }
                ],
            },
            "service": service,
            name: round(value, 1),
            "traceId": self.trace_id,
        }
        self.gen.emit(self.stream, self.clock, json.dumps(emf, separators=(",", ":")) + "\n")

    def end(self, *, xray: bool = False, timed_out: bool = False) -> int:
        """END and REPORT; returns the time the container is free again."""
        if timed_out:
            self.clock = self.started + self.function.timeout_s * 1000
            self.line(
                f"{self.iso()} {self.request_id} Task timed out after "
                f"{self.function.timeout_s:.2f} seconds\n\n"
            )
        self.line(f"END RequestId: {self.request_id}\n", after_ms=0 if timed_out else 1)
        duration = (
            self.function.timeout_s * 1000.0
            if timed_out
            else self.clock - self.started + self.gen.rng.uniform(0.1, 0.9)
        )
        self.gen.emit(self.stream, self.clock, self._report(duration, xray, timed_out))
        self.stream.busy_until = self.clock + 5
        return self.clock

    def _report(self, duration: float, xray: bool, timed_out: bool) -> str:
        billed = math.ceil(duration + self.init_ms)
        used = self.gen.rng.randint(self.function.memory_mb // 3, self.function.memory_mb // 2)
        parts = [
            f"REPORT RequestId: {self.request_id}",
            f"Duration: {duration:.2f} ms",
            f"Billed Duration: {billed} ms",
            f"Memory Size: {self.function.memory_mb} MB",
            f"Max Memory Used: {used} MB",
        ]
        if self.cold:
            parts.append(f"Init Duration: {self.init_ms:.2f} ms")
        if timed_out:
            parts.append("Status: timeout")
        text = "\t".join(parts) + "\t\n"
        if xray:
            text += f"XRAY TraceId: 1-{self.started // 1000:08x}-{self.gen.hex(24)}\t"
            text += f"SegmentId: {self.gen.hex(16)}\tSampled: true\t\n"
        return text


def _api(gen: _Generator, at_ms: int, talk: Talk) -> int:
    call = _Invocation(gen, gen.functions[API], at_ms, talk)
    rng = gen.rng
    slow = 1.8 if call.cold else 1.0
    received = f"Received request to create session '{talk.title}'"
    call.log(rng.uniform(2, 6), "INFO", "CREATE_REQUEST_RECEIVED", received)
    call.log(rng.uniform(8, 30) * slow, "INFO", "SESSION_VALIDATED", "Session payload valid")
    call.log(rng.uniform(20, 70) * slow, "INFO", "SAVE_REQUESTED", f"Invoked {SAVE} asynchronously")
    call.metric(
        rng.uniform(1, 4), "CreateSessionLatency", call.clock - call.started, "sessions-api"
    )
    return call.end(xray=True)


def _save(gen: _Generator, at_ms: int, talk: Talk) -> int | None:
    call = _Invocation(gen, gen.functions[SAVE], at_ms, talk)
    rng = gen.rng
    call.log(
        rng.uniform(1, 4), "INFO", "SAVE_REQUEST_RECEIVED", f"Saving session {talk.session_id}"
    )
    if talk.fate.save_fails:
        _save_failure(call)
        return None
    put_started = call.clock
    if talk.fate.throttled:
        call.log(
            rng.uniform(15, 40),
            "WARNING",
            "SAVE_TO_DATABASE_FAILED",
            "PutItem on conference-sessions throttled, retrying once",
            exception="ProvisionedThroughputExceededException: The level of configured "
            "provisioned throughput for the table was exceeded.",
        )
        call.clock += round(rng.uniform(100, 250))
    call.log(
        rng.uniform(12, 45) * (2.5 if call.cold else 1.0),
        "INFO",
        "SAVED_IN_DATABASE",
        "Session stored in table conference-sessions",
    )
    call.metric(0.5, "PutItemLatency", call.clock - put_started, "sessions-store")
    return call.end()


def _save_failure(call: _Invocation) -> None:
    session_id = call.session_id
    rng = call.gen.rng
    reason = (
        "An error occurred (ValidationException) when calling the PutItem operation: "
        "One or more parameter values were invalid: "
        "An AttributeValue may not contain an empty string"
    )
    call.log(
        rng.uniform(10, 30),
        "ERROR",
        "SAVE_TO_DATABASE_FAILED",
        f"Could not store session {session_id}",
    )
    call.line(
        f"[ERROR]\t{call.iso()}\t{call.request_id}\tFailed to save session {session_id}\n"
        "Traceback (most recent call last):\n"
        '  File "/var/task/app.py", line 48, in handler\n'
        '    table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")\n'
        '  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 1023, '
        "in _make_api_call\n"
        "    raise error_class(parsed_response, operation_name)\n"
        f"botocore.exceptions.ClientError: {reason}\n",
        after_ms=1,
    )
    call.line(
        f"[ERROR] ClientError: {reason}\n"
        "Traceback (most recent call last):\n"
        '\xa0\xa0File "/var/task/app.py", line 48, in handler\n'
        '\xa0\xa0\xa0\xa0table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")',
        after_ms=2,
    )
    call.end()


def _notify(gen: _Generator, at_ms: int, talk: Talk) -> None:
    call = _Invocation(gen, gen.functions[NOTIFY], at_ms, talk)
    rng = gen.rng
    call.log(
        rng.uniform(1, 5),
        "INFO",
        "SLACK_NOTIFICATION_REQUEST_RECEIVED",
        f"DynamoDB stream record INSERT for {talk.session_id}",
    )
    if talk.fate.notify_times_out:
        call.log(2500, "WARN", None, "Slack API has not answered after 2500 ms, still waiting")
        call.end(timed_out=True)
        return
    post_started = call.clock
    call.log(
        rng.uniform(120, 650) * (1.4 if call.cold else 1.0),
        "INFO",
        "SLACK_NOTIFICATION_NEW_SESSION_SENT",
        "Posted new session to #conference-sessions",
    )
    call.metric(0.5, "SlackPostLatency", call.clock - post_started, "notifications")
    call.end()


def _fates(rng: random.Random, sessions: int) -> list[Fate]:
    """Mostly happy paths; one failing save and one notification timeout whenever possible."""
    fates = [Fate(throttled=rng.random() < 0.12) for _ in range(sessions)]
    picks = rng.sample(range(sessions), k=min(2, sessions))
    fates[picks[0]] = Fate(save_fails=True)
    if len(picks) > 1:
        fates[picks[1]] = Fate(notify_times_out=True)
    return fates


def _arrivals(rng: random.Random, start_ms: int, sessions: int) -> list[int]:
    """Submissions every few seconds, with a burst just before the call-for-papers deadline."""
    times, at = [], start_ms
    burst = range(sessions * 2 // 3, sessions * 2 // 3 + max(3, sessions // 8))
    for index in range(sessions):
        at += round(rng.uniform(40, 200) if index in burst else rng.expovariate(1 / 9000))
        times.append(at)
    return times


def generate(*, seed: int = 7, sessions: int = 40, start: datetime = DEFAULT_START) -> Workload:
    """The log events of `sessions` talk submissions, deterministic for a seed and start."""
    if sessions < 1:
        raise ValueError("sessions must be at least 1")
    start_ms = int(start.timestamp() * 1000)
    gen = _Generator(seed, start_ms)
    fates = _fates(gen.rng, sessions)
    for index, at_ms in enumerate(_arrivals(gen.rng, start_ms, sessions)):
        talk = Talk(gen.uuid(), f"sess-{2200 + index}", TALKS[index % len(TALKS)], fates[index])
        api_done = _api(gen, at_ms, talk)
        saved = _save(gen, api_done + round(gen.rng.uniform(20, 80)), talk)
        if saved is not None:
            _notify(gen, saved + round(gen.rng.uniform(300, 1500)), talk)
    streams: list[LogBatch] = [stream for group in gen.streams.values() for stream in group]
    for stream in streams:
        stream.events.sort(key=lambda event: event["timestamp"])
    end_ms = max(event["timestamp"] for stream in streams for event in stream.events)
    return Workload(
        streams=streams,
        architectures={f.name: f.architecture for f in FUNCTIONS},
        sessions=sessions,
        start_ms=start_ms,
        end_ms=end_ms,
    )

"""GIVEN the REPORT field separator rewritten for speed (every alternative starts with its
separator character), WHEN lines of REPORT keys, spaces, tabs and newlines are split by it and
by the expression it replaced, THEN the pieces are the same."""

from __future__ import annotations

import random
import re

from transformer.platform import _SPACED_KEY

# The separator before the rewrite (transformer/platform.py at the golden digests' commit).
REFERENCE = re.compile(
    r"[\t\n]+| (?=(?:Billed Restore Duration|Billed Duration|Memory Size|Max Memory Used|"
    r"Init Duration|Status|Error Type|XRAY TraceId|SegmentId|Sampled|Phase|Runtime Version ARN|"
    r"Runtime Version|State|Events): )|(?<!Billed)(?<!Init)(?<!Restore) (?=Duration: )|(?<!Billed) "
    r"(?=Restore Duration: )"
)
ATOMS = (
    *("Billed", "Init", "Restore", "Billed Restore", "Runtime Version", "B", "D", "S", "x"),
    *("Duration: ", "Billed Duration: ", "Restore Duration: ", "Billed Restore Duration: "),
    *("Init Duration: ", "Memory Size: ", "Max Memory Used: ", "Status: ", "Error Type: "),
    *("XRAY TraceId: ", "SegmentId: ", "Sampled: ", "Phase: ", "Runtime Version: "),
    *("Runtime Version ARN: ", "State: ", "Events: ", "ation: ", ": ", "1 ms"),
    *(" ", "  ", "\t", "\n", "\t\n"),
)


def test_random_report_lines_split_alike() -> None:
    rng = random.Random(12)
    for _ in range(20_000):
        line = "".join(rng.choice(ATOMS) for _ in range(rng.randint(0, 14)))
        assert _SPACED_KEY.split(line) == REFERENCE.split(line), repr(line)


def test_a_spaced_report_line_splits_at_its_keys() -> None:
    line = "RequestId: r Duration: 1.5 ms Billed Duration: 2 ms Restore Duration: 3 ms"
    assert _SPACED_KEY.split(line) == [
        "RequestId: r",
        "Duration: 1.5 ms",
        "Billed Duration: 2 ms",
        "Restore Duration: 3 ms",
    ]
    assert REFERENCE.split(line) == _SPACED_KEY.split(line)

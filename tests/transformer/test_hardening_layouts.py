"""Hardening of the warm container: the JSON key-layout cache is bounded by bytes."""

from __future__ import annotations

import gc
import json
import tracemalloc

from transformer.jsonlib import STDLIB
from transformer.jsonlog import LAYOUT_CACHE_BYTES, MAX_CACHED_KEYS, KeyRoles, key_roles
from transformer.parse import parse_line
from transformer.settings import Settings

POWERTOOLS = (
    "level",
    "location",
    "message",
    "timestamp",
    "service",
    "cold_start",
    "function_name",
    "function_request_id",
    "xray_trace_id",
)


SUFFIXES = tuple(f"_{key:03d}_padding_padding_padding" for key in range(512))


def unique_keys(line: int, width: int = 64) -> tuple[str, ...]:
    return tuple(map(f"field_{line:06d}".__add__, SUFFIXES[:width]))


def test_ever_new_key_sets_stay_within_the_byte_budget_and_hot_layouts_stay_cached() -> None:
    # GIVEN a container's key roles, fed 20,000 objects with unique, wide key sets, and the
    # same Powertools layout every tenth line
    roles = KeyRoles(("traceId",), ("milestone",))
    hot = roles.layout(POWERTOOLS)
    for line in range(20_000):
        roles.layout(unique_keys(line, 32))
        if line % 10 == 0:
            hot = roles.layout(POWERTOOLS)
        # THEN the cache's estimate of what it keeps alive never exceeds its budget
        assert roles.cached_bytes <= LAYOUT_CACHE_BYTES
    # AND the repeated layout is still remembered: the same Layout, not worked out again
    assert roles.layout(POWERTOOLS) is hot


def test_what_the_cache_keeps_alive_is_within_its_budget() -> None:
    # GIVEN 2,000 objects with unique keys, 128 of them each (the count-bounded cache kept
    # 12 MB of them), each object gone once parsed: only what the cache holds stays
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        roles = KeyRoles(("traceId",), ("milestone",))
        for line in range(2_000):
            roles.layout(unique_keys(line, 128))
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    # THEN the memory really held (measured) is within the budget, and the estimate covers it
    assert retained <= LAYOUT_CACHE_BYTES, retained
    assert retained <= roles.cached_bytes + 64 * 1024, (retained, roles.cached_bytes)


def test_a_layout_is_remembered_on_second_sight_and_one_too_wide_never() -> None:
    roles = KeyRoles(("traceId",), ())
    first = roles.layout(POWERTOOLS)
    assert roles.cached_bytes < 1000  # met once: only its hash is kept
    second = roles.layout(POWERTOOLS)
    assert roles.layout(POWERTOOLS) is second and second == first
    wide = unique_keys(0, MAX_CACHED_KEYS + 1)
    for _ in range(3):
        roles.layout(wide)
    assert roles.layout(wide) is not roles.layout(wide)  # worked out each time, same content
    assert roles.layout(wide) == roles.layout(wide)


def test_lines_with_ever_new_keys_parse_the_same_through_the_bounded_cache() -> None:
    # GIVEN lines whose keys never repeat, through the real parser and its shared cache
    settings = Settings(region="eu-west-1", trace_id_keys=("hardening_trace",))
    for line in range(300):
        obj: dict[str, object] = dict.fromkeys(unique_keys(line, 8), line)
        obj.update(message=f"m{line}", level="warning", hardening_trace=f"t{line}")
        fields = parse_line(json.dumps(obj), settings, STDLIB)
        # THEN every line still yields its fields
        assert fields["message"] == f"m{line}" and fields["log.level"] == "WARN"
        assert fields["trace.id"] == f"t{line}"
    roles = key_roles(settings.trace_id_keys, settings.label_keys)
    assert roles.cached_bytes <= LAYOUT_CACHE_BYTES

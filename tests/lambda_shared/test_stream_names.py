"""The one naming of a stack's N streams and a hub's N destinations, shared by infra (which
creates them) and the subscriber (which owns filters on any of them)."""

from __future__ import annotations

import pytest

import infra.stack_names
from infra.stack_names import StackNames
from lambda_shared import stream_names
from lambda_shared.stream_names import (
    MAX_DELIVERY_STREAMS,
    every_sibling_arn,
    sibling_name,
    sibling_names,
)


def test_the_family_is_the_base_then_its_dash_two_to_dash_ten_siblings() -> None:
    assert MAX_DELIVERY_STREAMS == 10
    assert sibling_names("p") == ("p", *(f"p-{i}" for i in range(2, 11)))
    assert sibling_names("p", 3) == ("p", "p-2", "p-3")
    assert sibling_name("p-dest", 1) == "p-dest-2"


@pytest.mark.parametrize("position", [-1, MAX_DELIVERY_STREAMS])
def test_a_position_outside_the_family_is_refused(position: int) -> None:
    with pytest.raises(ValueError, match="stream position"):
        sibling_name("p", position)


def test_every_sibling_arn_keeps_the_first_arns_account_and_region() -> None:
    first = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/p"
    arns = every_sibling_arn(first)
    assert len(arns) == MAX_DELIVERY_STREAMS
    assert first in arns and f"{first}-10" in arns
    assert f"{first}-11" not in arns and f"{first}-1" not in arns
    assert all(arn.startswith("arn:aws:firehose:eu-west-1:123456789012:") for arn in arns)


@pytest.mark.parametrize("count", range(1, MAX_DELIVERY_STREAMS + 1))
def test_infra_names_its_streams_and_destinations_from_the_same_family(count: int) -> None:
    names = StackNames("p", count)
    assert names.streams == sibling_names("p")[:count]
    assert names.destinations == sibling_names("p-dest")[:count]
    assert names.every_stream == sibling_names("p")


def test_the_limit_is_declared_once() -> None:
    assert infra.stack_names.MAX_DELIVERY_STREAMS is stream_names.MAX_DELIVERY_STREAMS


def test_a_stack_prefixed_like_our_sibling_has_another_filter_name() -> None:
    # `p-2` is our stream 2's name and the other stack's stream 0: the filter names differ, so
    # neither stack ever takes the other's filters for its own
    ours, other = StackNames("p", 3), StackNames("p-2", 1)
    assert other.stream in ours.every_stream
    assert ours.filter_name != other.filter_name

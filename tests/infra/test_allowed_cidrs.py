"""`allowedCidrs` is an allowlist: networks wider than an IPv4 /8 or an IPv6 /32, one by one or
together, are refused unless `allowWideCidrs` says they are meant."""

from __future__ import annotations

import pytest

from infra.config_errors import ConfigError
from infra.stack_config import StackConfig
from tests.infra.harness import PASSWORD


def _config(cidrs: str, **values: str) -> StackConfig:
    given = {"masterUserPassword": PASSWORD, "allowedCidrs": cidrs, **values}
    return StackConfig.from_values(given, stack="dev", region="eu-west-1")


@pytest.mark.parametrize(
    ("cidrs", "named"),
    [
        ("0.0.0.0/1,128.0.0.0/1", "0.0.0.0/1 (wider than /8)"),
        ("203.0.113.0/24, 12.0.0.0/7", "12.0.0.0/7 (wider than /8)"),
        ("2001:db8::/31", "2001:db8::/31 (wider than /32)"),
        ("::/1, 8000::/1", "::/1 (wider than /32)"),
    ],
)
def test_a_network_wider_than_the_limit_is_refused_by_name(cidrs: str, named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _config(cidrs)
    message = str(raised.value)
    assert named in message
    assert "pulumi config set allowWideCidrs true" in message
    assert "pulumi config set allowedCidrs 203.0.113.0/24" in message


def test_many_narrow_networks_that_together_cover_more_than_a_slash_8_are_refused() -> None:
    # 257 /16s: each one is fine, together they cover more than 16,777,216 addresses.
    cidrs = ",".join([f"10.{i}.0.0/16" for i in range(256)] + ["11.0.0.0/16"])
    with pytest.raises(ConfigError) as raised:
        _config(cidrs)
    assert "the IPv4 networks together (16,842,752 addresses, more than one /8)" in str(
        raised.value
    )


def test_overlapping_networks_are_counted_once() -> None:
    # 10.0.0.0/8 and everything inside it still covers exactly one /8.
    config = _config("10.0.0.0/8, 10.1.0.0/16, 10.2.3.0/24")
    assert config.domain.allowed_cidrs == ("10.0.0.0/8", "10.1.0.0/16", "10.2.3.0/24")


def test_the_widest_accepted_networks_pass() -> None:
    config = _config("10.0.0.0/8, 2001:db8::/32")
    assert config.domain.allowed_cidrs == ("10.0.0.0/8", "2001:db8::/32")


def test_the_override_accepts_wide_networks() -> None:
    config = _config("0.0.0.0/1,128.0.0.0/1", allowWideCidrs="true")
    assert config.domain.allowed_cidrs == ("0.0.0.0/1", "128.0.0.0/1")


def test_the_override_never_admits_slash_0() -> None:
    with pytest.raises(ConfigError, match="none of them /0"):
        _config("0.0.0.0/0", allowWideCidrs="true")

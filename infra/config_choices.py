"""The values the keys with choices accept (`Choices` in `infra/config_keys.py`), typed for the
sections that hold them."""

from __future__ import annotations

from typing import Final, Literal

SubscriptionMode = Literal["reconciler", "account-policy"]
Architecture = Literal["arm64", "x86_64"]
Deployment = Literal["standalone", "hub", "spoke"]

MODES: Final[tuple[SubscriptionMode, ...]] = ("reconciler", "account-policy")
ARCHITECTURES: Final[tuple[Architecture, ...]] = ("arm64", "x86_64")
DEPLOYMENTS: Final[tuple[Deployment, ...]] = ("standalone", "hub", "spoke")
ZONE_COUNTS: Final = (2, 3)
ARCHIVE_CLASSES: Final = (
    "STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE",
)  # fmt: skip
LOG_RETENTION_VALUES: Final = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip
"""The retention values CloudWatch Logs accepts, in days."""

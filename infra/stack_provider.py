"""What the program takes over from the stack's own AWS provider configuration (`aws:*`): who
its own calls act as (`aws:profile`, `aws:assumeRoles`: infra/deployer.py), and what the
providers a hub creates for its spokes (infra/spoke_rollout.py) copy besides: `aws:defaultTags`
(an organisation's tag policy or SCP may refuse untagged resources) and `aws:ignoreTags`.

`aws:assumeRoles` is pulumi-aws's list of objects (`roleArn`, and optionally `sessionName`,
`externalId`, `duration` as a Go duration such as "15m" or "1h", `sourceIdentity`, `policy`,
`policyArns`, `tags`, `transitiveTagKeys`); STS accepts a DurationSeconds of 900 to 43,200."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from infra.config_errors import ConfigError
from infra.deployer import DEPLOYER_SESSION_NAME, AssumedRole, Deployer

ASSUME_ROLES: Final = "aws:assumeRoles"
_ROLE_KEYS: Final = frozenset(
    {"roleArn", "sessionName", "externalId", "duration", "sourceIdentity", "policy"}
    | {"policyArns", "tags", "transitiveTagKeys"}
)
_DURATION_PART: Final = re.compile(r"(\d+(?:\.\d+)?)(h|m|s)")
_SECONDS: Final = {"h": 3600.0, "m": 60.0, "s": 1.0}
_MIN_SESSION_SECONDS: Final = 900  # STS AssumeRole DurationSeconds: 900 to 43,200 (a role's
_MAX_SESSION_SECONDS: Final = 43_200  # own maximum, and 3,600 for a chained role, may be less)
_CHAINED_MAX_SECONDS: Final = 3_600


NOT_FOLLOWED: Final = (
    *("accessKey", "secretKey", "token", "assumeRoleWithWebIdentity"),
    *("sharedCredentialsFiles", "sharedConfigFiles", "stsRegion", "endpoints"),
    *("customCaBundle", "httpProxy", "httpsProxy", "useFipsEndpoint", "useDualstackEndpoint"),
)
"""Provider settings the program's own calls do not follow (they use the profile or the default
credential chain, then the roles): each set one is a warning (`not_followed`)."""


@dataclass(frozen=True)
class StackProvider:
    deployer: Deployer = field(default_factory=Deployer)
    default_tags: Mapping[str, str] = field(default_factory=dict)
    """`aws:defaultTags`' `tags`."""
    ignore_tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """`aws:ignoreTags`: `keys` and `key_prefixes` (the provider's argument names)."""
    not_followed: tuple[str, ...] = ()
    """The NOT_FOLLOWED settings the stack sets."""

    def warnings(self) -> list[str]:
        return [
            f"aws:{name} is set, but the program's own calls (the account checks, and its "
            "functions' invocations at deploy and destroy) do not use it: they act as "
            "aws:profile or the default credential chain, then the roles of aws:assumeRoles. "
            "Make sure those reach the account the provider deploys into (docs/deploy.md)"
            for name in self.not_followed
        ]


def _problem(problem: str) -> ConfigError:
    return ConfigError(
        f"Configuration '{ASSUME_ROLES}' {problem}. Fix it with: pulumi config set --path "
        f"'{ASSUME_ROLES}[0].roleArn' arn:aws:iam::111122223333:role/deployer (one entry per "
        "role, assumed in order)"
    )


def duration_seconds(text: str) -> int:
    """A Go duration ("1h", "15m", "1h30m", "900s") in whole seconds."""
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        raise _problem(f"has duration {text!r}, which is not a duration such as 15m or 1h")
    seconds = round(sum(float(number) * _SECONDS[unit] for number, unit in parts))
    if not _MIN_SESSION_SECONDS <= seconds <= _MAX_SESSION_SECONDS:
        raise _problem(f"has duration {text!r}, outside the 15m to 12h STS accepts")
    return seconds


def _text_list(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _problem(f"has {where} that is not a list of strings")
    return tuple(value)


def _role(index: int, given: object) -> AssumedRole:
    where = f"entry {index}"
    if not isinstance(given, dict) or not isinstance(given.get("roleArn"), str):
        raise _problem(f"has {where} without a roleArn")
    unknown = sorted(set(given) - _ROLE_KEYS)
    if unknown:
        raise _problem(f"has {where} with {', '.join(unknown)}, which the program cannot pass on")
    tags = given.get("tags") or {}
    if not isinstance(tags, dict):
        raise _problem(f"has {where} whose tags are not an object")
    duration = given.get("duration")
    return AssumedRole(
        role_arn=given["roleArn"],
        session_name=str(given.get("sessionName") or DEPLOYER_SESSION_NAME),
        external_id=given.get("externalId") or None,
        duration_seconds=duration_seconds(str(duration)) if duration else None,
        source_identity=given.get("sourceIdentity") or None,
        policy=given.get("policy") or None,
        policy_arns=_text_list(given.get("policyArns") or [], f"{where}'s policyArns"),
        tags=tuple((str(k), str(v)) for k, v in tags.items()),
        transitive_tag_keys=_text_list(
            given.get("transitiveTagKeys") or [], f"{where}'s transitiveTagKeys"
        ),
    )


def _object(value: object) -> Any:
    """A structured value as Pulumi gives it: parsed already, or its JSON text."""
    if isinstance(value, str):
        try:
            return json.loads(value) if value.strip() else None
        except ValueError:
            return value
    return value


def _is_set(value: object) -> bool:
    """Given, and not false (`aws:useFipsEndpoint false` asks for nothing)."""
    parsed = _object(value)
    return bool(parsed) and str(parsed).strip().lower() not in ("false", "0")


def read_stack_provider(values: Mapping[str, object]) -> StackProvider:
    """From the `aws:` configuration (its keys without the namespace: profile, assumeRoles,
    defaultTags, ignoreTags)."""
    roles = _object(values.get("assumeRoles")) or []
    if not isinstance(roles, list):
        raise _problem("is not a list of roles")
    profile = values.get("profile")
    chain = tuple(_role(i, r) for i, r in enumerate(roles))
    for index, role in enumerate(chain[1:], start=1):
        if role.duration_seconds and role.duration_seconds > _CHAINED_MAX_SECONDS:
            raise ConfigError(
                f"Configuration '{ASSUME_ROLES}' has entry {index} with a duration over 1h: it "
                "is assumed with the session of the role before it, and STS allows a chained "
                f"session at most an hour. Fix it with: pulumi config set --path "
                f"'{ASSUME_ROLES}[{index}].duration' 1h (or remove it: pulumi config rm --path "
                f"'{ASSUME_ROLES}[{index}].duration')"
            )
    deployer = Deployer(str(profile) if profile else None, chain)
    tags = _object(values.get("defaultTags")) or {}
    ignore = _object(values.get("ignoreTags")) or {}
    default_tags = tags.get("tags") if isinstance(tags, dict) else None
    return StackProvider(
        deployer,
        {str(k): str(v) for k, v in (default_tags or {}).items()},
        {
            name: tuple(map(str, ignore.get(key) or ()))
            for name, key in (("keys", "keys"), ("key_prefixes", "keyPrefixes"))
            if isinstance(ignore, dict) and ignore.get(key)
        },
        tuple(name for name in NOT_FOLLOWED if _is_set(values.get(name))),
    )


def stack_provider() -> StackProvider:
    """The running stack's (Pulumi's `aws` configuration namespace)."""
    import pulumi

    aws = pulumi.Config("aws")
    names = ("profile", "assumeRoles", "defaultTags", "ignoreTags", *NOT_FOLLOWED)
    return read_stack_provider({name: aws.get(name) for name in names})

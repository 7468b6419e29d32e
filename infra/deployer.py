"""Who the program's own AWS calls act as: the account checks before anything is created, and
the invocations of its functions at deploy and destroy (infra/lambda_invocation.py), which run
outside the Pulumi provider. They act as the stack's provider does: `aws:profile` (else the
default credential chain), then every role of `aws:assumeRoles` in order, each assumed with the
credentials of the one before (STS role chaining; AWS limits a chained session to one hour),
then, for a spoke a hub deploys, that account's deploy role (`Deployer.then`).

Without this, a stack whose provider assumes a role into its account (a CI runner in a tools
account) would create its resources there but check, and invoke its functions in, the runner's
own account. Importable without Pulumi: the dynamic providers' process imports it too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

DEPLOYER_SESSION_NAME: Final = "lambda-logs-deployer"
"""The session name of a role assumed without one (CloudTrail shows it in the role's account)."""


@dataclass(frozen=True)
class AssumedRole:
    """One role of the chain, with what STS AssumeRole takes beside its ARN."""

    role_arn: str
    session_name: str = DEPLOYER_SESSION_NAME
    external_id: str | None = None
    duration_seconds: int | None = None
    source_identity: str | None = None
    policy: str | None = None
    policy_arns: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()

    def assume_role_parameters(self) -> dict[str, Any]:
        """STS AssumeRole's request parameters (botocore's names)."""
        given: dict[str, Any] = {
            "RoleArn": self.role_arn,
            "RoleSessionName": self.session_name,
            "ExternalId": self.external_id,
            "DurationSeconds": self.duration_seconds,
            "SourceIdentity": self.source_identity,
            "Policy": self.policy,
            "PolicyArns": [{"arn": arn} for arn in self.policy_arns] or None,
            "Tags": [{"Key": k, "Value": v} for k, v in self.tags] or None,
            "TransitiveTagKeys": list(self.transitive_tag_keys) or None,
        }
        return {name: value for name, value in given.items() if value is not None}

    def as_props(self) -> dict[str, Any]:
        """JSON-able, for a dynamic resource's state (`from_props` reads it back)."""
        props: dict[str, Any] = {"role_arn": self.role_arn, "session_name": self.session_name}
        for name in ("external_id", "duration_seconds", "source_identity", "policy"):
            if getattr(self, name) is not None:
                props[name] = getattr(self, name)
        for name in ("policy_arns", "tags", "transitive_tag_keys"):
            if getattr(self, name):
                props[name] = [list(v) if isinstance(v, tuple) else v for v in getattr(self, name)]
        return props

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> AssumedRole:
        return cls(
            role_arn=str(props["role_arn"]),
            session_name=str(props.get("session_name") or DEPLOYER_SESSION_NAME),
            external_id=props.get("external_id"),
            # a dynamic resource's state gives numbers back as floats; STS takes an int
            duration_seconds=int(props["duration_seconds"])
            if props.get("duration_seconds")
            else None,
            source_identity=props.get("source_identity"),
            policy=props.get("policy"),
            policy_arns=tuple(props.get("policy_arns") or ()),
            tags=tuple((str(k), str(v)) for k, v in props.get("tags") or ()),
            transitive_tag_keys=tuple(props.get("transitive_tag_keys") or ()),
        )


@dataclass(frozen=True)
class Deployer:
    """The credentials the program's own calls start from, and the roles they then assume."""

    profile: str | None = None
    roles: tuple[AssumedRole, ...] = ()

    def then(self, role_arn: str | None, session_name: str = DEPLOYER_SESSION_NAME) -> Deployer:
        """This deployer, then `role_arn` assumed last (unchanged for None)."""
        if not role_arn:
            return self
        return replace(self, roles=(*self.roles, AssumedRole(role_arn, session_name)))

    def as_props(self) -> dict[str, Any]:
        """`profile`, and `deployer_roles` only when the chain has any (so the state of a stack
        without one stays as it was)."""
        props: dict[str, Any] = {"profile": self.profile or ""}
        if self.roles:
            props["deployer_roles"] = [role.as_props() for role in self.roles]
        return props

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> Deployer:
        roles: Sequence[Mapping[str, Any]] = props.get("deployer_roles") or ()
        return cls(
            str(props.get("profile") or "") or None,
            tuple(AssumedRole.from_props(role) for role in roles),
        )

    def session(self, region: str, start: Any = None) -> Any:
        """A boto3 session holding the last role's temporary credentials (the profile's, or the
        default chain's, without roles). STS AssumeRole "Returns a set of temporary security
        credentials" (AccessKeyId, SecretAccessKey, SessionToken) in the role's account.
        `start`: a session holding the profile's credentials already (the checks resolve them
        once: infra/aws_context.py)."""
        import boto3

        session = start or boto3.Session(profile_name=self.profile or None)
        for role in self.roles:
            sts = session.client("sts", region_name=region)
            credentials = sts.assume_role(**role.assume_role_parameters())["Credentials"]
            session = boto3.Session(
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
            )
        return session

"""Runs the Pulumi program against recording mocks: no AWS, no Pulumi CLI, no network."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from unittest import mock

import pulumi
import pulumi.runtime

from infra.lambda_package import LAMBDA_PYTHON_VERSION, PLATFORMS
from infra.packages import REPOSITORY_ROOT, PackageOptions

PROJECT: Final = "lambda-logs-opensearch"
STACK: Final = "test"
REGION: Final = "eu-west-1"
ACCOUNT: Final = "123456789012"
PASSWORD: Final = "Sup3r-secret!"
ORJSON_WHEEL_MODULE: Final = "orjson/__init__.py"
SECRET_SIG: Final = "4dabf18193072939515e22adb298388d"  # Pulumi's marker of a secret value


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and SECRET_SIG in value


def reveal(value: Any) -> Any:
    """`value` with every secret wrapper replaced by the value it wraps."""
    if is_secret(value):
        return reveal(value["value"])
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def key(type_: str, name: str) -> str:
    return f"{type_}::{name}"


@dataclass(frozen=True)
class Recorded:
    """One resource the program registered, with its resolved inputs."""

    type: str
    name: str
    raw_inputs: dict[str, Any]
    """As the engine received them (secrets still wrapped)."""

    @property
    def inputs(self) -> dict[str, Any]:
        revealed: dict[str, Any] = reveal(self.raw_inputs)
        return revealed

    def json(self, key: str) -> Any:
        return json.loads(self.inputs[key])


@dataclass
class ProgramRun:
    resources: list[Recorded] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    depends_on: dict[str, set[str]] = field(default_factory=dict)
    """`type::name` → the `type::name` of its explicit `depends_on` (destroy runs in reverse)."""
    parents: dict[str, str] = field(default_factory=dict)
    """`type::name` → the `type::name` of its parent."""
    protected: set[str] = field(default_factory=set)
    """`type::name` of every resource given `protect=True` (a destroy fails at it)."""
    active: bool = False
    """Whether this run's program is the one running: a stack transformation stays registered
    on Pulumi's root resource after its test, so an earlier run's `record_options` also sees
    every later run's resources in the same process, and must not record them."""

    @contextmanager
    def running(self) -> Iterator[None]:
        """Record what the program run inside registers (see `active`)."""
        self.active = True
        try:
            yield
        finally:
            self.active = False

    def record_options(
        self, args: pulumi.ResourceTransformationArgs
    ) -> pulumi.ResourceTransformationResult | None:
        if not self.active:
            return None
        given = args.opts.depends_on
        deps: list[Any] = list(given) if isinstance(given, list | tuple) else [given]
        self.depends_on[key(args.type_, args.name)] = {
            key(dep.pulumi_resource_type, dep.pulumi_resource_name)
            for dep in deps
            if isinstance(dep, pulumi.Resource)
        }
        if args.opts.protect:
            self.protected.add(key(args.type_, args.name))
        parent = args.opts.parent
        if parent is not None:
            self.parents[key(args.type_, args.name)] = key(
                parent.pulumi_resource_type, parent.pulumi_resource_name
            )
        return None

    def of_type(self, type_: str) -> list[Recorded]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> Recorded:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        assert len(found) == 1, (
            f"expected one {type_} {name or ''}, found {[r.name for r in found]}"
        )
        return found[0]

    def named(self, name: str) -> Recorded:
        found = [r for r in self.resources if r.name == name]
        assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
        return found[0]


def _arn(service: str, resource: str, regional: bool = True) -> str:
    region = REGION if regional else ""
    account = ACCOUNT if service != "s3" else ""
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def _computed(type_: str, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """What AWS would compute for the few outputs the program reads."""
    given = inputs.get("name") or name
    if type_ == "aws:s3/bucket:Bucket":
        bucket = f"{name}-0a1b2c3"
        return {"bucket": bucket, "arn": _arn("s3", bucket, regional=False)}
    if type_ == "aws:iam/role:Role":
        return {"name": name, "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}"}
    if type_ == "aws:lambda/function:Function":
        return {"arn": _arn("lambda", f"function:{given}")}
    if type_ == "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
        return {"arn": _arn("firehose", f"deliverystream/{given}")}
    if type_ == "aws:opensearch/domain:Domain":
        domain = inputs["domainName"]
        return {
            "arn": _arn("es", f"domain/{domain}"),
            "endpoint": f"search-{domain}-abc123.{REGION}.es.amazonaws.com",
        }
    if type_ == "aws:sns/topic:Topic":
        return {"arn": _arn("sns", name)}
    if type_ == "aws:cloudwatch/eventRule:EventRule":
        return {"name": name, "arn": _arn("events", f"rule/{name}")}
    if type_ == "aws:secretsmanager/secret:Secret":  # AWS appends six random characters
        return {"arn": _arn("secretsmanager", f"secret:{name}-AbCdEf")}
    if type_ == "aws:secretsmanager/secretVersion:SecretVersion":  # a new value, a new version
        digest = hashlib.sha256(str(inputs.get("secretString", "")).encode()).hexdigest()
        return {"versionId": f"v-{digest[:12]}"}
    if type_ == "aws:cloudwatch/logGroup:LogGroup":
        return {"arn": _arn("logs", f"log-group:{given}")}
    return {"arn": _arn("mock", name)}


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self, run: ProgramRun) -> None:
        self.run = run

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        self.run.resources.append(Recorded(args.typ, args.name, dict(args.inputs)))
        state = {**args.inputs, **_computed(args.typ, args.name, args.inputs)}
        return f"{args.name}-id", state

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return (
                {
                    "accountId": ACCOUNT,
                    "arn": f"arn:aws:iam::{ACCOUNT}:user/deployer",
                    "userId": "AIDAEXAMPLE",
                    "id": ACCOUNT,
                },
                [],
            )
        raise AssertionError(f"unexpected call {args.token}")


def fake_wheel(cache: Path, architecture: str, version: str = "3.10.0") -> Path:
    """A tiny stand-in for the orjson wheel of `architecture`, in the cache layout."""
    platform = PLATFORMS[architecture]
    directory = cache / f"py{LAMBDA_PYTHON_VERSION}-{platform}"
    directory.mkdir(parents=True, exist_ok=True)
    tag = platform.replace("manylinux2014", "manylinux_2_17")
    wheel = directory / f"orjson-{version}-cp312-cp312-{tag}.{platform}.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(ORJSON_WHEEL_MODULE, f"# fake orjson for {architecture}\n")
        archive.writestr(f"orjson-{version}.dist-info/METADATA", "Name: orjson\n")
        archive.writestr(f"orjson-{version}.dist-info/RECORD", "")
    return wheel


def no_download(requirement: str, platform: str, destination: Path) -> None:
    raise AssertionError(f"tests must not download {requirement} for {platform}")


def offline_packages(tmp: Path, *, bundle_orjson: bool = True) -> PackageOptions:
    cache = tmp / "wheels"
    for architecture in PLATFORMS:
        fake_wheel(cache, architecture)
    return PackageOptions(REPOSITORY_ROOT, tmp / "build", cache, bundle_orjson, no_download)


DEPLOYER_CIDR: Final = "198.51.100.7/32"


def base_config() -> dict[str, str]:
    """The least a stack that creates its domain needs."""
    return {"masterUserPassword": PASSWORD, "allowedCidrs": DEPLOYER_CIDR}


def run_program(
    values: Mapping[str, str],
    packages: PackageOptions,
    *,
    aws_values: Mapping[str, str] | None = None,
    readers: Any = None,
) -> ProgramRun:
    """Run `infra.program.main` once under mocks; returns every resource and stack output.
    `aws_values`: the stack's `aws:` settings besides its region (profile, assumeRoles, …);
    `readers`: the account checks' (offline by default)."""
    from infra.account_checks import AccountReaders
    from infra.program import main

    run = ProgramRun()
    pulumi.runtime.set_mocks(RecordingMocks(run), project=PROJECT, stack=STACK, preview=False)
    config = {f"{PROJECT}:{key}": value for key, value in values.items()}
    config["aws:region"] = REGION
    config.update({f"aws:{name}": value for name, value in (aws_values or {}).items()})
    pulumi.runtime.set_all_config(config, [f"{PROJECT}:masterUserPassword"])
    exported: dict[str, Any] = {}

    def record(name: str, value: Any) -> None:
        exported[name] = value

    def program() -> pulumi.Output[Any]:
        pulumi.runtime.register_stack_transformation(run.record_options)
        main(packages, readers or AccountReaders.offline())
        return pulumi.Output.from_input(exported).apply(run.outputs.update)

    with run.running(), mock.patch("infra.program.pulumi.export", record):
        pulumi.runtime.test(program)()  # type: ignore[no-untyped-call]
    return run

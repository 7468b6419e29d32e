"""`ContentApplier`: the OpenSearch content of a VPC domain, applied by a function inside the VPC
(issue 14: `pulumi up` on the deployer's machine cannot reach a VPC domain).

The function (`opensearch/applier_handler.py`, package `infra.packages.build_applier`) runs the
same `opensearch.apply.apply_content` as `OpenSearchContent`'s dynamic resource, through the
lean urllib transport. `pulumi up` invokes it once on create and again only when the content
hash (the one `OpenSearchContent` uses: rendered artifacts + settings) or the connection
(endpoint, region, master user, or a secret: the master password, a webhook) changes, through
`infra.lambda_invocation.LambdaInvocation`. The master password and the webhooks' URLs travel
as its secret payload: a Pulumi secret in the state, sent in the Invoke request body over TLS
to the Lambda API, never logged by the function. Destroy invokes nothing: the content outlives
the stack's resources, as with `OpenSearchContent`.

`content_step` chooses: with a VPC, this component; without, `OpenSearchContent`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

import pulumi

from infra.aws_context import AwsContext
from infra.config_sections import FunctionsConfig, FunctionSize
from infra.deployer import Deployer
from infra.lambda_invocation import LambdaInvocation, LambdaInvocationArgs
from infra.lambda_package import BuiltPackage
from infra.opensearch_content import OpenSearchContent, OpenSearchContentArgs, dynamic_props
from infra.packages import APPLIER_HANDLER, PackageOptions, build_applier
from infra.python_function import PythonFunction, PythonFunctionArgs, policy_json
from infra.stack_names import StackNames
from infra.vpc_config import VpcConfig
from infra.vpc_policies import content_applier_permissions
from lambda_shared.pipeline_groups import pipeline_log_group

TYPE_TOKEN: Final = "lambdalogs:opensearch:ContentApplier"
APPLIER_SIZE: Final = FunctionSize(memory_mb=256, timeout_seconds=300)
"""One apply is ~20 requests and one saved-objects import; 300 s leaves room for a slow domain
(each request times out after 30 s and is retried twice)."""
SECRET_KEYS: Final = ("master_user_password", "notification_secrets")
CONNECTION_KEYS: Final = ("endpoint", "region", "master_user_name")


@dataclass(frozen=True)
class ApplierSite:
    """Where the applier runs: the VPC, and what the stack's other functions share."""

    vpc: VpcConfig
    ctx: AwsContext
    names: StackNames
    functions: FunctionsConfig
    domain_arn: pulumi.Input[str]
    deployer: Deployer | None = None
    package: BuiltPackage | None = None
    """None: built from this repository (`build_applier`)."""


def function_name(names: StackNames) -> str:
    return f"{names.prefix}-content-applier"


def log_group_name(names: StackNames) -> str:
    return pipeline_log_group(names.prefix, "content-applier")


def split_props(props: dict[str, Any]) -> tuple[dict[str, Any], pulumi.Output[str]]:
    """The content property bag as (plain payload, secret JSON of the secrets)."""
    plain = {key: value for key, value in props.items() if key not in SECRET_KEYS}
    secrets = pulumi.Output.all(*(props[key] for key in SECRET_KEYS)).apply(
        lambda values: json.dumps(dict(zip(SECRET_KEYS, values, strict=True)), sort_keys=True)
    )
    return plain, secrets


def triggers(plain: dict[str, Any]) -> pulumi.Output[str]:
    """What re-applies: the content hash and the connection (the secrets re-apply through the
    invocation's secret payload)."""
    keys = ("content_hash", *CONNECTION_KEYS)
    return pulumi.Output.all(*(plain[key] for key in keys)).apply(
        lambda values: json.dumps(dict(zip(keys, values, strict=True)), sort_keys=True)
    )


def _policy(site: ApplierSite, signs_requests: bool) -> pulumi.Output[str]:
    return pulumi.Output.from_input(site.domain_arn).apply(
        lambda arn: policy_json(
            content_applier_permissions(
                site.ctx, log_group_name(site.names), site.vpc, arn, signs_requests
            )
        )
    )


def _result_field(result: Any, key: str) -> Any:
    """A field of the function's answer (None before the first apply, or when cut)."""
    try:
        answer = json.loads(result) if isinstance(result, str) else None
    except ValueError:
        return None
    return answer.get(key) if isinstance(answer, dict) else None


class ContentApplier(pulumi.ComponentResource):
    """The function in the VPC, and its invocation when the content or connection changes."""

    content_hash: pulumi.Output[str]
    monitor_ids: pulumi.Output[Any]

    def __init__(
        self,
        name: str,
        content: OpenSearchContentArgs,
        site: ApplierSite,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        package = site.package or build_applier(PackageOptions.for_repository(False))
        self.function = PythonFunction(
            f"{name}-applier",
            PythonFunctionArgs(
                function_name=function_name(site.names),
                log_group_name=log_group_name(site.names),
                handler=APPLIER_HANDLER,
                package=package,
                shared=site.functions,
                size=APPLIER_SIZE,
                environment={},
                policy=_policy(site, signs_requests=not content.master_user_password),
                description="Applies the OpenSearch content from inside the domain's VPC",
                vpc=site.vpc,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        plain, secrets = split_props(dynamic_props(content))
        self.invocation = LambdaInvocation(
            f"{name}-apply",
            LambdaInvocationArgs(
                function_name=self.function.function.name,
                region=site.ctx.region,
                timeout_seconds=APPLIER_SIZE.timeout_seconds,
                create_payload=plain,
                delete_payload=None,
                triggers=triggers(plain),
                deployer=site.deployer,
                secret_payload=secrets,
                pass_previous_result=True,
            ),
            pulumi.ResourceOptions(
                parent=self,
                depends_on=[self.function.function, self.function.role_policy],
            ),
        )
        self.content_hash = pulumi.Output.from_input(plain["content_hash"])
        self.monitor_ids = self.invocation.result.apply(lambda r: _result_field(r, "monitor_ids"))
        self.register_outputs(
            {"content_hash": self.content_hash, "function_name": self.function.function.name}
        )


ContentStep = OpenSearchContent | ContentApplier


def content_step(
    name: str,
    content: OpenSearchContentArgs,
    site: ApplierSite | None,
    opts: pulumi.ResourceOptions | None = None,
) -> ContentStep:
    """The in-VPC applier when the domain is in a VPC (`site`), else the deployer-side dynamic
    resource; both apply the same content and re-apply on the same hash."""
    if site is None:
        return OpenSearchContent(name, content, opts)
    return ContentApplier(name, content, site, opts)

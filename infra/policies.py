"""IAM, resource and access policy documents, as pure functions of ARNs.

Least privilege: explicit actions, no `*` action; resources scoped to this pipeline's ARNs.
The one exception is `lambda:ListFunctions`, which AWS only grants on `*`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from infra.aws_context import AwsContext
from lambda_shared.environment import (
    ARCHITECTURE_MAP_KEY_PREFIX,
    BACKFILL_STATE_KEY_PREFIX,
    GROUP_STATE_KEY_PREFIX,
)
from lambda_shared.pipeline_groups import PIPELINE_LOG_GROUP_PREFIX

Policy = dict[str, Any]
Statement = dict[str, Any]

ES_HTTP_ACTIONS: Final = (
    "es:ESHttpDelete",
    "es:ESHttpGet",
    "es:ESHttpHead",
    "es:ESHttpPatch",
    "es:ESHttpPost",
    "es:ESHttpPut",
)
VPC_DESCRIBE_ACTIONS: Final = (
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
)
"""Read-only EC2 list calls Firehose makes for VPC delivery; the Service Authorization Reference
gives them no resource type (only the ec2:Region condition)."""
UNSCOPED_ACTIONS: Final = frozenset(
    {"lambda:ListFunctions", "logs:DescribeLogGroups", *VPC_DESCRIBE_ACTIONS}
)
"""Actions without resource-level permissions: `Resource: *` is the narrowest possible."""


def document(*statements: Statement) -> Policy:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(sid: str, actions: Sequence[str], resources: Sequence[str], **extra: Any) -> Statement:
    statement: Statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": list(resources),
    }
    statement.update(extra)
    return statement


def service_trust(service: str, condition: dict[str, Any] | None = None) -> Policy:
    """A role only `service` may assume (on `condition`, the confused-deputy guard)."""
    statement: Statement = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return document(statement)


def lambda_trust() -> Policy:
    return service_trust("lambda.amazonaws.com")


def firehose_trust(ctx: AwsContext) -> Policy:
    """Firehose on behalf of this account (AWS's documented `sts:ExternalId` form)."""
    return service_trust(
        "firehose.amazonaws.com", {"StringEquals": {"sts:ExternalId": ctx.account_id}}
    )


def logs_to_firehose_trust(ctx: AwsContext) -> Policy:
    """CloudWatch Logs of this region, for this account's log groups only (`aws:SourceArn`)."""
    return service_trust(
        f"logs.{ctx.region}.amazonaws.com",
        {"StringLike": {"aws:SourceArn": ctx.arn("logs", "*")}},
    )


def logs_to_firehose_permissions(stream_arns: Sequence[str]) -> Policy:
    """Into any of the pipeline's streams (a group's filter points at its routed stream).
    `stream_arns`: every name the stack's streams could have (`StackNames.every_stream`, ten
    exact names, no wildcard), not only the streams of the current `deliveryStreams`: lowering
    the count must not revoke delivery through the filters still pointing at a stream being
    removed before the subscriber has re-pointed them (docs/scale.md). The filter's role is
    what delivers (AWS, PutSubscriptionFilter, roleArn: "The ARN of an IAM role that grants
    CloudWatch Logs permissions to deliver ingested log events to the destination stream"), so
    this policy must allow every stream a filter may still point at."""
    return document(
        allow("PutIntoStream", ["firehose:PutRecord", "firehose:PutRecordBatch"], stream_arns)
    )


def own_logs(ctx: AwsContext, log_group_name: str) -> Statement:
    return allow(
        "OwnLogs",
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        [ctx.log_group_arn(log_group_name)],
    )


def transformer_permissions(
    ctx: AwsContext, stream_arns: Sequence[str], log_group_name: str, bucket_arn: str
) -> Policy:
    """Re-ingest into the pipeline's streams, read the subscribers' architecture maps, write
    its own logs. No Lambda permission: `lambda:GetFunctionConfiguration` would return every
    function's environment variables to the component that parses hostile input
    (docs/decisions/architecture-map.md)."""
    return document(
        allow("Reingest", ["firehose:PutRecordBatch"], stream_arns),
        allow(
            "ReadArchitectureMaps",
            ["s3:GetObject"],
            [f"{bucket_arn}/{ARCHITECTURE_MAP_KEY_PREFIX}*"],
        ),
        own_logs(ctx, log_group_name),
    )


def publish_architectures(bucket_arn: str, account_id: str) -> Statement:
    """The subscriber's own account's architecture maps (one per region), nothing else."""
    return allow(
        "PublishArchitectureMap",
        ["s3:GetObject", "s3:PutObject"],
        [f"{bucket_arn}/{ARCHITECTURE_MAP_KEY_PREFIX}{account_id}/*"],
    )


def firehose_permissions(
    ctx: AwsContext,
    *,
    domain_arn: str,
    bucket_arn: str,
    transformer_arn: str,
    log_group_names: Sequence[str],
    index_prefix: str,
) -> Policy:
    """What Firehose needs for the OpenSearch destination, the S3 backup and the processor
    (delivering through a VPC, infra/vpc_policies.py adds its network interfaces there)."""
    reads = [
        "_all/_settings",
        "_cluster/stats",
        f"{index_prefix}*/_mapping/*",
        "_nodes",
        "_nodes/stats",
        "_nodes/*/stats",
        "_stats",
        f"{index_prefix}*/_stats",
    ]
    return document(
        allow(
            "DescribeDomain",
            ["es:DescribeDomain", "es:DescribeDomainConfig", "es:DescribeDomains"],
            [domain_arn, f"{domain_arn}/*"],
        ),
        allow("WriteDocuments", ["es:ESHttpPost", "es:ESHttpPut"], [domain_arn, f"{domain_arn}/*"]),
        allow("ReadClusterState", ["es:ESHttpGet"], [f"{domain_arn}/{path}" for path in reads]),
        allow(
            "BackupBucket",
            [
                "s3:AbortMultipartUpload",
                "s3:GetBucketLocation",
                "s3:GetObject",
                "s3:ListBucket",
                "s3:ListBucketMultipartUploads",
                "s3:PutObject",
            ],
            [bucket_arn, f"{bucket_arn}/*"],
        ),
        allow(
            "InvokeTransformer",
            ["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"],
            [transformer_arn, f"{transformer_arn}:*"],
        ),
        allow(
            "DeliveryErrorLogs",
            ["logs:PutLogEvents"],
            [ctx.log_group_arn(name) for name in log_group_names],
        ),
    )


def never_subscribe_pipelines(ctx: AwsContext) -> Statement:
    """No subscription filter on any pipeline's own log groups (a filter there loops).

    Which destination and which filter name a filter may have cannot be said in IAM: the
    Service Authorization Reference gives PutSubscriptionFilter and DeleteSubscriptionFilter no
    condition key (CloudWatch Logs' only own keys, logs:DeliveryDestinationResourceArn and
    logs:LogGeneratingResourceArns, apply to PutDeliveryDestination / PutDeliverySource), and
    their resources are the log group (and a cross-account `destination`). So the subscriber is
    scoped by resource: this account's and region's log groups, never a pipeline's
    (lambda_shared.pipeline_groups), and by its PassLogsRole statement: a filter to a stream
    needs a role, and the only one it may pass writes only to this pipeline's streams. Filter
    names are the code's (FILTER_NAME); docs/security.md."""
    return {
        "Sid": "NeverSubscribeThePipeline",
        "Effect": "Deny",
        "Action": ["logs:PutSubscriptionFilter"],
        "Resource": [ctx.arn("logs", f"log-group:{PIPELINE_LOG_GROUP_PREFIX}*")],
    }


def subscriber_permissions(
    ctx: AwsContext,
    *,
    stream_arns: Sequence[str],
    logs_role_arn: str,
    function_name: str,
    log_group_name: str,
    state_bucket_arn: str,
) -> Policy:
    """Subscribe log groups to the stream, backfill them (keeping failed backfills for a retry
    and what it verified per group under two prefixes of the backup bucket), and continue
    itself."""
    return document(
        allow(
            "ManageSubscriptions",
            [
                "logs:DeleteSubscriptionFilter",
                "logs:DescribeSubscriptionFilters",
                "logs:FilterLogEvents",
                "logs:PutSubscriptionFilter",
            ],
            [ctx.all_log_groups_arn],
        ),
        # DescribeLogGroups is a list call: parliament's copy of the Service Authorization
        # Reference gives it no resource type (RESOURCE_MISMATCH unless "*"), and a statement
        # naming log-group ARNs would then not apply to it. "*" works whichever is true; the
        # call returns group names and settings, never events.
        allow("ListLogGroups", ["logs:DescribeLogGroups"], ["*"]),
        never_subscribe_pipelines(ctx),
        allow("FindFunctionLogGroups", ["lambda:ListFunctions"], ["*"]),
        allow(
            "ReadFunctionLogging",
            ["lambda:GetFunctionConfiguration"],
            [ctx.arn("lambda", "function:*")],
        ),
        allow(
            "PassLogsRole",
            ["iam:PassRole"],
            [logs_role_arn],
            Condition={"StringEquals": {"iam:PassedToService": "logs.amazonaws.com"}},
        ),
        allow("Backfill", ["firehose:PutRecordBatch"], stream_arns),
        allow(
            "PendingBackfills",
            ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            [
                f"{state_bucket_arn}/{BACKFILL_STATE_KEY_PREFIX}*",
                f"{state_bucket_arn}/{GROUP_STATE_KEY_PREFIX}*",  # what it verified per group
            ],
        ),
        # Only so that a missing state object answers 404, not 403 (S3 answers 404 to a
        # GetObject of a missing key only when the caller may ListBucket). No s3:prefix
        # condition: that implicit check carries no prefix, so a condition would deny it.
        allow("FindPendingBackfills", ["s3:ListBucket"], [state_bucket_arn]),
        publish_architectures(state_bucket_arn, ctx.account_id),
        allow("ContinueItself", ["lambda:InvokeFunction"], [ctx.function_arn(function_name)]),
        own_logs(ctx, log_group_name),
    )


def domain_access_policy(
    ctx: AwsContext, domain_arn: str, allowed_cidrs: Sequence[str], *, private: bool = False
) -> Policy:
    """Signed requests from this account; unsigned ones (browsers, Basic auth) only from
    `allowed_cidrs`, or, in a VPC (`private`), from whoever the domain's security groups let
    through. Fine-grained access control still authenticates every request.

    A VPC domain has no `aws:SourceIp` statement: AWS, "Launching your Amazon OpenSearch Service
    domains within a VPC": "You can't apply IP-based access policies to domains that reside
    within a VPC because security groups already enforce IP-based access policies." Its
    endpoint resolves only inside the VPC, so the network guard is the VPC and the security
    groups (`vpcSecurityGroupIds`), and the identity guard is fine-grained access control (the
    master user's password, the Firehose role's mapping): docs/security.md."""
    statements = [
        {
            "Sid": "Account",
            "Effect": "Allow",
            "Principal": {"AWS": ctx.account_root},
            "Action": list(ES_HTTP_ACTIONS),
            "Resource": f"{domain_arn}/*",
        }
    ]
    if private:
        statements.append(
            {
                "Sid": "InsideVpc",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": list(ES_HTTP_ACTIONS),
                "Resource": f"{domain_arn}/*",
            }
        )
    elif allowed_cidrs:
        # parliament MISMATCHED_TYPE on AllowedNetworks is accepted: its Ip pattern knows only
        # uncompressed IPv6 (seven colons), while IAM takes compressed networks such as
        # 2001:db8::/32 (and `allowedCidrs` is validated as networks by infra/config_rules.py).
        statements.append(
            {
                "Sid": "AllowedNetworks",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": list(ES_HTTP_ACTIONS),
                "Resource": f"{domain_arn}/*",
                "Condition": {"IpAddress": {"aws:SourceIp": list(allowed_cidrs)}},
            }
        )
    return document(*statements)


def tls_only_bucket_policy(bucket_arn: str) -> Policy:
    """Deny every request that does not use TLS (1.2 or later).

    parliament RESOURCE_MISMATCH on DenyInsecureTransport and DenyOldTls, and
    UNKNOWN_CONDITION_FOR_ACTION on DenyOldTls, are accepted: `s3:*` in a Deny is meant to cover
    every action, and an S3 action that takes no bucket resource, or does not document
    s3:TlsVersion, is one this bucket policy cannot be asked about anyway; a Deny never grants
    anything."""
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return document(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOldTls",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:*",
            "Resource": resources,
            # parliament MISMATCHED_TYPE on DenyOldTls is accepted: its Numeric pattern is whole
            # numbers only, while TLS versions are 1.2 and 1.3 (AWS's own examples compare 1.2)
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
        },
    )


ALERTING_PRINCIPALS: Final = ("es.amazonaws.com", "opensearchservice.amazonaws.com")
"""OpenSearch Service's principals. The Developer Guide's SNS destination (alerting.md, "Amazon
SNS Support") asks for "an IAM role within your account that has the following trust
relationship": `"Principal": {"Service": "es.amazonaws.com"}`; opensearchservice.amazonaws.com is
the service's newer principal (its service-linked role trusts it). Both, so that alerting works
whichever the domain's notifications use."""


def alerting_trust(ctx: AwsContext, domain_arn: str) -> Policy:
    """OpenSearch Service notifications of this account's `domain_arn` only (the role can only
    publish to the alarm topic).

    The confused-deputy guard, as the Developer Guide's "Cross-service confused deputy
    prevention" page gives it: "We recommend using the aws:SourceArn and aws:SourceAccount
    global condition context keys in resource policies to limit the permissions that Amazon
    OpenSearch Service gives another service to the resource. [...] The value of aws:SourceArn
    must be the ARN of the OpenSearch Service domain.", with the example trust policy
    `{"Principal": {"Service": "es.amazonaws.com"}, "Action": "sts:AssumeRole", "Condition":
    {"StringEquals": {"aws:SourceAccount": "123456789012"}, "ArnLike": {"aws:SourceArn":
    "arn:aws:es:region:123456789012:domain/my-domain"}}}`."""
    # "the aws:SourceAccount value and the account in the aws:SourceArn value must use the same
    # account ID" (same page): the domain's account, this one unless an existing domain says.
    parts = domain_arn.split(":")
    account = parts[4] if len(parts) > 5 and parts[4] else ctx.account_id
    statement: Statement = {
        "Effect": "Allow",
        "Principal": {"Service": list(ALERTING_PRINCIPALS)},
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": account},
            "ArnLike": {"aws:SourceArn": domain_arn},
        },
    }
    return document(statement)


def publish_permissions(topic_arn: str) -> Policy:
    return document(allow("PublishAlarms", ["sns:Publish"], [topic_arn]))

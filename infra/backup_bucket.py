"""The S3 bucket that keeps every document (and every failed record) for the long term."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.config_sections import BackupConfig
from infra.deployment_config import DeploymentConfig
from infra.hub_policies import spoke_architecture_statements
from infra.policies import Policy, tls_only_bucket_policy


@dataclass(frozen=True)
class SpokeWriters:
    """A hub's spokes, which may write their own architecture maps into its bucket."""

    accounts: Sequence[str] = ()
    organization_id: str | None = None


def spoke_writers(deployment: DeploymentConfig) -> SpokeWriters | None:
    """A hub's admitted spokes; None for a standalone stack (no foreign writer)."""
    if deployment.role != "hub":
        return None
    return SpokeWriters(deployment.spoke_account_ids, deployment.organization_id)


def bucket_policy(bucket_arn: str, spokes: SpokeWriters | None) -> Policy:
    """TLS only; in a hub, also each spoke's own architecture maps (hub_policies)."""
    policy = tls_only_bucket_policy(bucket_arn)
    if spokes is not None:
        policy["Statement"].extend(
            spoke_architecture_statements(bucket_arn, spokes.accounts, spokes.organization_id)
        )
    return policy


def lifecycle_rules(
    args: BackupConfig,
) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
    """Archive then expire every object; always clean up abandoned multipart uploads."""
    transitions = (
        [
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                days=args.archive_after_days, storage_class=args.archive_storage_class
            )
        ]
        if args.archive_after_days
        else None
    )
    expiration = (
        aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.expire_after_days)
        if args.expire_after_days
        else None
    )
    return [
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="long-term-retention",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
            transitions=transitions,
            expiration=expiration,
            abort_incomplete_multipart_upload=(
                aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=7
                )
            ),
        )
    ]


class BackupBucket(pulumi.ComponentResource):
    """Private, encrypted, TLS-only, owner-enforced bucket with lifecycle rules. Owner-enforced
    ("BucketOwnerEnforced": ACLs are disabled and the bucket owner owns every object) is what
    makes the hub own the architecture maps its spokes write."""

    bucket: aws.s3.Bucket

    def __init__(
        self,
        name: str,
        args: BackupConfig,
        opts: pulumi.ResourceOptions | None = None,
        *,
        spokes: SpokeWriters | None = None,
    ) -> None:
        super().__init__("lambdalogs:storage:BackupBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(name, force_destroy=args.force_destroy, opts=child)
        bucket_id = self.bucket.id
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        self.ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket_id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket_id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )
        self.lifecycle = aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=bucket_id, rules=lifecycle_rules(args), opts=child
        )
        self.policy = aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=bucket_id,
            policy=self.bucket.arn.apply(lambda arn: json.dumps(bucket_policy(arn, spokes))),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.public_access_block]),
        )
        self.register_outputs({"bucket": self.bucket.bucket, "arn": self.bucket.arn})

"""The S3 bucket that keeps every document (and every failed record) for the long term."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from infra.config_sections import BackupConfig
from infra.policies import tls_only_bucket_policy


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
    """Private, encrypted, TLS-only, owner-enforced bucket with lifecycle rules."""

    bucket: aws.s3.Bucket

    def __init__(
        self, name: str, args: BackupConfig, opts: pulumi.ResourceOptions | None = None
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
            policy=self.bucket.arn.apply(lambda arn: json.dumps(tls_only_bucket_policy(arn))),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.public_access_block]),
        )
        self.register_outputs({"bucket": self.bucket.bucket, "arn": self.bucket.arn})

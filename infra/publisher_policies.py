"""The IAM document of account-policy mode's architecture publisher
(infra/architecture_publisher.py, `subscriptions/publish_only.py`), on top of what
`infra/policies.py` builds (`allow`, `document`, `own_logs`). Linted with the rest by
tests/infra/test_policy_lint.py."""

from __future__ import annotations

from infra.aws_context import AwsContext
from infra.policies import Policy, allow, document, own_logs
from lambda_shared.environment import architecture_map_key


def architecture_publisher_permissions(
    ctx: AwsContext, log_group_name: str, bucket_arn: str
) -> Policy:
    """List the functions, read and write this account's and region's one map object, write its
    own logs; nothing else (no Invoke, no other S3 key, no CloudWatch Logs API).

    `lambda:ListFunctions` is on `*` because it has no resource-level permission: the Service
    Authorization Reference (Actions, resources, and condition keys for AWS Lambda) lists it
    with no resource type, and "If there is no value for this column, you must specify all
    resources ("*") to which the policy applies in the Resource element of your policy
    statement", so `*` is the narrowest possible (infra/policies.py UNSCOPED_ACTIONS). What it
    returns is each function's configuration, environment variables included, which the
    function only reads for
    `FunctionName` and `Architectures`; it parses no log line (unlike the transformer, which
    has no Lambda permission at all: docs/decisions/architecture-map.md). The S3 grant is the
    one key `architectures/<account>/<region>.json.gz` (GetObject to compare, PutObject when it
    changed), in a spoke the hub's bucket, whose policy admits `architectures/<its account>/*`
    (infra/hub_policies.py). No s3:ListBucket: a missing map answers 403, read as "no map yet"
    (subscriptions/architectures.py ABSENT)."""
    key = architecture_map_key(ctx.account_id, ctx.region)
    return document(
        allow("ListFunctions", ["lambda:ListFunctions"], ["*"]),
        allow("PublishArchitectureMap", ["s3:GetObject", "s3:PutObject"], [f"{bucket_arn}/{key}"]),
        own_logs(ctx, log_group_name),
    )
